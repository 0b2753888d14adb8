// "Groups" tab: my group conversations (unread counts, live), a new-group dialog and one open group thread.
import { h } from '../dom.js';
import { groups } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { avatar, emptyState, errorText } from '../ui.js';
import { openNewGroup } from './group_members.js';
import { GroupThread } from './group_thread.js';

/** @import { PageContext } from '../app.js' */
/** @import { GroupSummary } from '../endpoints.js' */

/** @param {GroupSummary} group @param {boolean} open @param {(groupId: string) => void} onOpen */
function groupItem({ id, title, last_message: last, unread }, open, onOpen) {
  const badge = unread
    ? h('span', { class: 'badge badge--count', 'aria-label': t('dm.unread', { count: unread }) }, String(unread))
    : null;
  const lastText = last?.deleted ? t('messages.deleted') : last?.content || last?.attachments[0]?.filename || '';
  const lastLine = last ? `${last.sender?.display_name || last.sender?.login || ''}: ${lastText}` : '';
  return h(
    'li',
    {},
    h(
      'button',
      {
        class: `conversation ${open ? 'conversation--open' : ''}`,
        type: 'button',
        testid: 'group-item',
        dataset: { groupId: id },
        'aria-current': open ? 'true' : null,
        onclick: () => onOpen(id),
      },
      avatar(title),
      h(
        'span',
        { class: 'list__main' },
        h('span', { class: 'list__title' }, title),
        h('span', { class: 'list__meta conversation__last' }, lastLine),
      ),
      badge,
    ),
  );
}

/**
 * Keeps the list and the open thread live; returns the unsubscribers.
 * @param {GroupThread} thread @param {string} me @param {() => void} load
 */
function listen(thread, me, load) {
  return [
    realtime.on('group.message', (message) => {
      thread.add(message);
      load();
    }),
    .../** @type {const} */ (['group.message.edited', 'group.message.deleted', 'group.reaction']).map((type) =>
      realtime.on(type, (message) => {
        thread.update(message);
        if (type !== 'group.reaction') load(); // the list shows the last message's text
      }),
    ),
    realtime.on('read.position', ({ kind }) => {
      if (kind === 'group') load();
    }),
    .../** @type {const} */ (['group.created', 'group.updated']).map((type) =>
      realtime.on(type, (group) => {
        if (group.id === thread.group?.id) thread.changed(group);
        else load();
      }),
    ),
    .../** @type {const} */ (['group.member_added', 'group.member_removed']).map((type) =>
      realtime.on(type, ({ group, user_ids: userIds }) => {
        const gone = type === 'group.member_removed' && userIds.includes(me);
        if (group.id === thread.group?.id) thread.changed(gone ? null : group);
        else load();
      }),
    ),
    realtime.on('resync', () => {
      load();
      thread.catchUp();
    }),
  ];
}

/** @param {HTMLElement} panel @param {PageContext} ctx */
export function groupsTab(panel, ctx) {
  const me = ctx.user?.id ?? '';
  const list = h('ul', { class: 'list conversations', testid: 'groups' });
  const thread = new GroupThread(me, ctx.navigate, () => load());
  const open = (/** @type {string} */ groupId, /** @type {number | undefined} */ around = undefined) =>
    thread.open(groupId, around).then(load);
  async function load() {
    try {
      const { items } = await groups.list();
      const current = thread.group?.id;
      list.replaceChildren(...items.map((g) => groupItem(g, g.id === current, open)));
      if (!items.length) list.replaceChildren(h('li', {}, emptyState(t('groups.empty'), 'groups-empty')));
    } catch (error) {
      list.replaceChildren(h('li', {}, emptyState(errorText(error))));
    }
  }
  const create = h(
    'button',
    {
      class: 'button button--primary',
      type: 'button',
      testid: 'new-group',
      onclick: () => openNewGroup((group) => open(group.id)),
    },
    t('groups.new'),
  );
  panel.append(
    h('h2', { class: 'visually-hidden' }, t('home.tab_groups')),
    h('div', { class: 'messages' }, h('div', { class: 'groups__side' }, create, list), thread.element),
  );
  const wanted = ctx.query.get('group');
  (wanted ? open(wanted, Number(ctx.query.get('message')) || undefined) : load()).catch(() => {});
  const offs = listen(thread, me, load);
  return () => {
    thread.close();
    for (const off of offs) off();
  };
}
