// Pre-join screen: camera and microphone preview, device pickers, display name, join with camera/mic on or off.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { MediaPreview } from './preview.js';

/** @import { Me, RoomDetails } from '../endpoints.js' */
/** @import { LocalAudioTrack, LocalVideoTrack } from './livekit.js' */
/**
 * What the person chose; the live tracks are handed over for publishing.
 * @typedef {{displayName: string, videoTrack: LocalVideoTrack | null, audioTrack: LocalAudioTrack | null}} PrejoinChoice
 */
/**
 * @typedef {object} PrejoinSpec
 * @property {RoomDetails} room
 * @property {Me | null} user
 * @property {() => void} onBack
 * @property {(choice: PrejoinChoice) => Promise<void>} onJoin when it throws, its message is shown and the preview goes on
 */

/** @param {RoomDetails} room */
function roomLine(room) {
  return [
    h('p', { class: 'prejoin__room' }, h('span', { class: 'prejoin__room-name' }, room.name || ''), ' ', h('code', { class: 'code', testid: 'prejoin-room-id' }, room.id)),
    room.participants_online ? h('p', { class: 'list__meta' }, t('prejoin.already_in', { count: room.participants_online })) : null,
  ];
}

/**
 * Shows the pre-join screen in container.
 * @param {HTMLElement} container
 * @param {PrejoinSpec} spec
 * @returns {() => void} stops the preview (unless its tracks were handed over)
 */
export function prejoin(container, { room, user, onBack, onJoin }) {
  const name = user?.display_name || user?.login || '';
  const preview = new MediaPreview(name);
  const nameInput = h('input', { id: 'prejoin-name', class: 'input', type: 'text', value: name, maxlength: 64, required: true, autocomplete: 'name', testid: 'prejoin-name' });
  const joinButton = h('button', { class: 'button button--primary button--wide', type: 'submit', testid: 'join-now' }, t('prejoin.join'));
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'prejoin-error', hidden: true });
  const back = () => {
    preview.stop();
    onBack();
  };
  const form = h(
    'form',
    { class: 'prejoin__side', 'aria-labelledby': 'prejoin-title' },
    h('h1', { class: 'prejoin__title', id: 'prejoin-title' }, t('prejoin.title')),
    roomLine(room),
    h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'prejoin-name' }, t('prejoin.name')), nameInput),
    preview.pickers,
    error,
    joinButton,
    h('button', { class: 'button button--ghost button--wide', type: 'button', testid: 'prejoin-back', onclick: back }, t('prejoin.back')),
  );
  /** @param {string} message */
  const showError = (message) => {
    joinButton.disabled = false;
    joinButton.textContent = t('prejoin.join');
    error.textContent = message;
    error.hidden = false;
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const displayName = nameInput.value.trim();
    if (!displayName) {
      showError(t('prejoin.name_required'));
      nameInput.focus();
      return;
    }
    joinButton.disabled = true;
    joinButton.textContent = t('prejoin.joining');
    try {
      // Devices may still be starting (a quick Enter): join with them, not without them.
      await onJoin({ displayName, ...(await preview.handOver()) });
    } catch (failure) {
      preview.takeBack();
      showError(failure instanceof Error ? failure.message : String(failure));
    }
  });
  container.replaceChildren(h('main', { class: 'prejoin', testid: 'prejoin' }, preview.element, form));
  joinButton.focus();
  return () => {
    if (!joinButton.disabled) preview.stop();
  };
}
