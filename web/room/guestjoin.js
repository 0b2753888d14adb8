// Joining without an account: the pre-join asks for a name ("Join as guest", with "Sign in" beside it); the
// guest then waits in the lobby or goes straight in. The guest's session lives in this tab (sessionStorage).
import { ApiError, getGuestSession } from '../api.js';
import { h } from '../dom.js';
import { guests } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { errorText } from '../ui.js';
import { canEncrypt } from './e2ee.js';
import { waitInLobby } from './lobby.js';
import { renderLoading } from './outcome.js';
import { prejoin } from './prejoin.js';
import { showNotStarted, startsAtOf } from './schedule.js';

/** @import { GuestAnswer, RoomPreview } from '../endpoints.js' */
/** @import { CallEntry } from './call.js' */
/** @import { LocalTrack } from './livekit.js' */
/** @import { OutcomeReason } from './outcome.js' */
/** @import { PrejoinChoice } from './prejoin.js' */
/**
 * What the room page lends the guest flow (pages/room.js's RoomPage has all of it).
 * @typedef {object} RoomVisit
 * @property {HTMLElement} view
 * @property {string} roomId
 * @property {(reason: OutcomeReason, detail?: string | null) => void} showOutcome
 * @property {(entry: CallEntry, tracks: (LocalTrack | null)[]) => Promise<void>} enter
 * @property {(() => void) | null} stopPreview
 * @property {(() => void) | null} stopWaiting
 * @property {string | null} [e2eeKey] an encrypted meeting's passphrase, from the link's #key=
 */

/** @type {Record<string, OutcomeReason>} */
const OUTCOME_FOR_ERROR = {
  not_found: 'not_found',
  room_ended: 'ended',
  removed: 'removed',
  forbidden: 'denied',
  room_locked: 'locked',
  room_full: 'full',
};

/** @param {(LocalTrack | null)[]} tracks */
const stopTracks = (tracks) => {
  for (const track of tracks) track?.stop();
};

/** The screen for a room that lets no guests in: sign in, or go back. @param {HTMLElement} view @param {string} roomId */
function renderGuestsOff(view, roomId) {
  const next = `/login?next=${encodeURIComponent(`/r/${roomId}`)}`;
  const title = h('h1', { class: 'outcome__title', testid: 'room-status', tabindex: '-1' }, t('guest.off_title'));
  view.replaceChildren(
    h(
      'main',
      { class: 'outcome', testid: 'room-outcome', dataset: { reason: 'guests_off' } },
      h(
        'div',
        { class: 'outcome__card' },
        title,
        h('p', { class: 'outcome__text' }, t('guest.off_text')),
        h(
          'div',
          { class: 'outcome__actions' },
          h(
            'a',
            { class: 'button button--primary', href: next, 'data-link': '', testid: 'guest-sign-in' },
            t('guest.sign_in'),
          ),
        ),
      ),
    ),
  );
  title.focus();
}

/** Why the server refuses this guest now (its socket closed for good): ask it once more. @param {string} roomId */
async function refusal(roomId) {
  try {
    await guests.join(roomId, getGuestSession()?.display_name || t('guest.someone'));
    return /** @type {OutcomeReason} */ ('disconnected');
  } catch (error) {
    return (error instanceof ApiError && OUTCOME_FOR_ERROR[error.code]) || 'disconnected';
  }
}

/**
 * Waits in the lobby; once admitted, joins again for the media token (the admission carries none).
 * @param {RoomVisit} visit @param {GuestAnswer} answer @param {string} displayName @param {(LocalTrack | null)[]} tracks
 */
async function waitForHost(visit, answer, displayName, tracks) {
  const knock = (/** @type {string} */ roomId) => guests.join(roomId, displayName);
  const lobby = waitInLobby(visit.view, answer.room, knock);
  // A guest turned away (or whose room ended) loses its session: the socket closes for good.
  /** @type {() => void} */
  let off = () => {};
  const closed = new Promise((resolve) => {
    off = realtime.on('state', (state) => state === 'offline' && !realtime.wanted && resolve(null));
  });
  visit.stopWaiting = () => {
    off();
    lobby.cancel();
    stopTracks(tracks);
  };
  const decision = await Promise.race([lobby.decision, closed.then(() => null)]);
  off();
  visit.stopWaiting = null;
  if (decision?.outcome === 'admitted') {
    const again = await knock(visit.roomId).catch(() => null);
    if (again && 'token' in again) return visit.enter({ ...again, autoMedia: false }, tracks);
  }
  stopTracks(tracks);
  lobby.cancel();
  const refused = decision && decision.outcome !== 'admitted' ? decision.outcome : null;
  visit.showOutcome(refused || (await refusal(visit.roomId)));
}

/**
 * Joins as a guest with the name (and the preview's tracks) chosen; the outcome screen tells a refusal.
 * @param {RoomVisit} visit @param {PrejoinChoice} choice
 */
export async function joinAsGuest(visit, { displayName, videoTrack, audioTrack }) {
  const tracks = [audioTrack, videoTrack];
  /** @type {GuestAnswer} */
  let answer;
  try {
    answer = await guests.join(visit.roomId, displayName);
  } catch (error) {
    const startsAt = startsAtOf(error);
    const outcome = error instanceof ApiError ? OUTCOME_FOR_ERROR[error.code] : undefined;
    if (!outcome && !startsAt) throw new Error(errorText(error));
    stopTracks(tracks);
    if (startsAt) {
      visit.stopWaiting = showNotStarted(visit.view, visit.roomId, startsAt, () => location.reload());
      return;
    }
    return visit.showOutcome(outcome || 'error');
  }
  realtime.start();
  if (!('token' in answer)) return waitForHost(visit, answer, displayName, tracks);
  return visit.enter({ ...answer, autoMedia: false }, tracks);
}

/** @param {RoomVisit} visit @param {RoomPreview} room */
function showGuestPrejoin(visit, room) {
  const signIn = h(
    'a',
    {
      class: 'button button--ghost button--wide',
      href: `/login?next=${encodeURIComponent(`/r/${room.id}`)}`,
      'data-link': '',
      testid: 'prejoin-sign-in',
    },
    t('guest.sign_in'),
  );
  visit.stopPreview = prejoin(visit.view, {
    room,
    user: null,
    name: getGuestSession()?.room_id === room.id ? getGuestSession()?.display_name : '',
    joinLabel: t('guest.join'),
    beside: signIn,
    onBack: () => history.back(),
    onJoin: (choice) => joinAsGuest(visit, choice),
  });
}

/**
 * The room page of someone who is not signed in: the public preview, then the guest pre-join.
 * @param {RoomVisit} visit
 */
export async function startAsGuest(visit) {
  renderLoading(visit.view, t('room.looking_up'));
  /** @type {RoomPreview} */
  let room;
  try {
    room = await guests.preview(visit.roomId);
  } catch (error) {
    const outcome = error instanceof ApiError ? OUTCOME_FOR_ERROR[error.code] : undefined;
    return visit.showOutcome(outcome || 'error', outcome ? null : errorText(error));
  }
  if (room.status === 'ended') return visit.showOutcome('ended');
  if (room.guest_access === 'off') return renderGuestsOff(visit.view, room.id);
  // An encrypted meeting cannot be joined without its key, nor by a browser that cannot encrypt.
  if (room.e2ee && !visit.e2eeKey) return visit.showOutcome('no_key');
  if (room.e2ee && !canEncrypt()) return visit.showOutcome('no_e2ee');
  if (getGuestSession()?.room_id !== room.id) guests.forget();
  showGuestPrejoin(visit, room);
}
