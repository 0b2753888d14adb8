// The in-call view: connects to LiveKit, wires room events to the stage, toolbar, chat and people panels.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { realtime } from '../realtime.js';
import { Room, RoomEvent, DisconnectReason, Track, VideoPresets, ScreenSharePresets } from './livekit.js';
import { Stage, participantName } from './stage.js';
import { Controls } from './controls.js';
import { ChatPanel } from './chat.js';
import { PeoplePanel } from './people.js';
import { loadPrefs, supportsOutputSelection } from './devices.js';
import { copyInvite, copyText, leaveChoice, openSettings } from './dialogs.js';
import { toast, confirmDialog, errorText } from '../ui.js';
import { sameRoom } from '../roomcode.js';

const OUTCOME_FOR = {
  [DisconnectReason.ROOM_DELETED]: 'ended',
  [DisconnectReason.ROOM_CLOSED]: 'ended',
  [DisconnectReason.PARTICIPANT_REMOVED]: 'removed',
  [DisconnectReason.DUPLICATE_IDENTITY]: 'duplicate',
};

function newRoom() {
  // Devices picked before (pre-join or settings) are used when the camera or mic is turned on later.
  const prefs = loadPrefs();
  return new Room({
    adaptiveStream: true,
    dynacast: true,
    videoCaptureDefaults: { resolution: VideoPresets.h720.resolution, deviceId: prefs.videoinput || undefined },
    publishDefaults: { simulcast: true, screenShareEncoding: ScreenSharePresets.h1080fps15.encoding },
    audioCaptureDefaults: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, deviceId: prefs.audioinput || undefined },
  });
}

