// "History" tab: my call sessions with when, how long, and who attended for how long.
import { h } from '../dom.js';
import { t, formatDateTime, formatDuration } from '../i18n.js';
import { get } from '../api.js';
import { errorText, emptyState, avatar } from '../ui.js';

export function historyTab(panel) {
  const list = h('ul', { class: 'list', testid: 'call-history', 'aria-busy': 'true' });
  panel.append(h('h2', { class: 'visually-hidden' }, t('home.tab_history')), list);
  get('/calls/history').then((answer) => {
    list.removeAttribute('aria-busy');
    const calls = answer?.items || [];
    if (!calls.length) return list.replaceWith(emptyState(t('history.empty'), 'call-history-empty'));
    for (const call of calls) {
      const people = call.participants || [];
      const ongoing = !call.ended_at;
      list.append(h('li', { class: 'list__item list__item--stacked', testid: 'history-item', dataset: { roomId: call.room_id } },
        h('div', { class: 'list__row' },
          h('div', { class: 'list__main' },
            h('span', { class: 'list__title' }, call.room_name || call.room_id),
            h('span', { class: 'list__meta' }, formatDateTime(call.started_at), ' · ',
              ongoing ? h('span', { class: 'badge badge--live' }, t('history.ongoing')) : h('span', { testid: 'history-duration' }, formatDuration(call.duration_s)))),
          ongoing ? h('a', { class: 'button', href: `/r/${encodeURIComponent(call.room_id)}`, 'data-link': '' }, t('home.join')) : null),
        people.length
          ? h('details', { class: 'history__people' },
            h('summary', {}, t('history.participants', { count: people.length })),
            h('ul', { class: 'people-mini' }, people.map((p) => h('li', { testid: 'history-participant' },
              avatar(p.display_name), h('span', {}, p.display_name || p.user_id),
              h('span', { class: 'list__meta' }, p.left_at || !ongoing ? formatDuration(p.duration_s) : t('history.still_there'))))))
          : null));
    }
  }).catch((error) => list.replaceWith(emptyState(errorText(error), 'call-history-error')));
}
