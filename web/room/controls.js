// The call toolbar: microphone, camera, screen share, chat, people, devices, invite, leave and end for everyone.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { savePrefs } from './devices.js';

/** @import { IconName } from '../dom.js' */
/** @import { Room } from './livekit.js' */
/** @import { PanelName } from './call.js' */
/**
 * @typedef {object} ControlActions
 * @property {boolean} isHost hosts get "end for everyone"
 * @property {() => void} onChat
 * @property {() => void} onPeople
 * @property {() => void} onSettings
 * @property {() => void} onLeave
 * @property {() => void} onEnd
 */

/** @param {string} testid @param {() => void} onclick */
function toggleButton(testid, onclick) {
  return h('button', { class: 'round-button', type: 'button', testid, onclick });
}

/**
 * A round button with an icon; a panel's button (chat, people) is pressed while its panel is open.
 * @param {string} testid @param {string} label @param {IconName} shape @param {() => void} onclick
 * @param {HTMLElement[] | null} badges null for a button that opens a dialog rather than a panel
 */
function iconButton(testid, label, shape, onclick, badges) {
  return h(
    'button',
    {
      class: 'round-button round-button--plain',
      type: 'button',
      testid,
      'aria-label': label,
      title: label,
      'aria-pressed': badges && 'false',
      onclick,
    },
    icon(shape),
    badges,
  );
}

/** @param {string} testid @param {string} kind @param {string} label @param {string} text @param {IconName} shape @param {() => void} onclick */
function pillButton(testid, kind, label, text, shape, onclick) {
  return h(
    'button',
    { class: `pill-button ${kind}`, type: 'button', testid, 'aria-label': label, title: label, onclick },
    icon(shape),
    h('span', { class: 'pill-button__text' }, text),
  );
}

export class Controls {
  /** @param {Room} room @param {ControlActions} actions */
  constructor(room, { isHost, onChat, onPeople, onSettings, onLeave, onEnd }) {
    this.room = room;
    /** @type {Set<string>} toggles under way (a second click waits for the first) */
    this.busy = new Set();
    const local = room.localParticipant;
    this.mic = toggleButton('toggle-mic', () =>
      this.toggle('mic', () => local.setMicrophoneEnabled(!local.isMicrophoneEnabled)),
    );
    this.camera = toggleButton('toggle-camera', () =>
      this.toggle('camera', () => local.setCameraEnabled(!local.isCameraEnabled)),
    );
    this.screen = toggleButton('toggle-screen-share', () => this.toggle('screen', () => this.toggleScreen()));
    this.unread = h('span', { class: 'badge badge--dot', testid: 'chat-unread', hidden: true });
    this.count = h('span', { class: 'badge badge--count', 'aria-hidden': 'true' });
    this.waiting = h('span', { class: 'badge badge--dot badge--attention', testid: 'people-waiting', hidden: true });
    this.chat = iconButton('toggle-chat', t('controls.chat'), 'chat', onChat, [this.unread]);
    this.people = iconButton('toggle-people', t('controls.people'), 'people', onPeople, [this.count, this.waiting]);
    this.settings = iconButton('open-settings', t('controls.settings'), 'settings', onSettings, null);
    const leave = pillButton(
      'leave-room',
      'pill-button--danger',
      t('controls.leave'),
      t('controls.leave_short'),
      'leave',
      onLeave,
    );
    const end = isHost
      ? pillButton(
          'end-room',
          'pill-button--outline-danger pill-button--end',
          t('controls.end'),
          t('controls.end_short'),
          'end',
          onEnd,
        )
      : null;
    this.element = h(
      'div',
      { class: 'controls', role: 'toolbar', 'aria-label': t('controls.toolbar'), testid: 'controls' },
      h('div', { class: 'controls__group' }, this.mic, this.camera, this.screen),
      h('div', { class: 'controls__group' }, this.chat, this.people, this.settings),
      h('div', { class: 'controls__group' }, leave, end),
    );
    this.update();
  }

  /** @param {'mic' | 'camera' | 'screen'} name @param {() => Promise<unknown>} action */
  async toggle(name, action) {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      await action();
    } catch (error) {
      const refused = error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
      if (!refused) toast(t(`controls.${name}_failed`), { kind: 'error' });
      else if (name !== 'screen') toast(t('controls.permission_denied'), { kind: 'error' });
    } finally {
      this.busy.delete(name);
      const local = this.room.localParticipant;
      savePrefs({ microphone: local.isMicrophoneEnabled, camera: local.isCameraEnabled });
      this.update();
    }
  }

  async toggleScreen() {
    const local = this.room.localParticipant;
    const on = !local.isScreenShareEnabled;
    const options = {
      audio: false,
      selfBrowserSurface: /** @type {const} */ ('include'),
      surfaceSwitching: /** @type {const} */ ('include'),
      systemAudio: /** @type {const} */ ('exclude'),
    };
    await local.setScreenShareEnabled(on, on ? options : undefined);
  }

  update() {
    const local = this.room.localParticipant;
    const canPublish = local.permissions?.canPublish !== false;
    paint(this.mic, local.isMicrophoneEnabled, 'mic', 'micOff', 'controls.mic_off', 'controls.mic_on');
    paint(this.camera, local.isCameraEnabled, 'cam', 'camOff', 'controls.camera_off', 'controls.camera_on');
    paint(this.screen, local.isScreenShareEnabled, 'screen', 'screen', 'controls.screen_stop', 'controls.screen_start');
    this.screen.classList.toggle('round-button--off', false);
    this.screen.classList.toggle('round-button--active', local.isScreenShareEnabled);
    for (const button of [this.mic, this.camera, this.screen]) button.disabled = !canPublish;
    this.screen.hidden = !navigator.mediaDevices?.getDisplayMedia;
    this.count.textContent = String(1 + this.room.remoteParticipants.size);
  }

  /** @param {PanelName} name */
  setPanel(name) {
    this.chat.setAttribute('aria-pressed', String(name === 'chat'));
    this.people.setAttribute('aria-pressed', String(name === 'people'));
  }

  /** @param {number} count */
  setWaiting(count) {
    this.waiting.hidden = !count;
    this.people.setAttribute('aria-label', count ? t('controls.people_waiting', { count }) : t('controls.people'));
  }

  /** @param {number} count */
  setUnread(count) {
    this.unread.hidden = !count;
    this.chat.setAttribute('aria-label', count ? t('controls.chat_unread', { count }) : t('controls.chat'));
  }
}

/**
 * @param {HTMLButtonElement} button
 * @param {boolean} on
 * @param {IconName} onIcon @param {IconName} offIcon
 * @param {string} onLabel what pressing does while on @param {string} offLabel what pressing does while off
 */
function paint(button, on, onIcon, offIcon, onLabel, offLabel) {
  button.replaceChildren(icon(on ? onIcon : offIcon));
  const label = t(on ? onLabel : offLabel);
  button.setAttribute('aria-label', label);
  button.title = label;
  button.setAttribute('aria-pressed', String(on));
  button.classList.toggle('round-button--off', !on);
}
