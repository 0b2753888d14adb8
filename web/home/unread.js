// Unread counts on the home page: the total in the document title, a badge on the Messages and Groups tabs
// and one on each room of "My rooms". GET /unread is asked again (debounced) whenever a message or a read position moves.
import { h } from '../dom.js';
import { unread } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';

/** @import { Answers, RealtimeEvents } from '../types.js' */
/** @typedef {Answers['GET /api/v1/unread']} UnreadCounts */

/** @type {UnreadCounts | null} the last counts heard, for lists drawn after them */
let latest = null;

/** @param {number} count @param {string} testid */
const badge = (count, testid) =>
  h(
    'span',
    { class: 'badge badge--count unread-badge', testid, 'aria-label': t('messages.unread', { count }) },
    String(count),
  );

/** Puts the last counts on the Messages tab and the rooms shown under `root`. @param {ParentNode} root */
export function paintUnread(root) {
  if (!latest) return;
  const sum = (/** @type {{unread: number}[]} */ items) => items.reduce((total, item) => total + item.unread, 0);
  for (const [tabId, count, testid] of /** @type {const} */ ([
    ['tab-messages', sum(latest.dms), 'unread-messages'],
    ['tab-groups', sum(latest.groups), 'unread-groups'],
  ])) {
    const tab = root.querySelector(`[data-testid="${tabId}"]`);
    tab?.querySelector('.unread-badge')?.remove();
    if (tab && count) tab.append(badge(count, testid));
  }
  const rooms = new Map(latest.rooms.map((item) => [item.room_id, item.unread]));
  for (const item of root.querySelectorAll('[data-testid="my-room"]')) {
    const title = item.querySelector('.list__title');
    title?.querySelector('.unread-badge')?.remove();
    const count = rooms.get(/** @type {HTMLElement} */ (item).dataset.roomId ?? '');
    if (title && count) title.append(' ', badge(count, 'unread-room'));
  }
}

/** Keeps the counts fresh while the home page is open; returns the function that stops it. */
export function watchUnread() {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const refresh = async () => {
    try {
      latest = await unread();
    } catch {
      return; // the next event tries again
    }
    document.title = latest.total ? `(${latest.total}) ${t('app.name')}` : t('app.name');
    paintUnread(document);
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  };
  /** @type {(keyof RealtimeEvents)[]} */
  const types = [
    'chat.message',
    'dm.message',
    'group.message',
    'read.position',
    'chat.message.deleted',
    'dm.message.deleted',
    'group.message.deleted',
  ];
  const offs = [...types.map((type) => realtime.on(type, soon)), realtime.on('resync', soon)];
  refresh();
  return () => {
    clearTimeout(timer);
    for (const off of offs) off();
    document.title = t('app.name');
  };
}
