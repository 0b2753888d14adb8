// Integrators' links: /r/<id>#token=<LiveKit token from POST /tokens> opens the call at once with that token.
// The fragment never reaches the server; it is taken off the address bar (a shared screen would show it) and
// kept in this tab's sessionStorage, so a reload still works. The page shows the room and the token's name.
import { guests } from '../endpoints.js';
import { t } from '../i18n.js';
import { normalizeRoomId } from '../roomcode.js';
import { readClaims } from '../tokens.js';
import { errorText } from '../ui.js';
import { renderLoading } from './outcome.js';

/** @import { Call, CallEntry } from './call.js' */
/** @import { RoomVisit } from './guestjoin.js' */
/** @import { TokenClaims } from '../tokens.js' */

const KEY = 'conference.link-token.';

/**
 * The token of this room's #token= link (read once from the fragment, then from this tab's storage).
 * @param {string} roomId
 * @returns {string | null}
 */
export function linkToken(roomId) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token');
  if (token) {
    sessionStorage.setItem(KEY + roomId, token);
    fragment.delete('token'); // an encrypted meeting's #key= stays where it is
    const rest = fragment.toString();
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    return token;
  }
  return sessionStorage.getItem(KEY + roomId);
}

/** @param {TokenClaims} claims @returns {string} */
function roleOf(claims) {
  try {
    return JSON.parse(claims.metadata || '{}').role || 'participant';
  } catch {
    return 'participant';
  }
}

/**
 * A call opened with someone else's token has no account behind it here: no chat (it lives on the server).
 * @param {Call} call
 */
export function withoutServerPanels(call) {
  call.controls.chat.hidden = true;
  call.chat.destroy();
}

/**
 * What is wrong with a link's token for this room, or null when it can be used.
 * @param {TokenClaims | null} claims @param {string} roomId
 */
function problemOf(claims, roomId) {
  if (!claims?.video?.room || !claims.sub) return t('link.unreadable');
  if (normalizeRoomId(claims.video.room) !== roomId) return t('link.other_room');
  if (claims.exp && claims.exp * 1000 < Date.now()) return t('link.expired');
  return null;
}

/**
 * The entry of a call with a #token= link's token: the room from the public preview, the rest from the token.
 * @param {string} roomId @param {string} token
 * @returns {Promise<{entry: CallEntry, identity: string} | string>} the entry, or why there is none
 */
export async function linkEntry(roomId, token) {
  const claims = readClaims(token);
  const problem = problemOf(claims, roomId);
  if (problem || !claims?.sub) return problem || t('link.unreadable');
  let room;
  try {
    room = await guests.preview(roomId);
  } catch (error) {
    return errorText(error);
  }
  if (room.status === 'ended') return t('outcome.ended_text');
  const info = { id: room.id, name: room.name || room.id, e2ee: room.e2ee };
  const entry = { room: info, role: roleOf(claims), token, livekit_url: room.livekit_url, autoMedia: true };
  return { entry, identity: claims.sub };
}

/**
 * Opens the call of a #token= link straight away.
 * @param {RoomVisit & {enterAs: (entry: CallEntry, identity: string) => Promise<Call | null>}} visit
 * @param {string} token
 */
export async function enterWithLinkToken(visit, token) {
  renderLoading(visit.view, t('room.connecting'));
  const found = await linkEntry(visit.roomId, token);
  if (typeof found === 'string') {
    sessionStorage.removeItem(KEY + visit.roomId);
    return visit.showOutcome('error', found);
  }
  const call = await visit.enterAs(found.entry, found.identity).catch((error) => {
    visit.showOutcome('media', errorText(error));
    return null;
  });
  if (call) withoutServerPanels(call);
}
