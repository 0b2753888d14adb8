// Scheduled meetings: the "starts at …" screen shown to people who come early (the server answered 409
// not_started), which lets them in by itself when the time comes, and a meeting's schedule line with its
// calendar file.
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import { calendarLink } from '../endpoints.js';
import { formatDateTime, t } from '../i18n.js';

/** @import { Room } from '../endpoints.js' */

/** When a refusal says the meeting starts (ISO time), or null for any other error. @param {unknown} error */
export function startsAtOf(error) {
  if (!(error instanceof ApiError) || error.code !== 'not_started') return null;
  return error.fields.starts_at || null;
}

/** @param {string} roomId */
function calendarButton(roomId) {
  return h(
    'a',
    { class: 'button', href: calendarLink(roomId), download: `${roomId}.ics`, testid: 'add-to-calendar' },
    t('schedule.add_to_calendar'),
  );
}

/**
 * Shows when the meeting starts; `onStart` runs at that time (a few seconds after, for clocks that differ).
 * @param {HTMLElement} view @param {string} roomId @param {string} startsAt @param {() => void} onStart
 * @returns {() => void} stops waiting
 */
export function showNotStarted(view, roomId, startsAt, onStart) {
  const title = h('h1', { class: 'outcome__title', testid: 'room-status', tabindex: '-1' }, t('schedule.not_started'));
  view.replaceChildren(
    h(
      'main',
      { class: 'outcome', testid: 'room-outcome', dataset: { reason: 'not_started', startsAt } },
      h(
        'div',
        { class: 'outcome__card' },
        title,
        h('p', { class: 'outcome__text' }, t('schedule.starts_text', { time: formatDateTime(startsAt) })),
        h('div', { class: 'outcome__actions' }, calendarButton(roomId)),
      ),
    ),
  );
  title.focus();
  // setTimeout holds at most ~24.8 days; a meeting further out is waited for in steps.
  const wait = Math.min(Math.max(0, Date.parse(startsAt) - Date.now()) + 2000, 2 ** 31 - 1);
  const timer = setTimeout(onStart, wait);
  return () => clearTimeout(timer);
}

/** "Starts …" with the calendar link, for a room that has a start still ahead; null otherwise. @param {Room} room */
export function upcomingLine(room) {
  if (!room.starts_at || Date.parse(room.starts_at) < Date.now() || room.status === 'ended') return null;
  return h(
    'span',
    { class: 'list__meta', testid: 'upcoming' },
    t('schedule.starts', { time: formatDateTime(room.starts_at) }),
    ' · ',
    h('a', { href: calendarLink(room.id), download: `${room.id}.ics` }, t('schedule.add_to_calendar')),
  );
}
