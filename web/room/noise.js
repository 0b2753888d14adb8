// Noise suppression beyond the browser's own: RNNoise (wasm, from @sapphi-red/web-noise-suppressor, served by the
// app) in an audio worklet between the microphone and what is sent. A setting remembered per browser.
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { Track } from './livekit.js';

/** @import { AudioProcessorOptions, LocalAudioTrack, LocalTrackPublication, Room, TrackProcessor } from './livekit.js' */

const BASE = '/vendor/web-noise-suppressor/';
const NOISE_KEY = 'conference.noise';
export const PROCESSOR_NAME = 'rnnoise';

export function noiseSuppressionSaved() {
  return localStorage.getItem(NOISE_KEY) === 'on';
}

/** @type {Promise<ArrayBuffer> | null} the wasm, fetched once per page */
let wasm = null;

/** @implements {TrackProcessor<Track.Kind.Audio, AudioProcessorOptions>} */
class RnnoiseProcessor {
  constructor() {
    this.name = PROCESSOR_NAME;
    /** @type {MediaStreamTrack | undefined} */
    this.processedTrack = undefined;
    /** @type {AudioNode[]} */
    this.nodes = [];
    /** @type {AudioContext | null} */
    this.context = null;
  }

  /** @param {AudioProcessorOptions} options */
  async init({ track }) {
    // RNNoise works on 48 kHz sound, whatever rate the page's own audio runs at: a context of its own.
    const audioContext = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    this.context = audioContext;
    await audioContext.resume().catch(() => {});
    const { loadRnnoise, RnnoiseWorkletNode } = await import('/vendor/web-noise-suppressor/index.js');
    wasm ??= loadRnnoise({ url: `${BASE}rnnoise.wasm`, simdUrl: `${BASE}rnnoise_simd.wasm` });
    await audioContext.audioWorklet.addModule(`${BASE}rnnoise/workletProcessor.js`);
    const source = audioContext.createMediaStreamSource(new MediaStream([track]));
    const denoise = new RnnoiseWorkletNode(audioContext, { maxChannels: 1, wasmBinary: await wasm });
    const destination = audioContext.createMediaStreamDestination();
    source.connect(denoise).connect(destination);
    this.nodes = [source, denoise, destination];
    this.processedTrack = destination.stream.getAudioTracks()[0];
  }

  /** @param {AudioProcessorOptions} options */
  async restart(options) {
    await this.destroy();
    await this.init(options);
  }

  async destroy() {
    for (const node of this.nodes) {
      node.disconnect();
      if ('destroy' in node && typeof node.destroy === 'function') node.destroy();
    }
    this.nodes = [];
    this.processedTrack = undefined;
    await this.context?.close().catch(() => {});
    this.context = null;
  }
}

/** Turns RNNoise on or off on a microphone track. @param {LocalAudioTrack} track @param {boolean} on */
export async function applyNoiseSuppression(track, on) {
  const running = track.getProcessor()?.name === PROCESSOR_NAME;
  if (on && !running) await track.setProcessor(new RnnoiseProcessor());
  else if (!on && running) await track.stopProcessor();
}

/** The microphone being sent now, if any. @param {Room} room */
export function microphoneTrack(room) {
  return room.localParticipant.getTrackPublication(Track.Source.Microphone)?.audioTrack ?? null;
}

/** A microphone turned on in the call gets the suppression when it is chosen. @param {LocalTrackPublication} publication */
export function keepNoiseSuppression(publication) {
  const track = publication.audioTrack;
  if (publication.source !== Track.Source.Microphone || !track || !noiseSuppressionSaved()) return;
  applyNoiseSuppression(track, true).catch(() => toast(t('noise.failed'), { kind: 'error' }));
}

/**
 * The settings' switch: applies at once to the microphone being sent, remembered once it worked.
 * @param {Room} room
 */
export function noiseSwitch(room) {
  const input = document.createElement('input');
  Object.assign(input, { type: 'checkbox', className: 'switch__input', checked: noiseSuppressionSaved() });
  input.dataset.testid = 'noise-suppression';
  input.addEventListener('change', async () => {
    const track = microphoneTrack(room);
    input.disabled = true;
    try {
      if (track) await applyNoiseSuppression(track, input.checked);
      localStorage.setItem(NOISE_KEY, input.checked ? 'on' : 'off');
      input.dataset.applied = String(Boolean(track) && input.checked);
    } catch (error) {
      console.warn('noise suppression failed', error);
      input.checked = !input.checked;
      toast(t('noise.failed'), { kind: 'error' });
    } finally {
      input.disabled = false;
    }
  });
  const label = document.createElement('label');
  label.className = 'switch switch--spaced';
  const text = document.createElement('span');
  text.textContent = t('noise.label');
  label.append(input, text);
  return label;
}
