// Media device choices: remembered per browser, offered as labelled <select>s in the pre-join screen and the room.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { Room } from './livekit.js';

const PREFS_KEY = 'conference.media';
const KINDS = { audioinput: 'devices.microphone', videoinput: 'devices.camera', audiooutput: 'devices.speaker' };

/** @typedef {keyof typeof KINDS} DeviceKind */
/**
 * What this browser remembers: whether camera and microphone start on, and the chosen device of each kind.
 * @typedef {{camera: boolean, microphone: boolean} & Partial<Record<DeviceKind, string>>} MediaPrefs
 */

/** @returns {MediaPrefs} */
export function loadPrefs() {
  try {
    return { camera: true, microphone: true, ...JSON.parse(localStorage.getItem(PREFS_KEY) || '{}') };
  } catch {
    return { camera: true, microphone: true };
  }
}

/** @param {Partial<MediaPrefs>} changes */
export function savePrefs(changes) {
  localStorage.setItem(PREFS_KEY, JSON.stringify({ ...loadPrefs(), ...changes }));
}

/**
 * A <select> for one kind of device; onPick(deviceId) runs when the user picks another one.
 * @param {DeviceKind} kind
 * @param {{current?: string, onPick?: (deviceId: string) => void, testid?: string}} options
 */
export function deviceSelect(kind, { current, onPick, testid }) {
  const id = `device-${kind}-${Math.random().toString(36).slice(2, 7)}`;
  const select = h('select', { id, class: 'select', testid: testid || `device-${kind}` });
  const wrap = h(
    'div',
    { class: 'field field--device' },
    h('label', { class: 'field__label', for: id }, t(KINDS[kind])),
    select,
  );
  /** Lists the devices again (they come and go, and get labels once permission is given). @param {string} [selected] */
  async function refresh(selected = select.value || current) {
    /** @type {MediaDeviceInfo[]} */
    let devices = [];
    try {
      devices = await Room.getLocalDevices(kind, false);
    } catch {
      devices = [];
    }
    devices = devices.filter((d) => d.deviceId);
    const unnamed = (/** @type {number} */ n) => t('devices.unnamed', { kind: t(KINDS[kind]), n });
    select.replaceChildren(
      ...devices.map((d, i) =>
        h('option', { value: d.deviceId, selected: d.deviceId === selected }, d.label || unnamed(i + 1)),
      ),
    );
    if (!devices.length) select.append(h('option', { value: '' }, t('devices.none')));
    select.disabled = !devices.length;
    wrap.hidden = kind === 'audiooutput' && !devices.length;
  }
  select.addEventListener('change', () => {
    savePrefs({ [kind]: select.value });
    onPick?.(select.value);
  });
  const onDeviceChange = () =>
    wrap.isConnected ? refresh() : navigator.mediaDevices.removeEventListener('devicechange', onDeviceChange);
  navigator.mediaDevices?.addEventListener?.('devicechange', onDeviceChange);
  refresh();
  return { element: wrap, select, refresh };
}

export function supportsOutputSelection() {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}
