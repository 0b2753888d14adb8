// The in-call view: connects to LiveKit, wires room events to the stage, toolbar, chat and people panels, the
// raised hands, reactions, moderation and keyboard shortcuts.
import { h } from '../dom.js';
import { rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { confirmDialog, errorText, toast } from '../ui.js';
import { audioButton, newRoom, OUTCOME_FOR, reconnectingBanner } from './callparts.js';
import { ChatPanel } from './chat.js';
import { Controls } from './controls.js';
import { loadPrefs, supportsOutputSelection } from './devices.js';
import { watchDirectMessages } from './direct.js';
import { e2eeNotice, e2eeOptions } from './e2ee.js';
import { keepEffect } from './effects.js';
import { Hands } from './hands.js';
import { CallHeader, headerBadge } from './header.js';
import { Room, RoomEvent, Track } from './livekit.js';
import { participantRole, personMenu, watchModeration } from './moderation.js';
import { moreItems } from './moremenu.js';
import { keepNoiseSuppression } from './noise.js';
import { PeoplePanel } from './people.js';
import { Reactions } from './reactions.js';
import { mountRecording } from './recording.js';
import { openShortcutHelp, shortcutOf } from './shortcuts.js';
import { participantName, Stage } from './stage.js';

/** @import { LocalTrack } from './livekit.js' */
/** @import { ModerationContext } from './moderation.js' */
/** @import { OutcomeReason, ShowOutcome } from './outcome.js' */
/** @import { ShortcutAction } from './shortcuts.js' */

/**
 * What the call needs to know of its room (any room answer has it).
 * @typedef {{id: string, name?: string | null, host_id?: string | null, locked?: boolean, waiting_room?: boolean,
 *   e2ee?: boolean, guest_access?: 'off' | 'lobby' | 'open'}} CallRoom
 */
/**
 * What opens a call: a media grant for a room.
 * @typedef {object} CallEntry
 * @property {CallRoom} room
 * @property {string} role
 * @property {string} token
 * @property {string} livekit_url
 * @property {boolean} [autoMedia] turn camera and microphone on by themselves (there was no preview)
 * @property {string | null} [e2eeKey] the passphrase from the link's #key= (E2EE rooms); never sent to the app
 */
/**
 * @typedef {object} CallSpec
 * @property {CallEntry} join
 * @property {(LocalTrack | null)[]} [tracks] the preview's tracks, published as they are
 * @property {{id: string} | null} user who I am on the server (a user, a guest, or the identity of a #token= link)
 * @property {ShowOutcome} onOutcome fires once, when the call is over for us
 */
/** @typedef {'chat' | 'people' | null} PanelName */

export class Call {
  /**
   * Joins the LiveKit room and renders the call into container.
   * @param {HTMLElement} container
   * @param {CallSpec} spec
   */
  static async start(container, spec) {
    const e2ee = spec.join.room.e2ee && spec.join.e2eeKey ? e2eeOptions() : null;
    const room = newRoom(e2ee?.options);
    if (e2ee && spec.join.e2eeKey) {
      await e2ee.keyProvider.setKey(spec.join.e2eeKey);
      await room.setE2EEEnabled(true);
    }
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
    this.finished = false;
    this.endingForAll = false;
    this.scheduled = false;
    /** @type {PanelName} */
    this.panel = null;
    /** @type {(() => void)[]} */
    this.offs = [];
    this.hands = new Hands(this.info.id, user?.id, () => this.handsMoved());
    /** @type {ModerationContext} */
    this.moderation = {
      room,
      roomId: this.info.id,
      ownerId: this.info.host_id,
      me: user?.id,
      isHost: () => this.isHost,
      hands: this.hands,
    };
    this.owner = join.role === 'host' || Boolean(this.info.host_id && this.info.host_id === user?.id);
    this.stage = new Stage(room, {
      onMore: () => this.panel !== 'people' && this.setPanel('people'),
      menuFor: (p) => personMenu(this.moderation, p),
      handOf: (identity) => this.hands.position(identity),
    });
    this.header = new CallHeader(this.info);
    this.recording = mountRecording(this.header.element, this.info.id, this.isHost);
    this.chat = new ChatPanel(this.info.id, {
      me: user?.id,
      onClose: () => this.setPanel(null),
      onUnread: (n) => this.controls.setUnread(n),
      isHost: () => this.isHost,
    });
    if (this.info.e2ee) this.chat.element.querySelector('header')?.after(e2eeNotice());
    this.people = new PeoplePanel(room, this.info, {
      isHost: this.owner,
      moderation: this.moderation,
      onClose: () => this.setPanel(null),
      onWaiting: (n) => this.controls.setWaiting(n),
    });
    this.controls = this.buildControls();
    this.banner = reconnectingBanner();
    this.audioButton = audioButton(room);
    this.audioSink = h('div', { class: 'visually-hidden', 'aria-hidden': 'true' });
    this.showBadges();
    this.reactions = new Reactions(room, (identity) => this.stage.tileOf(identity));
    this.layout = this.render(container);
    this.watchRoom();
    this.watchServer();
    this.onKey = this.onKey.bind(this);
    document.addEventListener('keydown', this.onKey);
    this.refresh();
    if (room.localParticipant.permissions?.canPublish === false) toast(t('controls.viewer_note'), { timeout: 8000 });
  }

  /** Whether I may moderate now: the owner, or someone a host made a co-host (roles change mid-call). */
  get isHost() {
    return this.owner || participantRole(this.room.localParticipant) === 'host';
  }

  /** The header's badges of this call: locked (kept in step by room.updated) and end-to-end encrypted. */
  showBadges() {
    const lock = this.info.locked ? headerBadge('locked', t('badges.locked'), 'lock', t('badges.locked_title')) : null;
    this.header.setBadge('locked', lock);
    const e2ee = this.info.e2ee ? headerBadge('e2ee', t('badges.e2ee'), 'shield', t('badges.e2ee_title')) : null;
    this.header.setBadge('e2ee', e2ee);
  }

  handsMoved() {
    this.controls?.setHand(this.hands.isRaised(this.user?.id || ''));
    this.refresh();
  }

  buildControls() {
    const controls = new Controls(this.room, {
      isHost: () => this.isHost,
      onChat: () => this.setPanel('chat'),
      onPeople: () => this.setPanel('people'),
      onHand: () => this.hands.toggleMine(),
      onReact: (emoji) => this.react(emoji),
      moreItems: () => this.moreItems(),
      onLeave: () => this.leaveClicked(),
      onEnd: () => this.endClicked(),
    });
    controls.setHand(false);
    return controls;
  }

  /** @param {string} emoji */
  react(emoji) {
    if (!this.reactions.send(emoji)) toast(t('reactions.slow_down'));
  }

  /** The "more" menu: layout, settings, shortcuts; on a phone also sharing and reactions; for hosts, everyone. */
  moreItems() {
    return moreItems({
      room: this.room,
      stage: this.stage,
      moderation: this.moderation,
      onShare: () => this.controls.screen.click(),
      onReact: (emoji) => this.react(emoji),
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
      .on(RoomEvent.LocalTrackPublished, (publication) => {
        keepEffect(publication);
        keepNoiseSuppression(publication);
      })
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
      RoomEvent.ParticipantEncryptionStatusChanged,
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
      realtime.on('room.updated', (room) => {
        if (!mine(room.id)) return;
        this.info.locked = room.locked;
        this.showBadges();
      }),
      realtime.on('participant.updated', (data) => mine(data.room_id) && this.refresh()),
      ...watchModeration(this.moderation),
      watchDirectMessages(this.user?.id),
    );
  }

  hideAudioButton() {
    this.audioButton.hidden = this.room.canPlaybackAudio;
  }

  /** Keyboard shortcuts (shortcuts.js); never while typing in a field. @param {KeyboardEvent} event */
  onKey(event) {
    const action = shortcutOf(event);
    if (!action) return;
    event.preventDefault();
    this.runShortcut(action);
  }

  /** @param {ShortcutAction} action */
  runShortcut(action) {
    const canPublish = this.room.localParticipant.permissions?.canPublish !== false;
    if (action === 'mic' && canPublish) this.controls.mic.click();
    else if (action === 'camera' && canPublish) this.controls.camera.click();
    else if (action === 'share' && canPublish) this.controls.screen.click();
    else if (action === 'hand') this.hands.toggleMine();
    else if (action === 'chat') this.setPanel('chat');
    else if (action === 'people') this.setPanel('people');
    else if (action === 'help') openShortcutHelp();
    else if (action === 'leave') this.leaveAsked();
  }

  /** The leave shortcut asks first: one stray key should not end anyone's call. */
  async leaveAsked() {
    const sure = await confirmDialog({
      title: t('room.leave_title'),
      message: t('room.leave_confirm'),
      confirm: t('controls.leave_short'),
      danger: true,
      testid: 'leave-confirm',
    });
    if (sure) this.leaveClicked();
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
    this.recording.stop();
    this.hands.destroy();
    this.reactions.destroy();
    document.removeEventListener('keydown', this.onKey);
    for (const off of this.offs) off();
    this.chat.destroy();
    this.people.destroy();
    this.stage.destroy();
    for (const track of this.tracks) track?.stop();
  }
}
