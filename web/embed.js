// /embed/<room-id>: the call alone, inside an integrator's <iframe>, driven with postMessage (docs/embedding.md).
// Only the origins the server lists in the page (its API key's allowed_origins, also enforced by the browser through
// CSP frame-ancestors) may send commands, and events go to that origin only, never to '*'.
import './storagefallback.js'; // first: the modules below read storage as they load
import { getGuestSession } from './api.js';
import { h } from './dom.js';
import { initI18n, t } from './i18n.js';
import { Call } from './room/call.js';
import { joinAsGuest } from './room/guestjoin.js';
import { RoomEvent } from './room/livekit.js';
import { renderLoading, renderOutcome } from './room/outcome.js';
import { linkEntry, linkToken, withoutServerPanels } from './room/tokenlink.js';
import { keyFromLocation, normalizeRoomId } from './roomcode.js';
import { errorText } from './ui.js';

/** @import { CallEntry } from './room/call.js' */
/** @import { LocalTrack, Participant } from './room/livekit.js' */
/** @import { OutcomeReason } from './room/outcome.js' */
/**
 * A command from the embedding page.
 * @typedef {{type: 'join', token?: string, display_name?: string} | {type: 'leave' | 'toggle-audio' | 'toggle-video' | 'ping'}} Command
 */

const ALLOWED = (document.querySelector('meta[name=conference-embed-origins]')?.getAttribute('content') || '')
  .split(' ')
  .filter(Boolean);

/** Talks to the embedding page: its origin is learned once (from the browser, or its first command). */
class Channel {
  constructor() {
    const ancestor = location.ancestorOrigins?.[0];
    /** @type {string | null} */
    this.target = ancestor && ALLOWED.includes(ancestor) ? ancestor : null;
  }

  /** @param {MessageEvent} event @returns {boolean} whether the message may be obeyed */
  accepts(event) {
    if (event.source !== window.parent || window.parent === window || !ALLOWED.includes(event.origin)) return false;
    this.target ??= event.origin;
    return event.origin === this.target;
  }

  /** @param {string} type @param {Record<string, unknown>} [data] */
  post(type, data = {}) {
    if (this.target && window.parent !== window) {
      window.parent.postMessage({ source: 'conference', type, ...data }, this.target);
    }
  }
}

/** @param {Participant} participant */
const who = (participant) => ({ identity: participant.identity, name: participant.name || participant.identity });

class EmbeddedCall {
  /** @param {HTMLElement} view @param {string} roomId @param {Channel} channel */
  constructor(view, roomId, channel) {
    this.view = view;
    this.roomId = roomId;
    this.channel = channel;
    /** @type {Call | null} */
    this.call = null;
    /** @type {(() => void) | null} */
    this.stopPreview = null;
    /** @type {(() => void) | null} */
    this.stopWaiting = null;
    /** An encrypted meeting's passphrase, when the frame's src carries #key=. */
    this.e2eeKey = keyFromLocation(false);
  }

  /** @param {OutcomeReason} reason @param {string | null} [detail] */
  showOutcome(reason, detail) {
    const wasIn = Boolean(this.call);
    this.call = null;
    renderOutcome(this.view, { reason, detail, vars: { id: this.roomId } });
    if (reason === 'ended' || reason === 'ended_by_me') this.channel.post('ended', { room_id: this.roomId });
    else if (wasIn) this.channel.post('left', { room_id: this.roomId, reason });
    else this.channel.post('error', { code: reason, message: detail || t(`outcome.${reason}_title`) });
  }

  /**
   * A guest's way in (room/guestjoin.js calls it): camera and microphone on, as there was no preview.
   * @param {CallEntry} entry @param {(LocalTrack | null)[]} tracks
   */
  async enter(entry, tracks) {
    await this.enterAs({ ...entry, autoMedia: true }, getGuestSession()?.id || '', tracks);
  }

