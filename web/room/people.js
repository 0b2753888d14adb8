// Participants panel: who is here with mic/camera state; the host can mute or remove people and admit the waiting room.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, api } from '../api.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { avatar, toast, errorText, confirmDialog } from '../ui.js';
import { participantName, participantRole } from './stage.js';

export class PeoplePanel {
  constructor(room, roomInfo, { isHost, onClose, onWaiting }) {
    this.room = room;
    this.onWaiting = onWaiting;
    this.roomInfo = roomInfo;
    this.isHost = isHost;
    this.waiting = new Map();
    this.offs = [];
    this.list = h('ul', { class: 'people', testid: 'people-list' });
    this.lobby = h('ul', { class: 'people', testid: 'lobby-list' });
    this.lobbySection = h('section', { class: 'lobby', hidden: true, 'aria-labelledby': 'lobby-title' },
      h('h3', { class: 'panel__subtitle', id: 'lobby-title' }, t('people.waiting')), this.lobby);
    this.title = h('h2', { class: 'panel__title', id: 'people-title' });
    this.settings = isHost ? this.roomSettings() : null;
    this.element = h('aside', { class: 'panel', testid: 'people-panel', 'aria-labelledby': 'people-title', hidden: true },
      h('header', { class: 'panel__header' }, this.title,
        h('button', { class: 'icon-button', type: 'button', testid: 'people-close', 'aria-label': t('common.close'), onclick: onClose }, icon('close'))),
      h('div', { class: 'panel__body' }, this.settings?.element, this.lobbySection, this.list));
    if (isHost) {
      this.offs.push(realtime.on('lobby.request', (data) => {
        if (sameRoom(data.room_id, roomInfo.id)) {
          this.addWaiting(data.user || data);
          toast(t('people.wants_in', { name: (data.user || data).display_name || (data.user || data).login || '' }));
        }
      }));
      // Another host (or the person themselves) settled it: drop them from this queue.
      this.offs.push(realtime.on('lobby.resolved', (data) => {
        if (sameRoom(data.room_id, roomInfo.id)) this.dropWaiting(String(data.user?.id ?? data.user_id));
      }));
      get(`/rooms/${encodeURIComponent(roomInfo.id)}/lobby`).then((answer) => {
        for (const item of answer?.items || []) this.addWaiting(item.user || item);
      }).catch(() => {});
    }
    this.update();
  }

  // Host switches: lock the meeting (no new joins) and the waiting room; kept in step by room.updated.
  roomSettings() {
    const toggle = (field, label) => {
      const input = h('input', { type: 'checkbox', class: 'switch__input', testid: `room-${field}`, checked: Boolean(this.roomInfo[field]) });
      input.addEventListener('change', async () => {
        try {
          const room = await api('PATCH', `/rooms/${encodeURIComponent(this.roomInfo.id)}`, { [field]: input.checked });
          Object.assign(this.roomInfo, room || {});
        } catch (error) {
          input.checked = !input.checked;
          toast(errorText(error), { kind: 'error' });
        }
      });
      return { input, element: h('label', { class: 'switch' }, input, h('span', {}, label)) };
    };
    const locked = toggle('locked', t('people.lock'));
    const waiting = toggle('waiting_room', t('people.waiting_room'));
    this.offs.push(realtime.on('room.updated', (room) => {
      if (!sameRoom(room.id ?? room.room_id, this.roomInfo.id)) return;
      Object.assign(this.roomInfo, room);
      locked.input.checked = Boolean(room.locked);
      waiting.input.checked = Boolean(room.waiting_room);
    }));
    return { element: h('div', { class: 'room-switches' }, locked.element, waiting.element) };
  }

  addWaiting(user) {
    const id = String(user.id ?? user.user_id);
    if (!id || this.waiting.has(id)) return;
    const name = user.display_name || user.login || id;
    const decide = async (verb) => {
      try {
        await post(`/rooms/${encodeURIComponent(this.roomInfo.id)}/lobby/${encodeURIComponent(id)}/${verb}`);
        this.dropWaiting(id);
      } catch (error) {
        toast(errorText(error), { kind: 'error' });
      }
    };
    const row = h('li', { class: 'person', testid: 'lobby-person', dataset: { userId: id } }, avatar(name), h('span', { class: 'person__name' }, name),
      h('span', { class: 'person__actions' },
        h('button', { class: 'button button--primary button--small', type: 'button', testid: 'lobby-admit', onclick: () => decide('admit') }, t('people.admit')),
        h('button', { class: 'button button--small', type: 'button', testid: 'lobby-deny', onclick: () => decide('deny') }, t('people.deny'))));
    this.waiting.set(id, row);
    this.lobby.append(row);
    this.lobbySection.hidden = false;
    this.onWaiting?.(this.waiting.size);
  }

  dropWaiting(id) {
    this.waiting.get(id)?.remove();
    this.waiting.delete(id);
    this.lobbySection.hidden = !this.waiting.size;
    this.onWaiting?.(this.waiting.size);
  }

  update() {
    const participants = [this.room.localParticipant, ...this.room.remoteParticipants.values()];
    this.title.textContent = t('people.title', { count: participants.length });
    this.list.replaceChildren(...participants.map((p) => this.row(p)));
  }

  row(participant) {
    const local = participant === this.room.localParticipant;
    const name = participantName(participant);
    const role = participantRole(participant);
    const status = [
      h('span', { class: `state ${participant.isMicrophoneEnabled ? '' : 'state--off'}`, role: 'img', 'aria-label': t(participant.isMicrophoneEnabled ? 'people.mic_on' : 'people.mic_off') }, icon(participant.isMicrophoneEnabled ? 'mic' : 'micOff')),
      h('span', { class: `state ${participant.isCameraEnabled ? '' : 'state--off'}`, role: 'img', 'aria-label': t(participant.isCameraEnabled ? 'people.cam_on' : 'people.cam_off') }, icon(participant.isCameraEnabled ? 'cam' : 'camOff')),
    ];
    const actions = [];
    if (this.isHost && !local) {
      const id = encodeURIComponent(participant.identity);
      const base = `/rooms/${encodeURIComponent(this.roomInfo.id)}/participants/${id}`;
      if (participant.isMicrophoneEnabled) {
        actions.push(h('button', { class: 'button button--small', type: 'button', testid: 'mute-participant', 'aria-label': t('people.mute', { name }),
          onclick: () => post(`${base}/mute`, { kind: 'audio' }).catch((e) => toast(errorText(e), { kind: 'error' })) }, t('people.mute_short')));
      }
      actions.push(h('button', { class: 'button button--small button--danger', type: 'button', testid: 'remove-participant', 'aria-label': t('people.remove', { name }),
        onclick: async () => {
          if (await confirmDialog({ title: t('people.remove_title'), message: t('people.remove_confirm', { name }), confirm: t('people.remove_short'), danger: true })) {
            post(`${base}/remove`).catch((e) => toast(errorText(e), { kind: 'error' }));
          }
        } }, t('people.remove_short')));
    }
    return h('li', { class: 'person', testid: 'person', dataset: { identity: participant.identity } },
      avatar(name),
      h('span', { class: 'person__name' }, local ? t('room.you', { name }) : name, role === 'host' ? h('span', { class: 'badge' }, t('people.host')) : null),
      h('span', { class: 'person__state' }, status),
      actions.length ? h('span', { class: 'person__actions' }, actions) : null);
  }

  show(open) {
    this.element.hidden = !open;
    if (open) this.update();
  }

  destroy() {
    this.offs.forEach((off) => off());
  }
}