// Joins the LiveKit room and renders the call. onOutcome(reason) fires once when the call is over for us.
export async function startCall(container, { join, tracks = [], user, onOutcome }) {
  const info = join.room;
  const isHost = join.role === 'host' || (info.host_id && info.host_id === user?.id);
  const room = newRoom();
  await room.connect(join.livekit_url, join.token);
  let finished = false;
  let endingForAll = false;
  const offs = [];

  const finish = async (reason, detail) => {
    if (finished) return;
    if (endingForAll && reason === 'ended') reason = 'ended_by_me';
    finished = true;
    cleanup();
    await room.disconnect().catch(() => {});
    onOutcome(reason, detail);
  };

  const stage = new Stage(room, { onMore: () => panel !== 'people' && setPanel('people') });
  const banner = h('div', { class: 'banner', role: 'status', testid: 'reconnecting-banner', hidden: true }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('room.reconnecting'));
  const audioButton = h('button', { class: 'button button--primary banner__action', type: 'button', testid: 'start-audio', hidden: true,
    onclick: () => room.startAudio().then(() => { audioButton.hidden = true; }) }, t('room.enable_audio'));
  const audioSink = h('div', { class: 'visually-hidden', 'aria-hidden': 'true' });
  let panel = null;
  const setPanel = (name) => {
    panel = panel === name ? null : name;
    chat.show(panel === 'chat');
    people.show(panel === 'people');
    controls.setPanel(panel);
    layout.classList.toggle('call--panel', Boolean(panel));
  };
  const chat = new ChatPanel(info.id, { me: user?.id, onClose: () => setPanel(null), onUnread: (n) => controls.setUnread(n) });
  const people = new PeoplePanel(room, info, { isHost, onClose: () => setPanel(null), onWaiting: (n) => controls.setWaiting(n) });
  const controls = new Controls(room, {
    isHost,
    onChat: () => setPanel('chat'),
    onPeople: () => setPanel('people'),
    onSettings: () => openSettings(room),
    onLeave: async () => {
      // On a phone the toolbar has no room for "end for all": hosts choose when they leave.
      if (isHost && matchMedia('(max-width: 560px)').matches) {
        const choice = await leaveChoice();
        if (choice === 'end') return endForAll();
        if (choice !== 'leave') return;
      }
      await finish('left');
      post(`/rooms/${encodeURIComponent(info.id)}/leave`).catch(() => {});
    },
    onEnd: async () => {
      if (!await confirmDialog({ title: t('room.end_title'), message: t('room.end_confirm'), confirm: t('controls.end'), danger: true, testid: 'end-confirm' })) return;
      endForAll();
    },
  });

  async function endForAll() {
    endingForAll = true;
    try {
      await post(`/rooms/${encodeURIComponent(info.id)}/end`);
      finish('ended_by_me');
    } catch (error) {
      endingForAll = false;
      toast(errorText(error), { kind: 'error' });
    }
  }

  const count = h('span', { class: 'call__count', testid: 'participant-count' });
  const clock = h('span', { class: 'call__clock', testid: 'call-clock', 'aria-label': t('room.elapsed') });
  const joinedAt = Date.now();
  const tick = () => {
    const s = Math.floor((Date.now() - joinedAt) / 1000);
    const two = (n) => String(n).padStart(2, '0');
    clock.textContent = s >= 3600 ? `${Math.floor(s / 3600)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
  };
  tick();
  const clockTimer = setInterval(tick, 1000);
  const invite = h('button', { class: 'button button--small call__invite', type: 'button', testid: 'copy-invite', 'aria-label': t('controls.invite'), title: t('controls.invite'),
    onclick: () => copyInvite(info) }, icon('copy'), h('span', { class: 'call__invite-text' }, t('controls.invite_short')));
  const layout = h('div', { class: 'call', testid: 'call', dataset: { roomId: info.id } },
    h('header', { class: 'call__header' },
      h('div', { class: 'call__title' },
        h('h1', { class: 'call__name', testid: 'room-name' }, info.name || info.id),
        h('button', { class: 'call__id', type: 'button', testid: 'room-id', 'aria-label': t('room.copy_id', { id: info.id }), title: t('room.copy_id', { id: info.id }),
          onclick: () => copyText(info.id, t('room.id_copied')) }, info.id)),
      h('div', { class: 'call__meta' }, clock, count, invite)),
    banner,
    h('div', { class: 'call__body' }, stage.element, chat.element, people.element),
    audioButton,
    controls.element,
    audioSink);
  container.replaceChildren(layout);
  document.title = `${info.name || info.id} · ${t('app.name')}`;

  let scheduled = false;
  const refresh = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      if (finished) return;
      stage.sync();
      controls.update();
      if (!people.element.hidden) people.update();
      count.textContent = t('room.count', { count: 1 + room.remoteParticipants.size });
    });
  };

  room
    .on(RoomEvent.ParticipantConnected, (p) => { refresh(); toast(t('room.joined', { name: participantName(p) })); })
    .on(RoomEvent.ParticipantDisconnected, (p) => { refresh(); toast(t('room.left', { name: participantName(p) })); })
    .on(RoomEvent.TrackSubscribed, (track) => {
      if (track.kind === Track.Kind.Audio) audioSink.append(track.attach());
      refresh();
    })
    .on(RoomEvent.TrackUnsubscribed, (track) => {
      if (track.kind === Track.Kind.Audio) track.detach().forEach((el) => el.remove());
      refresh();
    })
    .on(RoomEvent.TrackPublished, refresh)
    .on(RoomEvent.TrackUnpublished, refresh)
    .on(RoomEvent.TrackMuted, refresh)
    .on(RoomEvent.TrackUnmuted, refresh)
    .on(RoomEvent.LocalTrackPublished, refresh)
    .on(RoomEvent.LocalTrackUnpublished, refresh)
    .on(RoomEvent.ParticipantNameChanged, refresh)
    .on(RoomEvent.ParticipantMetadataChanged, refresh)
    .on(RoomEvent.ParticipantPermissionsChanged, refresh)
    .on(RoomEvent.ConnectionQualityChanged, refresh)
    .on(RoomEvent.ActiveSpeakersChanged, (speakers) => stage.setSpeakers(speakers))
    .on(RoomEvent.Reconnecting, () => { banner.hidden = false; })
    .on(RoomEvent.SignalReconnecting, () => { banner.hidden = false; })
    .on(RoomEvent.Reconnected, () => { banner.hidden = true; refresh(); })
    .on(RoomEvent.AudioPlaybackStatusChanged, () => { audioButton.hidden = room.canPlaybackAudio; })
    .on(RoomEvent.MediaDevicesError, () => toast(t('room.device_error'), { kind: 'error' }))
    .on(RoomEvent.Disconnected, (reason) => {
      if (finished) return;
      finish(OUTCOME_FOR[reason] || 'disconnected');
    });

  offs.push(realtime.on('room.ended', (data) => sameRoom(data.room_id ?? data.id, info.id) && finish(isHost ? 'ended_by_me' : 'ended')));
  offs.push(realtime.on('participant.removed', (data) => {
    if (sameRoom(data.room_id, info.id) && (!data.user_id || String(data.user_id) === String(user?.id))) finish('removed');
  }));

  const onKey = (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 'd') controls.mic.click();
    else if (key === 'e') controls.camera.click();
    else return;
    event.preventDefault();
  };
  document.addEventListener('keydown', onKey);

  function cleanup() {
    clearInterval(clockTimer);
    document.removeEventListener('keydown', onKey);
    offs.forEach((off) => off());
    chat.destroy();
    people.destroy();
    stage.destroy();
    for (const track of tracks) track?.stop();
  }

  refresh();
  audioButton.hidden = room.canPlaybackAudio;
  const prefs = loadPrefs();
  if (tracks.length) {
    await Promise.all(tracks.filter(Boolean).map((track) => room.localParticipant.publishTrack(track).catch((error) => {
      console.warn('publish failed', error);
      toast(t('room.publish_failed'), { kind: 'error' });
    })));
  } else if (join.autoMedia) {
    await Promise.all([
      prefs.microphone !== false && room.localParticipant.setMicrophoneEnabled(true, { deviceId: prefs.audioinput }).catch(() => {}),
      prefs.camera !== false && room.localParticipant.setCameraEnabled(true, { deviceId: prefs.videoinput }).catch(() => {}),
    ]);
  }
  if (prefs.audiooutput && supportsOutputSelection()) room.switchActiveDevice('audiooutput', prefs.audiooutput).catch(() => {});
  refresh();

  return {
    room,
    leave: () => finish('left'),
  };
}
