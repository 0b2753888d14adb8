// /r/<room-id>: look the room up, pre-join (preview), join through the API (maybe via the waiting room), then the call.
// Someone not signed in joins as a guest (room/guestjoin.js); a #token= link opens the call at once (room/tokenlink.js).
import { ApiError, getGuestSession, updateStoredUser } from '../api.js';
import { h } from '../dom.js';
import { rooms, users } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { Call } from '../room/call.js';
import { canEncrypt } from '../room/e2ee.js';
import { startAsGuest } from '../room/guestjoin.js';
import { waitInLobby } from '../room/lobby.js';
import { renderLoading, renderOutcome } from '../room/outcome.js';
import { prejoin } from '../room/prejoin.js';
import { showNotStarted, startsAtOf } from '../room/schedule.js';
import { enterWithLinkToken, linkToken } from '../room/tokenlink.js';
import { keyFromLocation, normalizeRoomId } from '../roomcode.js';
import { errorText } from '../ui.js';

/** @import { PageContext } from '../app.js' */
/** @import { AcceptedCall, Room, RoomDetails } from '../endpoints.js' */
/** @import { CallEntry } from '../room/call.js' */
/** @import { LocalTrack } from '../room/livekit.js' */
/** @import { OutcomeReason, ShowOutcome } from '../room/outcome.js' */
/** @import { PrejoinChoice } from '../room/prejoin.js' */
/** @typedef {(LocalTrack | null)[]} Tracks */

/** @type {Record<string, OutcomeReason | undefined>} */
const OUTCOME_FOR_ERROR = {
  not_found: 'not_found',
  room_full: 'full',
  room_ended: 'ended',
  removed: 'removed',
  room_locked: 'locked',
};

/** @param {unknown} error @returns {OutcomeReason | null} */
function outcomeForError(error) {
  if (!(error instanceof ApiError)) return null;
  return OUTCOME_FOR_ERROR[error.code] || (error.status === 404 ? 'not_found' : null);
}

/** @param {Tracks} tracks */
const stopTracks = (tracks) => {
  for (const track of tracks) track?.stop();
};

/** One visit of a room page, from looking the room up to the end of the call. */
class RoomPage {
  /** @param {HTMLElement} root @param {PageContext} ctx */
  constructor(root, ctx) {
    this.ctx = ctx;
    this.roomId = normalizeRoomId(ctx.params[0]);
    /** The passphrase of an encrypted meeting, from the link's #key= (it stays in this browser). */
    this.e2eeKey = keyFromLocation();
    // Kept through signing in, the key goes back into this page's address, so the invite link carries it.
    if (this.e2eeKey && !location.hash) {
      history.replaceState(history.state, '', `${location.pathname}#key=${encodeURIComponent(this.e2eeKey)}`);
    }
    this.view = h('div', { class: 'room-page' });
    root.replaceChildren(this.view);
    /** @type {(() => void) | null} */
    this.stopPreview = null;
    /** @type {Call | null} */
    this.call = null;
    /** @type {(() => void) | null} */
    this.stopWaiting = null;
    this.gone = false;
  }

  /** @param {OutcomeReason} reason @param {string | null} [detail] */
  showOutcome(reason, detail) {
    if (this.gone) return;
    this.call = null;
    renderOutcome(this.view, { reason, detail, vars: { id: this.roomId }, onRejoin: () => this.ctx.rerender() });
  }

  /** @param {unknown} error */
  fail(error) {
    this.showOutcome(outcomeForError(error) || 'error', errorText(error));
  }

  async start() {
    const linked = linkToken(this.roomId);
    if (linked) return enterWithLinkToken(this, linked);
    if (!this.ctx.user) return startAsGuest(this);
    const { directJoin, autoJoin } = this.ctx.state;
    // A call's one-time hand-over: a reload later should show the pre-join screen, not reuse it.
    if (directJoin || autoJoin) history.replaceState({}, '', location.pathname + location.hash);
    if (directJoin) return this.enterDirectCall(directJoin);
    const room = await this.lookUp();
    if (!room) return;
    if (autoJoin) {
      renderLoading(this.view, t('room.connecting'));
      return this.join(room, [], true).catch((error) => this.fail(error));
    }
    this.stopPreview = prejoin(this.view, {
      room,
      user: this.ctx.user,
      onBack: () => this.ctx.navigate('/'),
      onJoin: (choice) => this.joinFromPreview(room, choice),
    });
  }