  /** @param {CallEntry} entry @param {string} identity @param {(LocalTrack | null)[]} [tracks] */
  async enterAs(entry, identity, tracks = []) {
    const onOutcome = (/** @type {OutcomeReason} */ reason, /** @type {string | null | undefined} */ detail) =>
      this.showOutcome(reason, detail);
    const join = { ...entry, e2eeKey: entry.e2eeKey ?? this.e2eeKey };
    const call = await Call.start(this.view, { join, tracks, user: { id: identity }, onOutcome });
    this.call = call;
    this.channel.post('joined', { room_id: this.roomId, ...who(call.room.localParticipant) });
    for (const participant of call.room.remoteParticipants.values()) {
      this.channel.post('participant-joined', who(participant));
    }
    this.watch(call);
    return call;
  }

  /** Tells the page who comes and goes, and my microphone and camera now and whenever they change. @param {Call} call */
  watch(call) {
    const media = () => {
      const me = call.room.localParticipant;
      this.channel.post('media', { audio: me.isMicrophoneEnabled, video: me.isCameraEnabled });
    };
    media();
    call.room
      .on(RoomEvent.ParticipantConnected, (p) => this.channel.post('participant-joined', who(p)))
      .on(RoomEvent.ParticipantDisconnected, (p) => this.channel.post('participant-left', who(p)))
      .on(RoomEvent.LocalTrackPublished, media)
      .on(RoomEvent.LocalTrackUnpublished, media)
      .on(RoomEvent.TrackMuted, media)
      .on(RoomEvent.TrackUnmuted, media);
  }

  /** @param {string} token */
  async joinWithToken(token) {
    renderLoading(this.view, t('room.connecting'));
    const found = await linkEntry(this.roomId, token);
    if (typeof found === 'string') return this.showOutcome('error', found);
    const call = await this.enterAs(found.entry, found.identity).catch((error) => {
      this.showOutcome('media', errorText(error));
      return null;
    });
    if (call) withoutServerPanels(call);
  }

  /** @param {string} name */
  async joinAsGuest(name) {
    renderLoading(this.view, t('room.connecting'));
    try {
      await joinAsGuest(this, { displayName: name, videoTrack: null, audioTrack: null });
    } catch (error) {
      this.showOutcome('error', errorText(error));
    }
  }

  /** @param {Command} command */
  obey(command) {
    const call = this.call;
    if (command.type === 'ping') return this.channel.post('ready', { room_id: this.roomId, joined: Boolean(call) });
    if (command.type === 'join') {
      if (call || this.stopWaiting) return this.channel.post('error', { code: 'already_joined', message: '' });
      if (command.token) return this.joinWithToken(command.token);
      if (command.display_name) return this.joinAsGuest(String(command.display_name).slice(0, 64));
      return this.channel.post('error', { code: 'validation_failed', message: 'join needs token or display_name' });
    }
    if (!call) return this.channel.post('error', { code: 'not_joined', message: '' });
    if (command.type === 'leave') return call.leave();
    if (command.type === 'toggle-audio') return call.controls.mic.click();
    if (command.type === 'toggle-video') return call.controls.camera.click();
  }
}

function waitingScreen() {
  return h(
    'main',
    { class: 'outcome', testid: 'embed-waiting' },
    h('div', { class: 'outcome__card' }, h('p', { class: 'outcome__text' }, t('embed.waiting'))),
  );
}

async function start() {
  await initI18n();
  document.title = t('app.name');
  const view = /** @type {HTMLElement} */ (document.getElementById('app'));
  const roomId = normalizeRoomId(location.pathname.split('/')[2] || '');
  const channel = new Channel();
  const embedded = new EmbeddedCall(view, roomId, channel);
  window.addEventListener('message', (event) => {
    if (!channel.accepts(event) || typeof event.data?.type !== 'string') return;
    embedded.obey(/** @type {Command} */ (event.data));
  });
  view.replaceChildren(waitingScreen());
  channel.post('ready', { room_id: roomId, joined: false });
  const token = linkToken(roomId);
  if (token) await embedded.joinWithToken(token);
}

start();
