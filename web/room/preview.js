// The camera and microphone preview of the pre-join screen: live tracks, a level meter, on/off buttons, device pickers.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { avatar } from '../ui.js';
import { deviceSelect, loadPrefs, savePrefs, supportsOutputSelection } from './devices.js';
import { applyEffect, effectPicker, savedEffect } from './effects.js';
import { createAudioAnalyser, createLocalAudioTrack, createLocalVideoTrack } from './livekit.js';

/** @import { LocalAudioTrack, LocalVideoTrack } from './livekit.js' */
/** @typedef {ReturnType<typeof createAudioAnalyser>} Meter */

/** @param {HTMLButtonElement} button @param {boolean} on @param {'mic' | 'cam'} kind */
function paintToggle(button, on, kind) {
  const names =
    kind === 'mic'
      ? ['mic', 'micOff', 'controls.mic_off', 'controls.mic_on']
      : ['cam', 'camOff', 'controls.camera_off', 'controls.camera_on'];
  const [onIcon, offIcon, onLabel, offLabel] = /** @type {['mic' | 'cam', 'micOff' | 'camOff', string, string]} */ (
    names
  );
  button.replaceChildren(icon(on ? onIcon : offIcon));
  button.setAttribute('aria-label', t(on ? onLabel : offLabel));
  button.setAttribute('aria-pressed', String(on));
  button.title = t(on ? onLabel : offLabel);
  button.classList.toggle('round-button--off', !on);
}

/** @param {unknown} error */
const blocked = (error) => error instanceof Error && error.name === 'NotAllowedError';

export class MediaPreview {
  /** @param {string} name shown (as an avatar) while the camera is off */
  constructor(name) {
    const prefs = loadPrefs();
    /** @type {LocalVideoTrack | null} */
    this.videoTrack = null;
    /** @type {LocalAudioTrack | null} */
    this.audioTrack = null;
    /** @type {Meter | null} */
    this.meter = null;
    this.live = true;
    this.video = h('video', {
      class: 'preview__video',
      autoplay: true,
      playsInline: true,
      muted: true,
      testid: 'preview-video',
    });
    this.placeholder = h('div', { class: 'preview__placeholder' }, avatar(name, 'avatar--xl'));
    this.status = h('p', { class: 'preview__status', role: 'status', testid: 'preview-status' });
    this.level = h('span', { class: 'level__bar' });
    this.micButton = h('button', { class: 'round-button', type: 'button', testid: 'preview-mic' });
    this.camButton = h('button', { class: 'round-button', type: 'button', testid: 'preview-camera' });
    this.cameraPick = deviceSelect('videoinput', {
      current: prefs.videoinput,
      onPick: (id) => this.videoTrack?.setDeviceId(id),
    });
    this.micPick = deviceSelect('audioinput', {
      current: prefs.audioinput,
      onPick: (id) => this.audioTrack?.setDeviceId(id),
    });
    this.speakerPick = supportsOutputSelection() ? deviceSelect('audiooutput', { current: prefs.audiooutput }) : null;
    this.effects = effectPicker(async (name) => {
      if (this.videoTrack) await this.withEffect(this.videoTrack, name);
    });
    this.camButton.addEventListener('click', () => this.queue(() => this.setCamera(!this.videoTrack)));
    this.micButton.addEventListener('click', () => this.queue(() => this.setMic(!this.audioTrack)));
    this.element = h(
      'section',
      { class: 'preview', 'aria-label': t('prejoin.preview') },
      h(
        'div',
        { class: 'preview__frame' },
        this.video,
        this.placeholder,
        h('div', { class: 'preview__controls' }, this.micButton, this.camButton),
        h('div', { class: 'level', role: 'presentation' }, this.level),
      ),
      this.status,
    );
    this.paint();
    /** @type {Promise<unknown>} devices start one after another, never two at once */
    this.starting = Promise.all([this.setCamera(prefs.camera !== false), this.setMic(prefs.microphone !== false)]);
  }

