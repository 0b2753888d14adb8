// The call toolbar: microphone and camera (each with a device menu), screen share, raise hand, reactions, chat,
// people, "more" (layout, settings, shortcuts, host actions) and leave (with "end for all" inside, for hosts).
// Every control has a visible label on wide screens and a tooltip; viewers see why they cannot publish.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { savePrefs } from './devices.js';
import { Room } from './livekit.js';
import { menuButton } from './menu.js';
import { REACTIONS } from './reactions.js';

/** @import { IconName } from '../dom.js' */
/** @import { PanelName } from './call.js' */
/** @import { MenuItem } from './menu.js' */
/**
 * @typedef {object} ControlActions
 * @property {() => boolean} isHost hosts get "end for everyone" in the leave menu (roles change mid-call)
 * @property {() => void} onChat
 * @property {() => void} onPeople
 * @property {() => void} onHand
 * @property {(emoji: string) => void} onReact
 * @property {() => MenuItem[]} moreItems what the "more" menu offers now
 * @property {() => void} onLeave
 * @property {() => void} onEnd
 */
/** @typedef {'audioinput' | 'videoinput'} InputKind */

export const PHONE = '(max-width: 560px)';

/**
 * A toolbar control: the button and, on wide screens, its label under it.
 * @param {HTMLElement} control @param {HTMLElement} label @param {string} [extra] control--wide: hidden on phones
 */
function labelled(control, label, extra = '') {
  return h('div', { class: `control ${extra}` }, control, label);
}

/** @param {string} testid @param {() => void} onclick */
function roundButton(testid, onclick) {
  return h('button', { class: 'round-button', type: 'button', testid, onclick });
}

/** @param {string} text */
function controlLabel(text) {
  return h('span', { class: 'control__label', 'aria-hidden': 'true' }, text);
}

/**
 * A round button that opens a panel (pressed while it is open).
 * @param {string} testid @param {string} label @param {IconName} shape @param {() => void} onclick @param {HTMLElement[]} badges
 */
function panelButton(testid, label, shape, onclick, badges) {
  return h(
    'button',
    {
      class: 'round-button round-button--plain',
      type: 'button',
      testid,
      'aria-label': label,
      title: label,
      'aria-pressed': 'false',
      onclick,
    },
    icon(shape),
    badges,
  );
}

export class Controls {
  /** @param {Room} room @param {ControlActions} actions */
  constructor(room, actions) {
    this.room = room;
    this.actions = actions;
    /** @type {Set<string>} toggles under way (a second click waits for the first) */
    this.busy = new Set();
    /** @type {Record<InputKind, MediaDeviceInfo[]>} */
    this.devices = { audioinput: [], videoinput: [] };
    this.handRaised = false;
    const local = room.localParticipant;
    this.mic = roundButton('toggle-mic', () =>
      this.toggle('mic', () => local.setMicrophoneEnabled(!local.isMicrophoneEnabled)),
    );
    this.camera = roundButton('toggle-camera', () =>
      this.toggle('camera', () => local.setCameraEnabled(!local.isCameraEnabled)),
    );
    this.screen = roundButton('toggle-screen-share', () => this.toggle('screen', () => this.toggleScreen()));
    this.hand = roundButton('toggle-hand', actions.onHand);
    this.unread = h('span', { class: 'badge badge--dot', testid: 'chat-unread', hidden: true });
    this.count = h('span', { class: 'badge badge--count', 'aria-hidden': 'true' });
    this.waiting = h('span', { class: 'badge badge--dot badge--attention', testid: 'people-waiting', hidden: true });
    this.chat = panelButton('toggle-chat', t('controls.chat'), 'chat', actions.onChat, [this.unread]);
    this.people = panelButton('toggle-people', t('controls.people'), 'people', actions.onPeople, [
      this.count,
      this.waiting,
    ]);
    this.viewerNote = h('p', { class: 'viewer-note', testid: 'viewer-notice', role: 'status', hidden: true });
    this.publishing = h('div', { class: 'controls__group' });
    this.element = this.build();
    this.refreshDevices();
    navigator.mediaDevices?.addEventListener?.('devicechange', () => this.refreshDevices());
    this.update();
  }

  build() {
    const { actions } = this;
    const micCaret = this.caret('audioinput', 'mic-devices', t('controls.mic_devices'));
    const camCaret = this.caret('videoinput', 'camera-devices', t('controls.camera_devices'));
    const reactions = menuButton(
      { testid: 'open-reactions', label: t('controls.react'), shape: 'smile', className: 'round-button' },
      () =>
        REACTIONS.map((emoji) => ({
          label: emoji,
          testid: 'send-reaction',
          compact: true,
          onPick: () => actions.onReact(emoji),
        })),
    );
    const more = menuButton(
      { testid: 'open-more', label: t('controls.more'), shape: 'more', className: 'round-button' },
      actions.moreItems,
    );
    const leave = this.leaveControl();
    this.publishing.append(
      labelled(h('div', { class: 'split' }, this.mic, micCaret), controlLabel(t('controls.mic_short'))),
      labelled(h('div', { class: 'split' }, this.camera, camCaret), controlLabel(t('controls.camera_short'))),
      labelled(this.screen, controlLabel(t('controls.screen_short')), 'control--wide'),
    );
    return h(
      'div',
      { class: 'controls', role: 'toolbar', 'aria-label': t('controls.toolbar'), testid: 'controls' },
      this.publishing,
      this.viewerNote,
      h(
        'div',
        { class: 'controls__group' },
        labelled(this.hand, controlLabel(t('controls.hand_short'))),
        labelled(reactions.element, controlLabel(t('controls.react_short')), 'control--wide'),
      ),
      h(
        'div',
        { class: 'controls__group' },
        labelled(this.chat, controlLabel(t('controls.chat'))),
        labelled(this.people, controlLabel(t('controls.people_short'))),
        labelled(more.element, controlLabel(t('controls.more_short'))),
      ),
      h('div', { class: 'controls__group' }, leave),
    );
  }

