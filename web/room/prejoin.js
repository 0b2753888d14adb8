// Pre-join screen: camera and microphone preview, device pickers, display name, join with camera/mic on or off.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { MediaPreview } from './preview.js';

/** @import { Me } from '../endpoints.js' */
/**
 * The room as the pre-join shows it (a member sees RoomDetails, a guest the public preview).
 * @typedef {{id: string, name?: string | null, participants_online?: number, e2ee?: boolean}} PrejoinRoom
 */
/** @import { LocalAudioTrack, LocalVideoTrack } from './livekit.js' */
/**
 * What the person chose; the live tracks are handed over for publishing.
 * @typedef {{displayName: string, videoTrack: LocalVideoTrack | null, audioTrack: LocalAudioTrack | null}} PrejoinChoice
 */
/**
 * @typedef {object} PrejoinSpec
 * @property {PrejoinRoom} room
 * @property {Me | null} user
 * @property {string} [name] the name to start with when there is no user (a guest's last one)
 * @property {string} [joinLabel] the join button's text (guests: "Join as guest")
 * @property {HTMLElement} [beside] shown under the join button (guests: "Sign in")
 * @property {() => void} onBack
 * @property {(choice: PrejoinChoice) => Promise<void>} onJoin when it throws, its message is shown and the preview goes on
 */

/** @param {PrejoinRoom} room */
function roomLine(room) {
  return [
    h(
      'p',
      { class: 'prejoin__room' },
      h('span', { class: 'prejoin__room-name' }, room.name || ''),
      ' ',
      h('code', { class: 'code', testid: 'prejoin-room-id' }, room.id),
    ),
    room.e2ee ? h('p', { class: 'e2ee-notice', testid: 'prejoin-e2ee' }, icon('shield'), t('badges.e2ee_title')) : null,
    room.participants_online
      ? h('p', { class: 'list__meta' }, t('prejoin.already_in', { count: room.participants_online }))
      : null,
  ];
}

/** The form beside the preview: my name, the devices, join or go back. */
class JoinForm {
  /** @param {PrejoinSpec} spec @param {MediaPreview} preview @param {string} name */
  constructor({ room, onBack, onJoin, joinLabel, beside }, preview, name) {
    this.preview = preview;
    this.onJoin = onJoin;
    this.joinLabel = joinLabel || t('prejoin.join');
    this.nameInput = h('input', {
      id: 'prejoin-name',
      class: 'input',
      type: 'text',
      value: name,
      maxlength: 64,
      required: true,
      autocomplete: 'name',
      testid: 'prejoin-name',
    });
    this.joinButton = h(
      'button',
      { class: 'button button--primary button--wide', type: 'submit', testid: 'join-now' },
      this.joinLabel,
    );
    this.error = h('p', { class: 'form-error', role: 'alert', testid: 'prejoin-error', hidden: true });
    const back = () => {
      preview.stop();
      onBack();
    };
    this.element = h(
      'form',
      { class: 'prejoin__side', 'aria-labelledby': 'prejoin-title' },
      h('h1', { class: 'prejoin__title', id: 'prejoin-title' }, t('prejoin.title')),
      roomLine(room),
      h(
        'div',
        { class: 'field' },
        h('label', { class: 'field__label', for: 'prejoin-name' }, t('prejoin.name')),
        this.nameInput,
      ),
      preview.pickers,
      this.error,
      this.joinButton,
      beside || null,
      h(
        'button',
        { class: 'button button--ghost button--wide', type: 'button', testid: 'prejoin-back', onclick: back },
        t('prejoin.back'),
      ),
    );
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  async submit() {
    const displayName = this.nameInput.value.trim();
    if (!displayName) {
      this.showError(t('prejoin.name_required'));
      this.nameInput.focus();
      return;
    }
    this.joinButton.disabled = true;
    this.joinButton.textContent = t('prejoin.joining');
    try {
      // Devices may still be starting (a quick Enter): join with them, not without them.
      await this.onJoin({ displayName, ...(await this.preview.handOver()) });
    } catch (failure) {
      this.preview.takeBack();
      this.showError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  /** @param {string} message */
  showError(message) {
    this.joinButton.disabled = false;
    this.joinButton.textContent = this.joinLabel;
    this.error.textContent = message;
    this.error.hidden = false;
  }

  /** Whether joining is under way (then the tracks belong to the call). */
  get joining() {
    return this.joinButton.disabled;
  }
}

/**
 * Shows the pre-join screen in container.
 * @param {HTMLElement} container
 * @param {PrejoinSpec} spec
 * @returns {() => void} stops the preview (unless its tracks were handed over)
 */
export function prejoin(container, spec) {
  const name = spec.user?.display_name || spec.user?.login || spec.name || '';
  const preview = new MediaPreview(name);
  const form = new JoinForm(spec, preview, name);
  container.replaceChildren(h('main', { class: 'prejoin', testid: 'prejoin' }, preview.element, form.element));
  form.joinButton.focus();
  return () => {
    if (!form.joining) preview.stop();
  };
}
