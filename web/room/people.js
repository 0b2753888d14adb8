// Participants panel: who is here with mic/camera state; the host can mute or remove people and admit the waiting room.
import { h, icon } from '../dom.js';
import { lobby, participants, rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { avatar, confirmDialog, errorText, toast } from '../ui.js';
import { guestAccessPicker, guestBadge, isGuest } from './guestaccess.js';
import { participantName, participantRole } from './stage.js';

/** @import { Person } from '../endpoints.js' */
/** @import { CallRoom } from './call.js' */
/** @import { Participant, Room } from './livekit.js' */

/** @param {unknown} error */
const complain = (error) => toast(errorText(error), { kind: 'error' });

/** @param {boolean} on @param {'mic' | 'cam'} kind */
function deviceState(on, kind) {
  const mic = kind === 'mic';
  const label = mic ? t(on ? 'people.mic_on' : 'people.mic_off') : t(on ? 'people.cam_on' : 'people.cam_off');
  const shape = mic ? (on ? 'mic' : 'micOff') : on ? 'cam' : 'camOff';
  return h('span', { class: `state ${on ? '' : 'state--off'}`, role: 'img', 'aria-label': label }, icon(shape));
}

/** @param {Person} person @param {(verb: 'admit' | 'deny') => void} decide */
function waitingRow(person, decide) {
  const name = person.display_name || person.login || person.id;
  return h(
    'li',
    { class: 'person', testid: 'lobby-person', dataset: { userId: person.id } },
    avatar(name),
    h('span', { class: 'person__name' }, name, person.guest && guestBadge()),
    h(
      'span',
      { class: 'person__actions' },
      h(
        'button',
        {
          class: 'button button--primary button--small',
          type: 'button',
          testid: 'lobby-admit',
          onclick: () => decide('admit'),
        },
        t('people.admit'),
      ),
      h(
        'button',
        { class: 'button button--small', type: 'button', testid: 'lobby-deny', onclick: () => decide('deny') },
        t('people.deny'),
      ),
    ),
  );
}

export class PeoplePanel {
  /**
   * @param {Room} room
   * @param {CallRoom} roomInfo kept up to date by room.updated
   * @param {{isHost: boolean, onClose: () => void, onWaiting: (count: number) => void}} options
   */
  constructor(room, roomInfo, { isHost, onClose, onWaiting }) {
    this.room = room;
    this.onWaiting = onWaiting;
    this.roomInfo = roomInfo;
    this.isHost = isHost;
    /** @type {Map<string, HTMLLIElement>} the waiting room's rows by user id */
    this.waiting = new Map();
    /** @type {(() => void)[]} */
    this.offs = [];
    this.list = h('ul', { class: 'people', testid: 'people-list' });
    this.lobby = h('ul', { class: 'people', testid: 'lobby-list' });
    this.lobbySection = h(
      'section',
      { class: 'lobby', hidden: true, 'aria-labelledby': 'lobby-title' },
      h('h3', { class: 'panel__subtitle', id: 'lobby-title' }, t('people.waiting')),
      this.lobby,
    );
    this.title = h('h2', { class: 'panel__title', id: 'people-title' });
    this.element = h(
      'aside',
      { class: 'panel', testid: 'people-panel', 'aria-labelledby': 'people-title', hidden: true },
      h(
        'header',
        { class: 'panel__header' },
        this.title,
        h(
          'button',
          {
            class: 'icon-button',
            type: 'button',
            testid: 'people-close',
            'aria-label': t('common.close'),
            onclick: onClose,
          },
          icon('close'),
        ),
      ),
      h('div', { class: 'panel__body' }, isHost ? this.roomSwitches() : null, this.lobbySection, this.list),
    );
    if (isHost) this.watchLobby();
    this.update();
  }

  /** Hosts see who waits: the list now, then lobby.request and lobby.resolved events. */
  watchLobby() {
    const here = (/** @type {string} */ roomId) => sameRoom(roomId, this.roomInfo.id);
    this.offs.push(
      realtime.on('lobby.request', (data) => {
        if (!here(data.room_id)) return;
        this.addWaiting(data.user);
        toast(t('people.wants_in', { name: data.user.display_name || data.user.login || '' }));
      }),
      // Another host (or the person themselves) settled it: drop them from this queue.
      realtime.on('lobby.resolved', (data) => here(data.room_id) && this.dropWaiting(data.user.id)),
    );
    lobby
      .list(this.roomInfo.id)
      .then((answer) => {
        for (const item of answer.items) this.addWaiting(item.user);
      })
      .catch(() => {});
  }

  /** Host switches: lock the meeting (no new joins) and the waiting room; kept in step by room.updated. */
  roomSwitches() {
    /** @param {'locked' | 'waiting_room'} field @param {string} label */
    const toggle = (field, label) => {
      const input = h('input', {
        type: 'checkbox',
        class: 'switch__input',
        testid: `room-${field}`,
        checked: Boolean(this.roomInfo[field]),
      });
      input.addEventListener('change', async () => {
        try {
          Object.assign(this.roomInfo, await rooms.update(this.roomInfo.id, { [field]: input.checked }));
        } catch (error) {
          input.checked = !input.checked;
          complain(error);
        }
      });
      return { input, element: h('label', { class: 'switch' }, input, h('span', {}, label)) };
    };
    const locked = toggle('locked', t('people.lock'));
    const waiting = toggle('waiting_room', t('people.waiting_room'));
    const guests = guestAccessPicker(this.roomInfo);
    this.offs.push(guests.stop);
    this.offs.push(
      realtime.on('room.updated', (room) => {
        if (!sameRoom(room.id, this.roomInfo.id)) return;
        Object.assign(this.roomInfo, room);
        locked.input.checked = Boolean(room.locked);
        waiting.input.checked = Boolean(room.waiting_room);
      }),
    );
    return h('div', { class: 'room-switches' }, locked.element, waiting.element, guests.element);
  }

  /** @param {Person} person */
  addWaiting(person) {
    if (this.waiting.has(person.id)) return;
    const row = waitingRow(person, async (verb) => {
      try {
        await lobby[verb](this.roomInfo.id, person.id);
        this.dropWaiting(person.id);
      } catch (error) {
        complain(error);
      }
    });
    this.waiting.set(person.id, row);
    this.lobby.append(row);
    this.lobbySection.hidden = false;
    this.onWaiting(this.waiting.size);
  }

  /** @param {string} id */
  dropWaiting(id) {
    this.waiting.get(id)?.remove();
    this.waiting.delete(id);
    this.lobbySection.hidden = !this.waiting.size;
    this.onWaiting(this.waiting.size);
  }

  update() {
    const everyone = [this.room.localParticipant, ...this.room.remoteParticipants.values()];
    this.title.textContent = t('people.title', { count: everyone.length });
    this.list.replaceChildren(...everyone.map((p) => this.row(p)));
  }

  /** What a host may do to someone else: mute their microphone, remove them. @param {Participant} participant */
  hostActions(participant) {
    const name = participantName(participant);
    const roomId = this.roomInfo.id;
    const userId = participant.identity;
    const remove = async () => {
      const message = t('people.remove_confirm', { name });
      const sure = await confirmDialog({
        title: t('people.remove_title'),
        message,
        confirm: t('people.remove_short'),
        danger: true,
      });
      if (sure) participants.remove(roomId, userId).catch(complain);
    };
    const mute = () => participants.mute(roomId, userId, 'audio').catch(complain);
    return [
      participant.isMicrophoneEnabled
        ? h(
            'button',
            {
              class: 'button button--small',
              type: 'button',
              testid: 'mute-participant',
              'aria-label': t('people.mute', { name }),
              onclick: mute,
            },
            t('people.mute_short'),
          )
        : null,
      h(
        'button',
        {
          class: 'button button--small button--danger',
          type: 'button',
          testid: 'remove-participant',
          'aria-label': t('people.remove', { name }),
          onclick: remove,
        },
        t('people.remove_short'),
      ),
    ];
  }

  /** @param {Participant} participant */
  row(participant) {
    const local = participant === this.room.localParticipant;
    const name = participantName(participant);
    const host = participantRole(participant) === 'host' ? h('span', { class: 'badge' }, t('people.host')) : null;
    const actions =
      this.isHost && !local ? h('span', { class: 'person__actions' }, this.hostActions(participant)) : null;
    return h(
      'li',
      { class: 'person', testid: 'person', dataset: { identity: participant.identity } },
      avatar(name),
      h(
        'span',
        { class: 'person__name' },
        local ? t('room.you', { name }) : name,
        host,
        isGuest(participant) && guestBadge(),
      ),
      h(
        'span',
        { class: 'person__state' },
        deviceState(participant.isMicrophoneEnabled, 'mic'),
        deviceState(participant.isCameraEnabled, 'cam'),
      ),
      actions,
    );
  }

  /** @param {boolean} open */
  show(open) {
    this.element.hidden = !open;
    if (open) this.update();
  }

  destroy() {
    for (const off of this.offs) off();
  }
}
