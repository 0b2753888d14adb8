// Pre-join screen: camera and microphone preview, device pickers, display name, join with camera/mic on or off.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { createLocalVideoTrack, createLocalAudioTrack, createAudioAnalyser } from './livekit.js';
import { deviceSelect, loadPrefs, savePrefs, supportsOutputSelection } from './devices.js';
import { avatar } from '../ui.js';

// Calls onJoin({displayName, videoTrack, audioTrack}) on Join; the live tracks are handed over for publishing.
// When onJoin throws, its message is shown and the preview goes on. Returns a function that stops the preview.
export function prejoin(container, { room, user, onBack, onJoin }) {
  {
    const prefs = loadPrefs();
    let videoTrack = null;
    let audioTrack = null;
    let meter = null;
    let done = false;
    const name = user?.display_name || user?.login || '';

    const video = h('video', { class: 'preview__video', autoplay: true, playsInline: true, muted: true, testid: 'preview-video' });
    const placeholder = h('div', { class: 'preview__placeholder' }, avatar(name, 'avatar--xl'));
    const status = h('p', { class: 'preview__status', role: 'status', testid: 'preview-status' });
    const level = h('span', { class: 'level__bar' });
    const micButton = h('button', { class: 'round-button', type: 'button', testid: 'preview-mic' });
    const camButton = h('button', { class: 'round-button', type: 'button', testid: 'preview-camera' });
    const nameInput = h('input', { id: 'prejoin-name', class: 'input', type: 'text', value: name, maxlength: 64, required: true, autocomplete: 'name', testid: 'prejoin-name' });
    const joinButton = h('button', { class: 'button button--primary button--wide', type: 'submit', testid: 'join-now' }, t('prejoin.join'));
    const error = h('p', { class: 'form-error', role: 'alert', testid: 'prejoin-error', hidden: true });

    const cameraPick = deviceSelect('videoinput', { current: prefs.videoinput, onPick: (id) => videoTrack?.setDeviceId(id) });
    const micPick = deviceSelect('audioinput', { current: prefs.audioinput, onPick: (id) => audioTrack?.setDeviceId(id) });
    const speakerPick = supportsOutputSelection() ? deviceSelect('audiooutput', { current: prefs.audiooutput }) : null;

    function paint() {
      const camOn = Boolean(videoTrack);
      const micOn = Boolean(audioTrack);
      camButton.replaceChildren(icon(camOn ? 'cam' : 'camOff'));
      camButton.setAttribute('aria-label', t(camOn ? 'controls.camera_off' : 'controls.camera_on'));
      camButton.setAttribute('aria-pressed', String(camOn));
      camButton.title = camButton.getAttribute('aria-label');
      camButton.classList.toggle('round-button--off', !camOn);
      micButton.replaceChildren(icon(micOn ? 'mic' : 'micOff'));
      micButton.setAttribute('aria-label', t(micOn ? 'controls.mic_off' : 'controls.mic_on'));
      micButton.setAttribute('aria-pressed', String(micOn));
      micButton.title = micButton.getAttribute('aria-label');
      micButton.classList.toggle('round-button--off', !micOn);
      placeholder.hidden = camOn;
      video.hidden = !camOn;
    }

    async function setCamera(on) {
      if (on && !videoTrack) {
        try {
          videoTrack = await createLocalVideoTrack({ deviceId: loadPrefs().videoinput, resolution: { width: 1280, height: 720, frameRate: 30 } });
          videoTrack.attach(video);
          status.textContent = '';
        } catch (e) {
          status.textContent = t(e?.name === 'NotAllowedError' ? 'prejoin.camera_blocked' : 'prejoin.camera_failed');
        }
        cameraPick.refresh(videoTrack?.mediaStreamTrack.getSettings().deviceId);
      } else if (!on && videoTrack) {
        videoTrack.detach(video);
        videoTrack.stop();
        videoTrack = null;
      }
      savePrefs({ camera: on });
      paint();
    }

    async function setMic(on) {
      if (on && !audioTrack) {
        try {
          audioTrack = await createLocalAudioTrack({ deviceId: loadPrefs().audioinput, echoCancellation: true, noiseSuppression: true });
          meter = createAudioAnalyser(audioTrack);
          animateLevel();
        } catch (e) {
          status.textContent = t(e?.name === 'NotAllowedError' ? 'prejoin.mic_blocked' : 'prejoin.mic_failed');
        }
        micPick.refresh(audioTrack?.mediaStreamTrack.getSettings().deviceId);
      } else if (!on && audioTrack) {
        meter?.cleanup();
        meter = null;
        audioTrack.stop();
        audioTrack = null;
        level.style.transform = 'scaleX(0)';
      }
      savePrefs({ microphone: on });
      paint();
    }

    function animateLevel() {
      if (!meter || done) return;
      level.style.transform = `scaleX(${Math.min(1, meter.calculateVolume() * 4).toFixed(3)})`;
      requestAnimationFrame(animateLevel);
    }

    camButton.addEventListener('click', () => { starting = starting.then(() => setCamera(!videoTrack)); });
    micButton.addEventListener('click', () => { starting = starting.then(() => setMic(!audioTrack)); });

    const form = h('form', { class: 'prejoin__side', 'aria-labelledby': 'prejoin-title' },
      h('h1', { class: 'prejoin__title', id: 'prejoin-title' }, t('prejoin.title')),
      h('p', { class: 'prejoin__room' }, h('span', { class: 'prejoin__room-name' }, room.name || ''), ' ',
        h('code', { class: 'code', testid: 'prejoin-room-id' }, room.id)),
      room.participants_online ? h('p', { class: 'list__meta' }, t('prejoin.already_in', { count: room.participants_online })) : null,
      h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'prejoin-name' }, t('prejoin.name')), nameInput),
      cameraPick.element, micPick.element, speakerPick?.element,
      error,
      joinButton,
      h('button', { class: 'button button--ghost button--wide', type: 'button', testid: 'prejoin-back', onclick: () => { finish(); onBack(); } }, t('prejoin.back')));

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const displayName = nameInput.value.trim();
      if (!displayName) {
        error.textContent = t('prejoin.name_required');
        error.hidden = false;
        nameInput.focus();
        return;
      }
      joinButton.disabled = true;
      joinButton.textContent = t('prejoin.joining');
      // Devices may still be starting (a quick Enter): join with them, not without them.
      starting.then(() => {
        done = true;
        meter?.cleanup();
        if (videoTrack) videoTrack.detach(video);
        return onJoin({ displayName, videoTrack, audioTrack });
      }).catch((e) => showError(e?.message || String(e)));
    });

    function showError(message) {
      done = false;
      joinButton.disabled = false;
      joinButton.textContent = t('prejoin.join');
      error.textContent = message;
      error.hidden = false;
      if (videoTrack) videoTrack.attach(video);
      if (audioTrack) {
        meter = createAudioAnalyser(audioTrack);
        animateLevel();
      }
    }

    function finish() {
      done = true;
      meter?.cleanup();
      videoTrack?.stop();
      audioTrack?.stop();
    }

    container.replaceChildren(h('main', { class: 'prejoin', testid: 'prejoin' },
      h('section', { class: 'preview', 'aria-label': t('prejoin.preview') },
        h('div', { class: 'preview__frame' }, video, placeholder,
          h('div', { class: 'preview__controls' }, micButton, camButton),
          h('div', { class: 'level', role: 'presentation' }, level)),
        status),
      form));
    paint();
    let starting = Promise.all([setCamera(prefs.camera !== false), setMic(prefs.microphone !== false)]);
    joinButton.focus();
    return () => {
      if (!joinButton.disabled) finish();
    };
  }
}
