// "History" tab: my call sessions with when, how long, and who attended for how long.
import { h } from '../dom.js';
import { calls } from '../endpoints.js';
import { formatDateTime, formatDuration, t } from '../i18n.js';
import { guestBadge } from '../room/guestaccess.js';
import { avatar, emptyState, errorText } from '../ui.js';
import { attachRecordings } from './recordings.js';

/** @import { CallSession } from '../endpoints.js' */
/** @typedef {CallSession['participants'][number]} Attendance */

/** @param {Attendance} person @param {boolean} ongoing */
function attendee(person, ongoing) {
  const stay = person.left_at || !ongoing ? formatDuration(person.duration_s) : t('history.still_there');
  return h(
    'li',
    { testid: 'history-participant' },
    avatar(person.display_name),
    h('span', {}, person.display_name || person.user_id, person.guest && guestBadge()),
    h('span', { class: 'list__meta' }, stay),
  );
}

/** @param {CallSession} call */
function sessionItem(call) {
  const people = call.participants;
  const ongoing = !call.ended_at;
  const length = ongoing
    ? h('span', { class: 'badge badge--live' }, t('history.ongoing'))
    : h('span', { testid: 'history-duration' }, formatDuration(call.duration_s));
  const rejoin = ongoing
    ? h('a', { class: 'button', href: `/r/${encodeURIComponent(call.room_id)}`, 'data-link': '' }, t('home.join'))
    : null;
  const who = people.length
    ? h(
        'details',
        { class: 'history__people' },
        h('summary', {}, t('history.participants', { count: people.length })),
        h(
          'ul',
          { class: 'people-mini' },
          people.map((/** @type {Attendance} */ person) => attendee(person, ongoing)),
        ),
      )
    : null;
  return h(
    'li',
    { class: 'list__item list__item--stacked', testid: 'history-item', dataset: { roomId: call.room_id } },
    h(
      'div',
      { class: 'list__row' },
      h(
        'div',
        { class: 'list__main' },
        h('span', { class: 'list__title' }, call.room_name || call.room_id),
        h('span', { class: 'list__meta' }, formatDateTime(call.started_at), ' · ', length),
      ),
      rejoin,
    ),
    who,
  );
}

/** @param {HTMLElement} panel */
export function historyTab(panel) {
  const list = h('ul', { class: 'list', testid: 'call-history', 'aria-busy': 'true' });
  panel.append(h('h2', { class: 'visually-hidden' }, t('home.tab_history')), list);
  calls
    .history()
    .then((answer) => {
      list.removeAttribute('aria-busy');
      if (!answer.items.length) return list.replaceWith(emptyState(t('history.empty'), 'call-history-empty'));
      list.append(...answer.items.map((/** @type {CallSession} */ call) => sessionItem(call)));
      attachRecordings(list);
    })
    .catch((error) => list.replaceWith(emptyState(errorText(error), 'call-history-error')));
}
