// Background effects on the camera: blur or a virtual background, remembered per browser. The pipeline is
// @livekit/track-processors' ProcessorWrapper; the person is found by MediaPipe's selfie segmentation (its wasm
// and model come from the @mediapipe/selfie_segmentation npm package, served by the app: nothing from a CDN).
// tasks-vision's own segmenter cannot be used: the only model on npm lacks the metadata it requires.
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { Track } from './livekit.js';

/** @import { LocalTrackPublication, LocalVideoTrack } from './livekit.js' */
/**
 * @typedef {object} SegmentationResults
 * @property {CanvasImageSource} segmentationMask opaque where the person is
 */
/**
 * The legacy MediaPipe solution's class (a classic script defines it on window).
 * @typedef {{setOptions(o: object): void, onResults(cb: (r: SegmentationResults) => void): void,
 *   send(input: {image: CanvasImageSource}): Promise<void>, close(): Promise<void>}} SelfieSegmenter
 */
/** @typedef {'none' | 'blur-light' | 'blur' | 'dusk' | 'ocean' | 'forest'} EffectName */

const SEGMENTATION = '/vendor/mediapipe-selfie-segmentation/';
const PROCESSORS = '/vendor/livekit-track-processors/index.mjs';
const EFFECT_KEY = 'conference.effect';
/** @type {Record<EffectName, {blur?: number, colors?: [string, string]}>} */
const EFFECTS = {
  none: {},
  'blur-light': { blur: 6 },
  blur: { blur: 14 },
  dusk: { colors: ['#ff9a5a', '#5b3a8c'] },
  ocean: { colors: ['#1e90c8', '#0b2a4a'] },
  forest: { colors: ['#3f8f4f', '#14331f'] },
};
export const EFFECT_NAMES = /** @type {EffectName[]} */ (Object.keys(EFFECTS));
const MASK_WIDTH = 256; // the landscape model's input is 256x144: a larger picture only costs time
const MIN_MASK_INTERVAL_MS = 66; // a new mask at most ~15 times a second; frames in between reuse the last one

/** @returns {EffectName} */
export function savedEffect() {
  const saved = localStorage.getItem(EFFECT_KEY);
  return EFFECT_NAMES.find((name) => name === saved) ?? 'none';
}

/** @param {EffectName} name */
export function saveEffect(name) {
  localStorage.setItem(EFFECT_KEY, name);
}

/** @param {EffectName} name */
export function effectLabel(name) {
  return t(`effects.${name.replace('-', '_')}`);
}

/** Whether this browser can run the effects (processor pipeline, WebGL for the segmenter, wasm). */
export function effectsSupported() {
  const canvas = document.createElement('canvas');
  return (
    typeof WebAssembly !== 'undefined' &&
    typeof VideoFrame !== 'undefined' &&
    'captureStream' in HTMLCanvasElement.prototype &&
    Boolean(canvas.getContext('webgl2'))
  );
}

/** @type {Promise<new (config: {locateFile: (file: string) => string}) => SelfieSegmenter> | null} */
let segmenterClass = null;

