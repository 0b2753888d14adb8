// Participants panel: raised hands first (in the order raised), then everyone with mic/camera state and a menu
// per person (a private message; for hosts mute, role, remove); hosts also act on everyone and admit the waiting room.
import { h, icon } from '../dom.js';
import { lobby, rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { avatar, errorText, toast } from '../ui.js';
import { guestAccessPicker, guestBadge, isGuest } from './guestaccess.js';
import { menuButton } from './menu.js';
import { everyoneItems, participantRole, personMenu } from './moderation.js';
import { participantName } from './tile.js';

/** @import { Person } from '../endpoints.js' */
/** @import { CallRoom } from './call.js' */
/** @import { Participant, Room } from './livekit.js' */
/** @import { ModerationContext } from './moderation.js' */

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

/** The raised hands' section and the hosts' menu for everyone. @param {ModerationContext} moderation */
function handsAndEveryone(moderation) {
  const handList = h('ol', { class: 'people hands', testid: 'hand-queue' });
  const handSection = h(
    'section',
    { class: 'hands-section', hidden: true, 'aria-labelledby': 'hands-title' },
    h('h3', { class: 'panel__subtitle', id: 'hands-title' }, t('hands.title')),
    handList,
  );
  const everyone = menuButton(
    {
      testid: 'everyone-actions',
      label: t('moderation.everyone'),
      shape: 'more',
      text: t('moderation.everyone'),
      className: 'button button--small',
      placement: 'down',
      menuTestid: 'everyone-menu',
    },
    () => everyoneItems(moderation),
  );
  return { handList, handSection, everyone };
}

export class PeoplePanel {
  /**
   * @param {Room} room
   * @param {CallRoom} roomInfo kept up to date by room.updated
   * @param {{isHost: boolean, onClose: () => void, onWaiting: (count: number) => void, moderation: ModerationContext}} options
   */
  constructor(room, roomInfo, { isHost, onClose, onWaiting, moderation }) {
    this.room = room;
    this.moderation = moderation;
    this.onWaiting = onWaiting;
    this.roomInfo = roomInfo;
    this.isHost = isHost;
    /** @type {Map<string, HTMLLIElement>} the waiting room's rows by user id */
    this.waiting = new Map();
    /** @type {(() => void)[]} */
    this.offs = [];
    this.list = h('ul', { class: 'people', testid: 'people-list' });
    const { handList, handSection, everyone } = handsAndEveryone(moderation);
    this.handList = handList;
    this.handSection = handSection;
    this.everyone = everyone;
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
      h(
        'div',
        { class: 'panel__body' },
        isHost ? this.roomSwitches() : null,
        this.everyone.element,
        this.lobbySection,
        this.handSection,
        this.list,
      ),
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
      realtime.on('resync', () => this.loadLobby()),
    );
    this.loadLobby();
  }

  /** Who waits now, from the server: on opening, and after a `resync` (the events in between are gone). */
  loadLobby() {
    lobby
      .list(this.roomInfo.id)
      .then((answer) => {
        const waiting = new Set(answer.items.map((item) => item.user.id));
        for (const id of [...this.waiting.keys()]) if (!waiting.has(id)) this.dropWaiting(id);
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
    // An open menu in the list would vanish under the pointer: redraw once it is closed.
    if (this.element.querySelector('[aria-expanded=true]')) return;
    const everyone = [this.room.localParticipant, ...this.room.remoteParticipants.values()];
    this.title.textContent = t('people.title', { count: everyone.length });
    this.everyone.element.hidden = !this.moderation.isHost();
    this.list.replaceChildren(...everyone.map((p) => this.row(p)));
    this.updateHands(everyone);
  }

  /** The raised hands, first raised first, of the people here. @param {Participant[]} everyone */
  updateHands(everyone) {
    const byIdentity = new Map(everyone.map((p) => [p.identity, p]));
    const raised = this.moderation.hands.items.filter((item) => byIdentity.has(item.user.id));
    this.handSection.hidden = !raised.length;
    this.handList.replaceChildren(
      ...raised.map((item, i) => {
        const p = /** @type {Participant} */ (byIdentity.get(item.user.id));
        return h(
          'li',
          { class: 'person', testid: 'hand-item', dataset: { identity: p.identity } },
          h(
            'span',
            { class: 'hand-place', role: 'img', 'aria-label': t('hands.raised_place', { place: i + 1 }) },
            icon('hand'),
            String(i + 1),
          ),
          h('span', { class: 'person__name' }, participantName(p)),
          this.menuOf(p),
        );
      }),
    );
  }

  /** The person's menu button, when there is anything in it. @param {Participant} p */
  menuOf(p) {
    if (!personMenu(this.moderation, p).length) return null;
    const name = participantName(p);
    return menuButton(
      {
        testid: 'person-actions',
        label: t('people.menu', { name }),
        shape: 'more',
        placement: 'down',
        menuTestid: 'person-menu',
      },
      () => personMenu(this.moderation, p),
    ).element;
  }

  /** @param {Participant} participant */
  row(participant) {
    const local = participant === this.room.localParticipant;
    const name = participantName(participant);
    const role = participantRole(participant);
    const badge = role === 'host' || role === 'viewer' ? h('span', { class: 'badge' }, t(`people.${role}`)) : null;
    const hand = this.moderation.hands.position(participant.identity);
    return h(
      'li',
      { class: 'person', testid: 'person', dataset: { identity: participant.identity, role, hand: String(hand) } },
      avatar(name),
      h(
        'span',
        { class: 'person__name' },
        local ? t('room.you', { name }) : name,
        badge,
        isGuest(participant) && guestBadge(),
      ),
      h(
        'span',
        { class: 'person__state' },
        hand
          ? h(
              'span',
              { class: 'hand-place', role: 'img', 'aria-label': t('hands.raised_place', { place: hand }) },
              '✋',
            )
          : null,
        deviceState(participant.isMicrophoneEnabled, 'mic'),
        deviceState(participant.isCameraEnabled, 'cam'),
      ),
      this.menuOf(participant),
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
