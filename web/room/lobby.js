// The waiting room, seen from the person waiting: a screen that waits for the host's decision.
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import { rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';

/** @import { Room } from '../endpoints.js' */
/**
 * Admitted carries no media token (the event log keeps none): the page asks for one with rooms.mediaToken.
 * @typedef {{outcome: 'admitted', room: Room, role: string} | {outcome: 'denied'} | {outcome: 'ended'}} LobbyDecision
 */
/** @typedef {{decision: Promise<LobbyDecision>, cancel: () => void}} LobbyWait */
/** @typedef {(roomId: string) => Promise<{room: Room} | {room: Room, token: string, role: string}>} Knock */

/** @param {HTMLElement} view @param {Room} room */
function renderWaiting(view, room) {
  view.replaceChildren(
    h(
      'main',
      { class: 'outcome', testid: 'waiting-room' },
      h(
        'div',
        { class: 'outcome__card' },
        h('span', { class: 'spinner spinner--large', 'aria-hidden': 'true' }),
        h('h1', { class: 'outcome__title', testid: 'room-status' }, t('waiting.title')),
        h('p', { class: 'outcome__text' }, t('waiting.text', { name: room.name || room.id })),
        h('a', { class: 'button', href: '/', 'data-link': '', testid: 'waiting-cancel' }, t('common.cancel')),
      ),
    ),
  );
}

/** Knocks again: still waiting (202), let in (200), or turned away / the room ended (an error).
 * @param {Room} room @param {Knock} knock @param {(outcome: LobbyDecision) => void} decided */
function askAgain(room, knock, decided) {
  knock(room.id)
    .then((answer) => 'token' in answer && decided({ outcome: 'admitted', room: answer.room, role: answer.role }))
    .catch((error) => {
      const code = error instanceof ApiError ? error.code : '';
      if (code === 'forbidden') decided({ outcome: 'denied' });
      if (code === 'room_ended') decided({ outcome: 'ended' });
    });
}

/**
 * Shows the waiting screen in view until the host admits or denies me, or the room ends.
 * cancel() stops waiting and withdraws the request to join; the decision then never comes.
 * @param {HTMLElement} view
 * @param {Room} room
 * @param {Knock} [knock] how to knock again (a guest knocks as a guest)
 * @returns {LobbyWait}
 */
export function waitInLobby(view, room, knock = rooms.join) {
  renderWaiting(view, room);
  /** @type {(() => void)[]} */
  let offs = [];
  const stop = () => {
    for (const off of offs) off();
    offs = [];
  };
  /** @type {Promise<LobbyDecision>} */
  const decision = new Promise((resolve) => {
    /** @param {LobbyDecision} outcome */
    const decided = (outcome) => {
      stop();
      resolve(outcome);
    };
    offs = [
      realtime.on(
        'lobby.admitted',
        (data) => sameRoom(data.room.id, room.id) && decided({ outcome: 'admitted', room: data.room, role: data.role }),
      ),
      realtime.on('lobby.denied', (data) => sameRoom(data.room_id, room.id) && decided({ outcome: 'denied' })),
      realtime.on('room.ended', (data) => sameRoom(data.room_id, room.id) && decided({ outcome: 'ended' })),
      // The decision may be among the events the server could no longer replay: ask again (a knock
      // while waiting is free and keeps my place).
      realtime.on('resync', () => askAgain(room, knock, decided)),
      // A decision made before this socket was up is not replayed to a fresh socket: each time it comes
      // online, knock again.
      realtime.on('state', (state) => state === 'online' && askAgain(room, knock, decided)),
    ];
  });
  const cancel = () => {
    if (!offs.length) return;
    stop();
    rooms.leave(room.id).catch(() => {});
  };
  return { decision, cancel };
}
