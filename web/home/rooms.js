// "My rooms" tab: rooms I host or joined, newest first, each with a join button and its ID.
import { h } from '../dom.js';
import { rooms } from '../endpoints.js';
import { formatDateTime, t } from '../i18n.js';
import { upcomingLine } from '../room/schedule.js';
import { emptyState, errorText } from '../ui.js';
import { paintUnread } from './unread.js';

/** @import { PageContext } from '../app.js' */
/** @import { Room } from '../endpoints.js' */

/** @param {Room} room @param {string | undefined} me */
function roomItem(room, me) {
  const ended = room.status === 'ended';
  const name = room.name || room.id;
  const meta = h(
    'span',
    { class: 'list__meta' },
    h('code', { class: 'code' }, room.id),
    ' · ',
    formatDateTime(room.created_at),
    room.host_id === me ? ` · ${t('home.you_host')}` : '',
    ended ? h('span', { class: 'badge' }, t('room.status_ended')) : null,
  );
  const join = ended
    ? null
    : h(
        'a',
        {
          class: 'button',
          href: `/r/${encodeURIComponent(room.id)}`,
          'data-link': '',
          'aria-label': t('home.join_room', { name }),
        },
        t('home.join'),
      );
  return h(
    'li',
    { class: 'list__item', testid: 'my-room', dataset: { roomId: room.id } },
    h('div', { class: 'list__main' }, h('span', { class: 'list__title' }, name), meta, upcomingLine(room)),
    join,
  );
}

/** @param {HTMLElement} panel @param {PageContext} ctx */
export function roomsTab(panel, ctx) {
  const list = h('ul', { class: 'list', testid: 'my-rooms', 'aria-busy': 'true' });
  panel.append(h('h2', { class: 'visually-hidden' }, t('home.tab_rooms')), list);
  rooms
    .list()
    .then((answer) => {
      list.removeAttribute('aria-busy');
      if (!answer.items.length) return list.replaceWith(emptyState(t('home.no_rooms'), 'my-rooms-empty'));
      list.append(...answer.items.map((/** @type {Room} */ room) => roomItem(room, ctx.user?.id)));
      paintUnread(list);
    })
    .catch((error) => list.replaceWith(emptyState(errorText(error), 'my-rooms-error')));
}
