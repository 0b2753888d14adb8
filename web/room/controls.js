// The call toolbar: microphone, camera, screen share, chat, people, devices, invite, leave and end for everyone.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { savePrefs } from './devices.js';
import { toast } from '../ui.js';

function toggleButton(testid, onclick) {
  return h('button', { class: 'round-button', type: 'button', testid, onclick });
}

export class Controls {
  constructor(room, { isHost, onChat, onPeople, onSettings, onLeave, onEnd }) {
    this.room = room;
    this.busy = new Set();
    this.mic = toggleButton('toggle-mic', () => this.toggle('mic', () => room.localParticipant.setMicrophoneEnabled(!room.localParticipant.isMicrophoneEnabled)));
    this.camera = toggleButton('toggle-camera', () => this.toggle('camera', () => room.localParticipant.setCameraEnabled(!room.localParticipant.isCameraEnabled)));
    this.screen = toggleButton('toggle-screen-share', () => this.toggle('screen', () => this.toggleScreen()));
    this.chat = h('button', { class: 'round-button round-button--plain', type: 'button', testid: 'toggle-chat', 'aria-label': t('controls.chat'), title: t('controls.chat'), 'aria-pressed': 'false', onclick: onChat },
      icon('chat'), this.unread = h('span', { class: 'badge badge--dot', testid: 'chat-unread', hidden: true }));
    this.people = h('button', { class: 'round-button round-button--plain', type: 'button', testid: 'toggle-people', 'aria-label': t('controls.people'), title: t('controls.people'), 'aria-pressed': 'false', onclick: onPeople },
      icon('people'), this.count = h('span', { class: 'badge badge--count', 'aria-hidden': 'true' }),
      this.waiting = h('span', { class: 'badge badge--dot badge--attention', testid: 'people-waiting', hidden: true }));
    this.settings = h('button', { class: 'round-button round-button--plain', type: 'button', testid: 'open-settings', 'aria-label': t('controls.settings'), title: t('controls.settings'), onclick: onSettings }, icon('settings'));
    const leave = h('button', { class: 'pill-button pill-button--danger', type: 'button', testid: 'leave-room', 'aria-label': t('controls.leave'), title: t('controls.leave'), onclick: onLeave }, icon('leave'), h('span', { class: 'pill-button__text' }, t('controls.leave_short')));
    const end = isHost ? h('button', { class: 'pill-button pill-button--outline-danger pill-button--end', type: 'button', testid: 'end-room', 'aria-label': t('controls.end'), title: t('controls.end'), onclick: onEnd }, icon('end'), h('span', { class: 'pill-button__text' }, t('controls.end_short'))) : null;
    this.element = h('div', { class: 'controls', role: 'toolbar', 'aria-label': t('controls.toolbar'), testid: 'controls' },
      h('div', { class: 'controls__group' }, this.mic, this.camera, this.screen),
      h('div', { class: 'controls__group' }, this.chat, this.people, this.settings),
      h('div', { class: 'controls__group' }, leave, end));
    this.update();
  }

  async toggle(name, action) {
    if (this.busy.has(name)) return;
    this.busy.add(name);
    try {
      await action();
    } catch (error) {
      if (error?.name !== 'NotAllowedError' && error?.name !== 'AbortError') toast(t(`controls.${name}_failed`), { kind: 'error' });
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
    await local.setScreenShareEnabled(on, on ? { audio: false, selfBrowserSurface: 'include', surfaceSwitching: 'include', systemAudio: 'exclude' } : undefined);
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

  setPanel(name) {
    this.chat.setAttribute('aria-pressed', String(name === 'chat'));
    this.people.setAttribute('aria-pressed', String(name === 'people'));
  }

  setWaiting(count) {
    this.waiting.hidden = !count;
    this.people.setAttribute('aria-label', count ? t('controls.people_waiting', { count }) : t('controls.people'));
  }

  setUnread(count) {
    this.unread.hidden = !count;
    this.chat.setAttribute('aria-label', count ? t('controls.chat_unread', { count }) : t('controls.chat'));
  }
}

function paint(button, on, onIcon, offIcon, onLabel, offLabel) {
  button.replaceChildren(icon(on ? onIcon : offIcon));
  const label = t(on ? onLabel : offLabel);
  button.setAttribute('aria-label', label);
  button.title = label;
  button.setAttribute('aria-pressed', String(on));
  button.classList.toggle('round-button--off', !on);
}
