// "My rooms" tab: rooms I host or joined, newest first, each with a join button and its ID.
import { h } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { get } from '../api.js';
import { errorText, emptyState } from '../ui.js';

export function roomsTab(panel, ctx) {
  const list = h('ul', { class: 'list', testid: 'my-rooms', 'aria-busy': 'true' });
  panel.append(h('h2', { class: 'visually-hidden' }, t('home.tab_rooms')), list);
  get('/rooms').then((answer) => {
    list.removeAttribute('aria-busy');
    const rooms = answer?.items || (Array.isArray(answer) ? answer : []);
    if (!rooms.length) return list.replaceWith(emptyState(t('home.no_rooms'), 'my-rooms-empty'));
    for (const room of rooms) {
      const ended = room.status === 'ended';
      list.append(h('li', { class: 'list__item', testid: 'my-room', dataset: { roomId: room.id } },
        h('div', { class: 'list__main' },
          h('span', { class: 'list__title' }, room.name || room.id),
          h('span', { class: 'list__meta' },
            h('code', { class: 'code' }, room.id), ' · ', formatDateTime(room.created_at),
            room.host_id === ctx.user?.id ? ` · ${t('home.you_host')}` : '',
            ended ? h('span', { class: 'badge' }, t('room.status_ended')) : null)),
        ended ? null : h('a', { class: 'button', href: `/r/${encodeURIComponent(room.id)}`, 'data-link': '', 'aria-label': t('home.join_room', { name: room.name || room.id }) }, t('home.join'))));
    }
  }).catch((error) => list.replaceWith(emptyState(errorText(error), 'my-rooms-error')));
}