  /**
   * The room, or null when there is nothing to join (an outcome screen says why).
   * @returns {Promise<RoomDetails | null>}
   */
  async lookUp() {
    renderLoading(this.view, t('room.looking_up'));
    let room;
    try {
      room = await rooms.get(this.roomId);
    } catch (error) {
      const outcome = outcomeForError(error);
      this.showOutcome(outcome || 'error', outcome ? null : errorText(error));
      return null;
    }
    if (this.gone) return null;
    if (room.status === 'ended') {
      this.showOutcome('ended');
      return null;
    }
    // An encrypted meeting cannot be joined without its key, nor by a browser that cannot encrypt.
    if (room.e2ee && !this.e2eeKey) {
      this.showOutcome('no_key');
      return null;
    }
    if (room.e2ee && !canEncrypt()) {
      this.showOutcome('no_e2ee');
      return null;
    }
    if (room.id !== this.ctx.params[0]) {
      history.replaceState(history.state, '', `/r/${encodeURIComponent(room.id)}${location.hash}`);
    }
    return room;
  }

  /**
   * An accepted direct call: the grant came with the accept answer, so no preview and no join.
   * @param {AcceptedCall} grant
   */
  async enterDirectCall(grant) {
    renderLoading(this.view, t('room.connecting'));
    const room = await rooms.get(grant.room_id).catch(() => ({ id: grant.room_id, name: '', host_id: null }));
    return this.enter({ ...grant, room, role: 'participant', autoMedia: true }, []);
  }

  /** @param {Room} room @param {PrejoinChoice} choice */
  async joinFromPreview(room, { displayName, videoTrack, audioTrack }) {
    await this.saveName(displayName);
    try {
      await this.join(room, [audioTrack, videoTrack], false);
    } catch (error) {
      const startsAt = startsAtOf(error);
      const outcome = outcomeForError(error);
      if (!outcome && !startsAt)
        throw new Error(error instanceof ApiError ? errorText(error) : t('error.media_connect'));
      stopTracks([videoTrack, audioTrack]);
      if (startsAt) this.stopWaiting = showNotStarted(this.view, this.roomId, startsAt, () => this.ctx.rerender());
      else if (outcome) this.showOutcome(outcome);
    }
  }

  /** The name typed in the preview becomes my display name. @param {string} displayName */
  async saveName(displayName) {
    const user = this.ctx.user;
    if (!user || displayName === (user.display_name || user.login)) return;
    try {
      const updated = await users.updateMe({ display_name: displayName });
      updateStoredUser(updated);
      this.ctx.user = updated;
    } catch {
      /* the name is a nicety; join anyway */
    }
  }

  /**
   * POST /join; a room with a waiting room answers 202 and I wait for the host.
   * @param {Room} room @param {Tracks} tracks @param {boolean} autoMedia
   */
  async join(room, tracks, autoMedia) {
    const answer = await rooms.join(room.id);
    if (!('token' in answer)) return this.waitForHost(room, tracks);
    return this.enter({ ...answer, autoMedia, e2eeKey: this.e2eeKey }, tracks);
  }

  /** @param {Room} room @param {Tracks} tracks */
  async waitForHost(room, tracks) {
    const lobby = waitInLobby(this.view, room);
    this.stopWaiting = () => {
      lobby.cancel();
      stopTracks(tracks);
    };
    const decision = await lobby.decision;
    this.stopWaiting = null;
    if (decision.outcome !== 'admitted') {
      stopTracks(tracks);
      return this.showOutcome(decision.outcome);
    }
    try {
      const grant = await rooms.mediaToken(room.id);
      await this.enter({ ...grant, room: decision.room, role: decision.role, e2eeKey: this.e2eeKey }, tracks);
    } catch (error) {
      stopTracks(tracks);
      this.fail(error);
    }
  }

  /** @param {CallEntry} entry @param {Tracks} tracks */
  async enter(entry, tracks) {
    const guest = getGuestSession();
    await this.enterAs(entry, this.ctx.user?.id || guest?.id || '', tracks);
  }

  /**
   * Opens the call as `identity` (a user, a guest, or whoever a #token= link's token names).
   * @param {CallEntry} entry @param {string} identity @param {Tracks} [tracks]
   * @returns {Promise<Call | null>}
   */
  async enterAs(entry, identity, tracks = []) {
    if (this.gone) return null;
    /** @type {ShowOutcome} */
    const onOutcome = (reason, detail) => this.showOutcome(reason, detail);
    const join = { ...entry, e2eeKey: entry.e2eeKey ?? this.e2eeKey };
    this.call = await Call.start(this.view, { join, tracks, user: { id: identity }, onOutcome });
    if (this.gone) this.call.leave();
    return this.call;
  }

  /** The page is closing: stop whatever this visit started, and leave the room. */
  async leave() {
    this.gone = true;
    this.stopPreview?.();
    this.stopWaiting?.();
    if (!this.ctx.user) realtime.stop(); // a guest's socket serves this page only
    if (!this.call) return;
    const leaving = this.call;
    this.call = null;
    await leaving.leave();
    rooms.leave(this.roomId).catch(() => {});
  }
}

/** @param {HTMLElement} root @param {PageContext} ctx */
export function render(root, ctx) {
  const page = new RoomPage(root, ctx);
  page.start().catch((error) => page.fail(error));
  return () => page.leave();
}
