// Guests in the call: the host's "guest access" setting (off, lobby, open) and who is a guest.
import { h } from '../dom.js';
import { rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { errorText, toast } from '../ui.js';

/** @import { Room as RoomAnswer } from '../endpoints.js' */
/** @import { CallRoom } from './call.js' */
/** @import { Participant } from './livekit.js' */
/** @typedef {RoomAnswer['guest_access']} GuestAccess */

/** @type {GuestAccess[]} */
const CHOICES = ['off', 'lobby', 'open'];

/** Whether the server let this participant in as a guest (its token's metadata says so). @param {Participant} participant */
export function isGuest(participant) {
  try {
    return JSON.parse(participant.metadata || '{}').guest === true;
  } catch {
    return false;
  }
}

/** A "guest" badge beside a name. */
export function guestBadge() {
  return h('span', { class: 'badge', testid: 'guest-badge' }, t('guest.badge'));
}

/**
 * The host's picker: who may come in without an account. Kept in step by room.updated.
 * @param {CallRoom & {guest_access?: GuestAccess}} roomInfo changed in place when the host picks
 * @returns {{element: HTMLElement, stop: () => void}}
 */
export function guestAccessPicker(roomInfo) {
  const select = h(
    'select',
    { id: 'room-guest-access', class: 'select select--compact', testid: 'room-guest_access' },
    CHOICES.map((choice) =>
      h(
        'option',
        { value: choice, selected: (roomInfo.guest_access || 'off') === choice },
        t(`guest.access_${choice}`),
      ),
    ),
  );
  select.addEventListener('change', async () => {
    const before = roomInfo.guest_access || 'off';
    const picked = /** @type {GuestAccess} */ (select.value);
    try {
      Object.assign(roomInfo, await rooms.update(roomInfo.id, { guest_access: picked }));
    } catch (error) {
      select.value = before;
      toast(errorText(error), { kind: 'error' });
    }
  });
  const stop = realtime.on('room.updated', (room) => {
    if (sameRoom(room.id, roomInfo.id)) select.value = room.guest_access;
  });
  const element = h('label', { class: 'switch', for: 'room-guest-access' }, h('span', {}, t('guest.access')), select);
  return { element, stop };
}
