// Media device choices: remembered per browser, offered as labelled <select>s in the pre-join screen and the room.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { Room } from './livekit.js';

const PREFS_KEY = 'conference.media';
const KINDS = { audioinput: 'devices.microphone', videoinput: 'devices.camera', audiooutput: 'devices.speaker' };

export function loadPrefs() {
  try {
    return { camera: true, microphone: true, ...JSON.parse(localStorage.getItem(PREFS_KEY)) };
  } catch {
    return { camera: true, microphone: true };
  }
}

export function savePrefs(changes) {
  localStorage.setItem(PREFS_KEY, JSON.stringify({ ...loadPrefs(), ...changes }));
}

// A <select> for one kind of device; onPick(deviceId) runs when the user picks another one.
export function deviceSelect(kind, { current, onPick, testid }) {
  const id = `device-${kind}-${Math.random().toString(36).slice(2, 7)}`;
  const select = h('select', { id, class: 'select', testid: testid || `device-${kind}` });
  const wrap = h('div', { class: 'field field--device' }, h('label', { class: 'field__label', for: id }, t(KINDS[kind])), select);
  async function refresh(selected = select.value || current) {
    let devices = [];
    try {
      devices = await Room.getLocalDevices(kind, false);
    } catch {
      devices = [];
    }
    devices = devices.filter((d) => d.deviceId);
    select.replaceChildren(...devices.map((d, i) => h('option', { value: d.deviceId, selected: d.deviceId === selected },
      d.label || t('devices.unnamed', { kind: t(KINDS[kind]), n: i + 1 }))));
    if (!devices.length) select.append(h('option', { value: '' }, t('devices.none')));
    select.disabled = !devices.length;
    wrap.hidden = kind === 'audiooutput' && !devices.length;
  }
  select.addEventListener('change', () => {
    savePrefs({ [kind]: select.value });
    onPick?.(select.value);
  });
  const onDeviceChange = () => (wrap.isConnected ? refresh() : navigator.mediaDevices.removeEventListener('devicechange', onDeviceChange));
  navigator.mediaDevices?.addEventListener?.('devicechange', onDeviceChange);
  refresh();
  return { element: wrap, select, refresh };
}

export function supportsOutputSelection() {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}
