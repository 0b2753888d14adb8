// End-to-end encryption of a room's media: the passphrase travels only in the link's fragment (#key=…), which
// browsers never send to a server; LiveKit's e2ee worker (served by the app from livekit-client) encrypts and
// decrypts every frame with it. Chat goes through the server and is not end-to-end encrypted.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { ExternalE2EEKeyProvider } from './livekit.js';

const WORKER_URL = '/vendor/livekit-client/livekit-client.e2ee.worker.mjs';
/** Whether this browser can encrypt media (insertable streams or RTCRtpScriptTransform, and module workers). */
export function canEncrypt() {
  const streams = typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype;
  return (streams || 'RTCRtpScriptTransform' in window) && typeof Worker !== 'undefined';
}

/** LiveKit Room options for E2EE, and the key provider to give the passphrase to. */
export function e2eeOptions() {
  const keyProvider = new ExternalE2EEKeyProvider();
  const worker = new Worker(WORKER_URL, { type: 'module' });
  return { keyProvider, options: { keyProvider, worker } };
}

/** The line in the chat panel of an E2EE room: media is encrypted end to end, chat is not. */
export function e2eeNotice() {
  return h('p', { class: 'e2ee-notice', testid: 'chat-not-e2ee', role: 'note' }, icon('shield'), t('e2ee.chat_notice'));
}
