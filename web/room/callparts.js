// Pieces the call is built from: the LiveKit Room with its options, what each way of being disconnected means,
// the reconnecting banner and the button that lets sound play where autoplay is blocked.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { loadPrefs } from './devices.js';
import { DisconnectReason, Room, ScreenSharePresets, VideoPresets } from './livekit.js';

/** @import { e2eeOptions } from './e2ee.js' */
/** @import { OutcomeReason } from './outcome.js' */

/** @type {Map<DisconnectReason | undefined, OutcomeReason>} */
export const OUTCOME_FOR = new Map([
  [DisconnectReason.ROOM_DELETED, 'ended'],
  [DisconnectReason.ROOM_CLOSED, 'ended'],
  [DisconnectReason.PARTICIPANT_REMOVED, 'removed'],
  [DisconnectReason.DUPLICATE_IDENTITY, 'duplicate'],
]);
/** @param {ReturnType<typeof e2eeOptions>['options'] | undefined} e2ee */
export function newRoom(e2ee) {
  // Devices picked before (pre-join or settings) are used when the camera or mic is turned on later.
  const prefs = loadPrefs();
  return new Room({
    e2ee,
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

export function reconnectingBanner() {
  return h(
    'div',
    { class: 'banner', role: 'status', testid: 'reconnecting-banner', hidden: true },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    t('room.reconnecting'),
  );
}

/** The button a browser that blocks autoplay needs pressed before it plays sound. @param {Room} room */
export function audioButton(room) {
  const button = h(
    'button',
    {
      class: 'button button--primary banner__action',
      type: 'button',
      testid: 'start-audio',
      hidden: room.canPlaybackAudio,
    },
    t('room.enable_audio'),
  );
  button.addEventListener('click', async () => {
    await room.startAudio();
    button.hidden = true;
  });
  return button;
}