  /** The device pickers, for the form beside the preview. */
  get pickers() {
    return [this.cameraPick.element, this.micPick.element, this.speakerPick?.element, this.effects];
  }

  /** Runs a device change after the ones already under way. @param {() => Promise<void>} change */
  queue(change) {
    this.starting = this.starting.then(change);
    return this.starting;
  }

  paint() {
    paintToggle(this.camButton, Boolean(this.videoTrack), 'cam');
    paintToggle(this.micButton, Boolean(this.audioTrack), 'mic');
    this.placeholder.hidden = Boolean(this.videoTrack);
    this.video.hidden = !this.videoTrack;
  }

  /** @param {boolean} on */
  async setCamera(on) {
    if (on && !this.videoTrack) {
      try {
        const deviceId = loadPrefs().videoinput;
        this.videoTrack = await createLocalVideoTrack({
          deviceId,
          resolution: { width: 1280, height: 720, frameRate: 30 },
        });
        this.videoTrack.attach(this.video);
        this.status.textContent = '';
        await this.withEffect(this.videoTrack, savedEffect()).catch(() => {});
      } catch (error) {
        this.status.textContent = t(blocked(error) ? 'prejoin.camera_blocked' : 'prejoin.camera_failed');
      }
      this.cameraPick.refresh(this.videoTrack?.mediaStreamTrack.getSettings().deviceId);
    } else if (!on && this.videoTrack) {
      this.videoTrack.detach(this.video);
      this.videoTrack.stop();
      this.videoTrack = null;
    }
    savePrefs({ camera: on });
    this.paint();
  }

  /**
   * The chosen background on the preview's camera (it stays on the track when the call publishes it).
   * @param {LocalVideoTrack} track @param {import('./effects.js').EffectName} name
   */
  async withEffect(track, name) {
    try {
      await applyEffect(track, name);
    } catch (error) {
      this.status.textContent = t('effects.failed');
      throw error;
    }
  }

  /** @param {boolean} on */
  async setMic(on) {
    if (on && !this.audioTrack) {
      try {
        const deviceId = loadPrefs().audioinput;
        this.audioTrack = await createLocalAudioTrack({ deviceId, echoCancellation: true, noiseSuppression: true });
        this.startMeter();
      } catch (error) {
        this.status.textContent = t(blocked(error) ? 'prejoin.mic_blocked' : 'prejoin.mic_failed');
      }
      this.micPick.refresh(this.audioTrack?.mediaStreamTrack.getSettings().deviceId);
    } else if (!on && this.audioTrack) {
      this.stopMeter();
      this.audioTrack.stop();
      this.audioTrack = null;
      this.level.style.transform = 'scaleX(0)';
    }
    savePrefs({ microphone: on });
    this.paint();
  }

  startMeter() {
    if (!this.audioTrack) return;
    this.meter = createAudioAnalyser(this.audioTrack);
    const animate = () => {
      if (!this.meter || !this.live) return;
      this.level.style.transform = `scaleX(${Math.min(1, this.meter.calculateVolume() * 4).toFixed(3)})`;
      requestAnimationFrame(animate);
    };
    animate();
  }

  stopMeter() {
    this.meter?.cleanup();
    this.meter = null;
  }

  /** The tracks go to the call: the preview lets go of them (they keep running). Waits for devices still starting. */
  async handOver() {
    await this.starting;
    this.live = false;
    this.stopMeter();
    this.videoTrack?.detach(this.video);
    return { videoTrack: this.videoTrack, audioTrack: this.audioTrack };
  }

  /** Joining failed: show the tracks again. */
  takeBack() {
    this.live = true;
    this.videoTrack?.attach(this.video);
    this.startMeter();
  }

  /** Stops the camera and microphone. */
  stop() {
    this.live = false;
    this.stopMeter();
    this.videoTrack?.stop();
    this.audioTrack?.stop();
  }
}
