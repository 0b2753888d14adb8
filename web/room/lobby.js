// The waiting room, seen from the person waiting: a screen that waits for the host's decision.
import { h } from '../dom.js';
import { rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';

/** @import { Joined, Room } from '../endpoints.js' */
/** @typedef {{outcome: 'admitted', grant: Joined} | {outcome: 'denied'} | {outcome: 'ended'}} LobbyDecision */
/** @typedef {{decision: Promise<LobbyDecision>, cancel: () => void}} LobbyWait */

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

/**
 * Shows the waiting screen in view until the host admits or denies me, or the room ends.
 * cancel() stops waiting and withdraws the request to join; the decision then never comes.
 * @param {HTMLElement} view
 * @param {Room} room
 * @returns {LobbyWait}
 */
export function waitInLobby(view, room) {
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
        (grant) => sameRoom(grant.room.id, room.id) && decided({ outcome: 'admitted', grant }),
      ),
      realtime.on('lobby.denied', (data) => sameRoom(data.room_id, room.id) && decided({ outcome: 'denied' })),
      realtime.on('room.ended', (data) => sameRoom(data.room_id, room.id) && decided({ outcome: 'ended' })),
    ];
  });
  const cancel = () => {
    if (!offs.length) return;
    stop();
    rooms.leave(room.id).catch(() => {});
  };
  return { decision, cancel };
}