/** Loads the segmentation solution's script once (a classic script, so a <script> element). */
function loadSegmenterClass() {
  segmenterClass ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${SEGMENTATION}selfie_segmentation.js`;
    script.onload = () => resolve(Reflect.get(window, 'SelfieSegmentation'));
    script.onerror = () => reject(new Error('the segmentation script did not load'));
    document.head.append(script);
  });
  return segmenterClass;
}

/** A background picture drawn here (no image files to fetch): a soft two-colour gradient. @param {[string, string]} colors */
function gradient(colors) {
  const canvas = new OffscreenCanvas(640, 360);
  const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const fill = ctx.createLinearGradient(0, 0, 640, 360);
  fill.addColorStop(0, colors[0]);
  fill.addColorStop(1, colors[1]);
  ctx.fillStyle = fill;
  ctx.fillRect(0, 0, 640, 360);
  return canvas;
}

/**
 * The person stays sharp; behind them the picture is blurred or replaced. It has the shape of track-processors'
 * VideoTransformer (init, restart, destroy, transform and a TransformStream) without extending it, so the
 * processors' module loads only when an effect is turned on; it draws in 2D where the base class takes WebGL.
 */
class SegmentationTransformer {
  /** @param {EffectName} name @param {SelfieSegmenter} segmenter */
  constructor(name, segmenter) {
    /** @type {TransformStream<VideoFrame, VideoFrame> | undefined} */
    this.transformer = undefined;
    /** @type {OffscreenCanvas | null | undefined} */
    this.canvas = undefined;
    /** @type {HTMLVideoElement | undefined} */
    this.inputVideo = undefined;
    this.isDisabled = false;
    this.effect = EFFECTS[name];
    this.background = this.effect.colors ? gradient(this.effect.colors) : null;
    this.segmenter = segmenter;
    this.small = new OffscreenCanvas(MASK_WIDTH, 144);
    // The blurred background is made at a quarter of the size: blur hides the lost detail, and it costs far less.
    this.backdrop = new OffscreenCanvas(320, 180);
    // The solution's mask lives only during its callback: it is copied out.
    this.mask = new OffscreenCanvas(MASK_WIDTH, 144);
    this.hasMask = false;
    this.segmenting = false;
    this.nextMaskAt = 0;
    segmenter.onResults((results) => {
      const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (this.mask.getContext('2d'));
      ctx.clearRect(0, 0, MASK_WIDTH, 144);
      ctx.drawImage(results.segmentationMask, 0, 0, MASK_WIDTH, 144);
      this.hasMask = true;
    });
  }

  /** @param {{outputCanvas?: OffscreenCanvas, inputElement?: HTMLVideoElement}} options */
  async init({ outputCanvas, inputElement }) {
    // Not super.init(): that takes a WebGL context on the output canvas; this transformer draws in 2D.
    this.transformer = new TransformStream({ transform: (frame, controller) => this.transform(frame, controller) });
    this.canvas = outputCanvas ?? null;
    this.inputVideo = inputElement;
    this.isDisabled = false;
  }

  /** @param {{outputCanvas?: OffscreenCanvas, inputElement?: HTMLVideoElement}} options */
  async restart(options) {
    await this.init(options);
  }

  async destroy() {
    this.isDisabled = true;
    this.canvas = undefined;
    await this.segmenter.close().catch(() => {});
  }

  /** @param {VideoFrame} frame @param {TransformStreamDefaultController<VideoFrame>} controller */
  async transform(frame, controller) {
    const canvas = /** @type {OffscreenCanvas | null} */ (this.canvas);
    if (!canvas || this.isDisabled || !frame.displayWidth) {
      controller.enqueue(frame);
      return;
    }
    try {
      this.segment(frame);
      this.compose(canvas, frame);
      controller.enqueue(new VideoFrame(canvas, { timestamp: frame.timestamp }));
    } finally {
      frame.close();
    }
  }

  /**
   * Starts a new mask when none is being made and it is time: frames never wait for the segmenter, and a slow
   * machine (no GPU) spends at most about half its time on it, as the pause grows with the last mask's cost.
   * @param {VideoFrame} frame
   */
  segment(frame) {
    const now = performance.now();
    if (this.segmenting || now < this.nextMaskAt) return;
    this.segmenting = true;
    const small = /** @type {OffscreenCanvasRenderingContext2D} */ (this.small.getContext('2d'));
    small.drawImage(frame, 0, 0, this.small.width, this.small.height);
    this.segmenter
      .send({ image: /** @type {CanvasImageSource} */ (/** @type {unknown} */ (this.small)) })
      .catch(() => {})
      .finally(() => {
        const took = performance.now() - now;
        this.segmenting = false;
        this.nextMaskAt = performance.now() + Math.max(MIN_MASK_INTERVAL_MS, took);
      });
  }

  /** The frame, small and blurred. @param {VideoFrame} frame */
  blurred(frame) {
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (this.backdrop.getContext('2d'));
    const scale = this.backdrop.width / Math.max(1, frame.displayWidth);
    ctx.filter = `blur(${Math.max(1, (this.effect.blur ?? 10) * scale * 2)}px)`;
    ctx.drawImage(frame, 0, 0, this.backdrop.width, this.backdrop.height);
    return this.backdrop;
  }

  /** @param {OffscreenCanvas} canvas @param {VideoFrame} frame */
  compose(canvas, frame) {
    const [width, height] = [frame.displayWidth, frame.displayHeight];
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const ctx = /** @type {OffscreenCanvasRenderingContext2D} */ (canvas.getContext('2d'));
    ctx.save();
    ctx.clearRect(0, 0, width, height);
    // Until the first mask is ready nothing of the room shows: the whole picture is the background.
    if (this.hasMask) {
      ctx.drawImage(this.mask, 0, 0, width, height);
      ctx.globalCompositeOperation = 'source-in';
      ctx.drawImage(frame, 0, 0, width, height);
    }
    ctx.globalCompositeOperation = 'destination-over';
    ctx.drawImage(this.background ?? this.blurred(frame), 0, 0, width, height);
    ctx.restore();
  }
}

/**
 * Puts the effect on a camera track (or takes it off for 'none'). Throws when the browser cannot run it.
 * @param {LocalVideoTrack} track @param {EffectName} name
 */
export async function applyEffect(track, name) {
  if (name === 'none') {
    if (track.getProcessor()) await track.stopProcessor();
    return;
  }
  const [{ ProcessorWrapper }, Segmenter] = await Promise.all([import(PROCESSORS), loadSegmenterClass()]);
  const segmenter = new Segmenter({ locateFile: (file) => `${SEGMENTATION}${file}` });
  segmenter.setOptions({ modelSelection: 1, selfieMode: false });
  const transformer = /** @type {any} */ (new SegmentationTransformer(name, segmenter)); // VideoTransformer's shape
  const processor = new ProcessorWrapper(transformer, `background-${name}`, { maxFps: 15 });
  await track.setProcessor(processor);
}

/**
 * The background choices as a group of toggle buttons (one pressed), for the pre-join screen and the settings.
 * @param {(name: EffectName) => Promise<void>} onPick applies the choice; it is remembered once it worked
 */
export function effectPicker(onPick) {
  const group = document.createElement('div');
  group.className = 'effects';
  group.setAttribute('role', 'radiogroup');
  group.setAttribute('aria-label', t('effects.title'));
  group.dataset.testid = 'effects';
  const supported = effectsSupported();
  const paint = (/** @type {EffectName} */ chosen) => {
    for (const button of group.querySelectorAll('button')) {
      button.setAttribute('aria-checked', String(button.dataset.effect === chosen));
    }
  };
  for (const name of EFFECT_NAMES) {
    const button = document.createElement('button');
    Object.assign(button, { type: 'button', className: 'effect', textContent: effectLabel(name) });
    Object.assign(button.dataset, { effect: name, testid: `effect-${name}` });
    button.setAttribute('role', 'radio');
    button.disabled = !supported && name !== 'none';
    button.addEventListener('click', async () => {
      const before = savedEffect();
      paint(name);
      try {
        await onPick(name);
        saveEffect(name);
      } catch (error) {
        console.warn('background effect failed', error);
        paint(before);
      }
    });
    group.append(button);
  }
  paint(supported ? savedEffect() : 'none');
  const label = document.createElement('p');
  label.className = 'field__label';
  label.textContent = supported ? t('effects.title') : t('effects.unsupported');
  const wrap = document.createElement('div');
  wrap.className = 'field';
  wrap.append(label, group);
  return wrap;
}

/**
 * A camera turned on in the call gets the background chosen before (the preview's track has it already).
 * @param {LocalTrackPublication} publication just published
 */
export function keepEffect(publication) {
  const track = publication.videoTrack;
  const name = savedEffect();
  if (publication.source !== Track.Source.Camera || !track || track.getProcessor() || name === 'none') return;
  applyEffect(track, name).catch(() => toast(t('effects.failed'), { kind: 'error' }));
}
