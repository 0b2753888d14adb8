// The in-call view: connects to LiveKit, wires room events to the stage, toolbar, chat and people panels.
import { h } from '../dom.js';
import { rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { confirmDialog, errorText, toast } from '../ui.js';
import { ChatPanel } from './chat.js';
import { Controls } from './controls.js';
import { loadPrefs, supportsOutputSelection } from './devices.js';
import { leaveChoice, openSettings } from './dialogs.js';
import { CallHeader } from './header.js';
import { DisconnectReason, Room, RoomEvent, ScreenSharePresets, Track, VideoPresets } from './livekit.js';
import { PeoplePanel } from './people.js';
import { participantName, Stage } from './stage.js';

/** @import { LocalTrack } from './livekit.js' */
/** @import { OutcomeReason, ShowOutcome } from './outcome.js' */

/**
 * What the call needs to know of its room (any room answer has it).
 * @typedef {{id: string, name?: string | null, host_id?: string | null, locked?: boolean, waiting_room?: boolean,
 *   guest_access?: 'off' | 'lobby' | 'open'}} CallRoom
 */
/**
 * What opens a call: a media grant for a room.
 * @typedef {object} CallEntry
 * @property {CallRoom} room
 * @property {string} role
 * @property {string} token
 * @property {string} livekit_url
 * @property {boolean} [autoMedia] turn camera and microphone on by themselves (there was no preview)
 */
/**
 * @typedef {object} CallSpec
 * @property {CallEntry} join
 * @property {(LocalTrack | null)[]} [tracks] the preview's tracks, published as they are
 * @property {{id: string} | null} user who I am on the server (a user, a guest, or the identity of a #token= link)
 * @property {ShowOutcome} onOutcome fires once, when the call is over for us
 */
/** @typedef {'chat' | 'people' | null} PanelName */

/** @type {Map<DisconnectReason | undefined, OutcomeReason>} */
const OUTCOME_FOR = new Map([
  [DisconnectReason.ROOM_DELETED, 'ended'],
  [DisconnectReason.ROOM_CLOSED, 'ended'],
  [DisconnectReason.PARTICIPANT_REMOVED, 'removed'],
  [DisconnectReason.DUPLICATE_IDENTITY, 'duplicate'],
]);
const PHONE = '(max-width: 560px)';

function newRoom() {
  // Devices picked before (pre-join or settings) are used when the camera or mic is turned on later.
  const prefs = loadPrefs();
  return new Room({
    adaptiveStream: true,
    dynacast: true,
    videoCaptureDefaults: { resolution: VideoPresets.h720.resolution, deviceId: prefs.videoinput || undefined },
    publishDefaults: { simulcast: true, screenShareEncoding: ScreenSharePresets.h1080fps15.encoding },
    audioCaptureDefaults: {
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      deviceId: prefs.audioinput || undefined,
    },
  });
}

export class Call {
  /**
   * Joins the LiveKit room and renders the call into container.
   * @param {HTMLElement} container
   * @param {CallSpec} spec
   */
  static async start(container, spec) {
    const room = newRoom();
    await room.connect(spec.join.livekit_url, spec.join.token);
    const call = new Call(container, room, spec);
    await call.publishMedia(spec.join.autoMedia ?? false);
    return call;
  }

  /**
   * @param {HTMLElement} container
   * @param {Room} room connected
   * @param {CallSpec} spec
   */
  constructor(container, room, { join, tracks = [], user, onOutcome }) {
    this.room = room;
    this.info = join.room;
    this.user = user;
    this.tracks = tracks;
    this.onOutcome = onOutcome;
    this.isHost = join.role === 'host' || Boolean(this.info.host_id && this.info.host_id === user?.id);
    this.finished = false;
    this.endingForAll = false;
    this.scheduled = false;
    /** @type {PanelName} */
    this.panel = null;
    /** @type {(() => void)[]} */
    this.offs = [];
    this.stage = new Stage(room, { onMore: () => this.panel !== 'people' && this.setPanel('people') });
    this.header = new CallHeader(this.info);
    this.chat = new ChatPanel(this.info.id, {
      me: user?.id,
      onClose: () => this.setPanel(null),
      onUnread: (n) => this.controls.setUnread(n),
    });
    this.people = new PeoplePanel(room, this.info, {
      isHost: this.isHost,
      onClose: () => this.setPanel(null),
      onWaiting: (n) => this.controls.setWaiting(n),
    });
    this.controls = this.buildControls();
    this.banner = h(
      'div',
      { class: 'banner', role: 'status', testid: 'reconnecting-banner', hidden: true },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      t('room.reconnecting'),
    );
    this.audioButton = h(
      'button',
      {
        class: 'button button--primary banner__action',
        type: 'button',
        testid: 'start-audio',
        hidden: room.canPlaybackAudio,
      },
      t('room.enable_audio'),
    );
    this.audioButton.addEventListener('click', async () => {
      await room.startAudio();
      this.audioButton.hidden = true;
    });
    this.audioSink = h('div', { class: 'visually-hidden', 'aria-hidden': 'true' });
    this.layout = this.render(container);
    this.watchRoom();
    this.watchServer();
    this.onKey = this.onKey.bind(this);
    document.addEventListener('keydown', this.onKey);
    this.refresh();
  }

  buildControls() {
    return new Controls(this.room, {
      isHost: this.isHost,
      onChat: () => this.setPanel('chat'),
      onPeople: () => this.setPanel('people'),
      onSettings: () => openSettings(this.room),
      onLeave: () => this.leaveClicked(),
      onEnd: () => this.endClicked(),
    });
  }

  /** @param {HTMLElement} container */
  render(container) {
    const layout = h(
      'div',
      { class: 'call', testid: 'call', dataset: { roomId: this.info.id } },
      this.header.element,
      this.banner,
      h('div', { class: 'call__body' }, this.stage.element, this.chat.element, this.people.element),
      this.audioButton,
      this.controls.element,
      this.audioSink,
    );
    container.replaceChildren(layout);
    document.title = `${this.info.name || this.info.id} · ${t('app.name')}`;
    return layout;
  }

  watchRoom() {
    const refresh = () => this.refresh();
    /** @param {boolean} on */
    const reconnecting = (on) => {
      this.banner.hidden = !on;
      if (!on) refresh();
    };
    this.room
      .on(RoomEvent.ParticipantConnected, (p) => {
        refresh();
        toast(t('room.joined', { name: participantName(p) }));
      })
      .on(RoomEvent.ParticipantDisconnected, (p) => {
        refresh();
        toast(t('room.left', { name: participantName(p) }));
      })
      .on(RoomEvent.TrackSubscribed, (track) => {
        if (track.kind === Track.Kind.Audio) this.audioSink.append(track.attach());
        refresh();
      })
      .on(RoomEvent.TrackUnsubscribed, (track) => {
        if (track.kind === Track.Kind.Audio) for (const el of track.detach()) el.remove();
        refresh();
      })
      .on(RoomEvent.ActiveSpeakersChanged, (speakers) => this.stage.setSpeakers(speakers))
      .on(RoomEvent.Reconnecting, () => reconnecting(true))
      .on(RoomEvent.SignalReconnecting, () => reconnecting(true))
      .on(RoomEvent.Reconnected, () => reconnecting(false))
      .on(RoomEvent.AudioPlaybackStatusChanged, () => this.hideAudioButton())
      .on(RoomEvent.MediaDevicesError, () => toast(t('room.device_error'), { kind: 'error' }))
      .on(RoomEvent.Disconnected, (reason) => this.finish(OUTCOME_FOR.get(reason) || 'disconnected'));
    for (const event of [
      RoomEvent.TrackPublished,
      RoomEvent.TrackUnpublished,
      RoomEvent.TrackMuted,
      RoomEvent.TrackUnmuted,
      RoomEvent.LocalTrackPublished,
      RoomEvent.LocalTrackUnpublished,
      RoomEvent.ParticipantNameChanged,
      RoomEvent.ParticipantMetadataChanged,
      RoomEvent.ParticipantPermissionsChanged,
      RoomEvent.ConnectionQualityChanged,
    ]) {
      this.room.on(event, refresh);
    }
  }

  /** The server's word on this room: ended for everyone, or I was removed. */
  watchServer() {
    const mine = (/** @type {string} */ roomId) => sameRoom(roomId, this.info.id);
    this.offs.push(
      realtime.on('room.ended', (data) => mine(data.room_id) && this.finish(this.isHost ? 'ended_by_me' : 'ended')),
      realtime.on('participant.removed', (data) => {
        if (mine(data.room_id) && data.user_id === this.user?.id) this.finish('removed');
      }),
    );
  }

  hideAudioButton() {
    this.audioButton.hidden = this.room.canPlaybackAudio;
  }

  /** Ctrl+D toggles the microphone, Ctrl+E the camera (as in other meeting apps). @param {KeyboardEvent} event */
  onKey(event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'd') this.controls.mic.click();
    else if (key === 'e') this.controls.camera.click();
    else return;
    event.preventDefault();
  }

  /** Opens a side panel, or closes it when it is the one open. @param {PanelName} name */
  setPanel(name) {
    this.panel = this.panel === name ? null : name;
    this.chat.show(this.panel === 'chat');
    this.people.show(this.panel === 'people');
    this.controls.setPanel(this.panel);
    this.layout.classList.toggle('call--panel', Boolean(this.panel));
  }

  /** Redraws once per frame however many room events arrive. */
  refresh() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (this.finished) return;
      this.stage.sync();
      this.controls.update();
      if (!this.people.element.hidden) this.people.update();
      this.header.setCount(1 + this.room.remoteParticipants.size);
    });
  }

  /** The preview's tracks as they are, or (no preview) camera and microphone as last chosen. @param {boolean} auto */
  async publishMedia(auto) {
    const local = this.room.localParticipant;
    const prefs = loadPrefs();
    const tracks = this.tracks.filter((track) => track !== null);
    const failed = (/** @type {unknown} */ error) => {
      console.warn('publish failed', error);
      toast(t('room.publish_failed'), { kind: 'error' });
    };
    if (tracks.length) {
      await Promise.all(tracks.map((track) => local.publishTrack(track).catch(failed)));
    } else if (auto) {
      await Promise.all([
        prefs.microphone !== false && local.setMicrophoneEnabled(true, { deviceId: prefs.audioinput }).catch(() => {}),
        prefs.camera !== false && local.setCameraEnabled(true, { deviceId: prefs.videoinput }).catch(() => {}),
      ]);
    }
    if (prefs.audiooutput && supportsOutputSelection()) {
      this.room.switchActiveDevice('audiooutput', prefs.audiooutput).catch(() => {});
    }
    this.refresh();
  }

  async leaveClicked() {
    // On a phone the toolbar has no room for "end for all": hosts choose when they leave.
    if (this.isHost && matchMedia(PHONE).matches) {
      const choice = await leaveChoice();
      if (choice === 'end') return this.endForAll();
      if (choice !== 'leave') return;
    }
    await this.finish('left');
    rooms.leave(this.info.id).catch(() => {});
  }

  async endClicked() {
    const sure = await confirmDialog({
      title: t('room.end_title'),
      message: t('room.end_confirm'),
      confirm: t('controls.end'),
      danger: true,
      testid: 'end-confirm',
    });
    if (sure) await this.endForAll();
  }

  async endForAll() {
    this.endingForAll = true;
    try {
      await rooms.end(this.info.id);
      this.finish('ended_by_me');
    } catch (error) {
      this.endingForAll = false;
      toast(errorText(error), { kind: 'error' });
    }
  }

  /** Leaves the call (the page is closing, or the person went elsewhere). */
  leave() {
    return this.finish('left');
  }

  /** @param {OutcomeReason} reason @param {string} [detail] */
  async finish(reason, detail) {
    if (this.finished) return;
    this.finished = true;
    this.cleanup();
    await this.room.disconnect().catch(() => {});
    this.onOutcome(this.endingForAll && reason === 'ended' ? 'ended_by_me' : reason, detail);
  }

  cleanup() {
    this.header.stop();
    document.removeEventListener('keydown', this.onKey);
    for (const off of this.offs) off();
    this.chat.destroy();
    this.people.destroy();
    this.stage.destroy();
    for (const track of this.tracks) track?.stop();
  }
}