  /** Leave: at once for participants; hosts choose between leaving and ending the meeting for everyone. */
  leaveControl() {
    const { actions } = this;
    const menu = menuButton(
      {
        testid: 'leave-room',
        label: t('controls.leave'),
        shape: 'leave',
        text: t('controls.leave_short'),
        className: 'pill-button pill-button--danger',
        menuTestid: 'leave-menu',
        when: actions.isHost,
      },
      () => [
        { label: t('controls.leave'), testid: 'leave-meeting', icon: 'leave', onPick: actions.onLeave },
        { label: t('controls.end'), testid: 'end-room', icon: 'end', danger: true, onPick: actions.onEnd },
      ],
    );
    menu.button.addEventListener('click', () => {
      if (!actions.isHost()) actions.onLeave();
    });
    menu.button.removeAttribute('aria-haspopup');
    return menu.element;
  }

  /**
   * The small button beside the mic or camera that lists the devices and switches mid-call.
   * @param {InputKind} kind @param {string} testid @param {string} label
   */
  caret(kind, testid, label) {
    const menu = menuButton({ testid, label, shape: 'caret', className: 'caret-button' }, () => {
      const active = this.room.getActiveDevice(kind);
      /** @type {MenuItem[]} */
      const items = this.devices[kind].map((device, i) => ({
        label:
          device.label ||
          t('devices.unnamed', { kind: t(kind === 'audioinput' ? 'devices.microphone' : 'devices.camera'), n: i + 1 }),
        checked: device.deviceId === active,
        testid: 'device-option',
        onPick: () => this.switchDevice(kind, device.deviceId),
      }));
      return items.length ? items : [{ label: t('devices.none'), heading: true }];
    });
    menu.button.addEventListener('pointerdown', () => this.refreshDevices());
    return menu.element;
  }

  async refreshDevices() {
    for (const kind of /** @type {InputKind[]} */ (['audioinput', 'videoinput'])) {
      try {
        this.devices[kind] = (await Room.getLocalDevices(kind, false)).filter((d) => d.deviceId);
      } catch {
        this.devices[kind] = [];
      }
    }
  }

  /** @param {InputKind} kind @param {string} deviceId */
  async switchDevice(kind, deviceId) {
    try {
      await this.room.switchActiveDevice(kind, deviceId);
      savePrefs({ [kind]: deviceId });
    } catch {
      toast(t('room.device_error'), { kind: 'error' });
    }
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

  /** Shares a screen, window or tab, with its sound where the browser offers it (a tab's audio in Chromium). */
  async toggleScreen() {
    const local = this.room.localParticipant;
    const on = !local.isScreenShareEnabled;
    const options = {
      audio: true,
      selfBrowserSurface: /** @type {const} */ ('include'),
      surfaceSwitching: /** @type {const} */ ('include'),
      systemAudio: /** @type {const} */ ('include'),
    };
    await local.setScreenShareEnabled(on, on ? options : undefined);
  }

  update() {
    const local = this.room.localParticipant;
    const leave = this.element.querySelector('[data-testid=leave-room]');
    if (this.actions.isHost()) leave?.setAttribute('aria-haspopup', 'menu');
    else leave?.removeAttribute('aria-haspopup');
    const canPublish = local.permissions?.canPublish !== false;
    paint(this.mic, local.isMicrophoneEnabled, 'mic', 'micOff', 'controls.mic_off', 'controls.mic_on');
    paint(this.camera, local.isCameraEnabled, 'cam', 'camOff', 'controls.camera_off', 'controls.camera_on');
    paint(this.screen, local.isScreenShareEnabled, 'screen', 'screen', 'controls.screen_stop', 'controls.screen_start');
    this.screen.classList.toggle('round-button--off', false);
    this.screen.classList.toggle('round-button--active', local.isScreenShareEnabled);
    // A viewer's toolbar has no publishing controls, and says why; the hand is how they ask to speak.
    this.publishing.hidden = !canPublish;
    this.viewerNote.hidden = canPublish;
    this.viewerNote.textContent = t('controls.viewer_note');
    const screenControl = /** @type {HTMLElement} */ (this.screen.parentElement);
    screenControl.hidden = !navigator.mediaDevices?.getDisplayMedia;
    this.count.textContent = String(1 + this.room.remoteParticipants.size);
  }

  /** @param {boolean} raised */
  setHand(raised) {
    this.handRaised = raised;
    const label = t(raised ? 'controls.hand_lower' : 'controls.hand_raise');
    this.hand.replaceChildren(icon('hand'));
    this.hand.setAttribute('aria-label', label);
    this.hand.title = label;
    this.hand.setAttribute('aria-pressed', String(raised));
    this.hand.classList.toggle('round-button--active', raised);
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
