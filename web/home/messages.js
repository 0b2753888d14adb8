// "Messages" tab: direct-message conversations, one open thread with live updates and read receipts.
import { h } from '../dom.js';
import { dm, users } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { avatar, emptyState, errorText } from '../ui.js';
import { Thread } from './thread.js';

/** @import { PageContext } from '../app.js' */
/** @import { Conversation, DirectMessage, Person } from '../endpoints.js' */

/** @type {('dm.message.edited' | 'dm.message.deleted' | 'dm.reaction')[]} */
const CHANGES = ['dm.message.edited', 'dm.message.deleted', 'dm.reaction'];

/**
 * The other person of a direct message, seen from me.
 * @param {DirectMessage} message
 * @param {string} me
 */
const peerOf = (message, me) => (message.sender?.id === me ? message.recipient_id : (message.sender?.id ?? ''));

/** @param {Conversation} conversation @param {boolean} open @param {(user: Person) => void} onOpen */
function conversationItem({ user, last_message: last, unread }, open, onOpen) {
  const name = user.display_name || user.login;
  const badge = unread
    ? h('span', { class: 'badge badge--count', 'aria-label': t('dm.unread', { count: unread }) }, String(unread))
    : null;
  return h(
    'li',
    {},
    h(
      'button',
      {
        class: `conversation ${open ? 'conversation--open' : ''}`,
        type: 'button',
        testid: 'dm-conversation',
        dataset: { userId: user.id },
        onclick: () => onOpen(user),
      },
      avatar(name),
      h(
        'span',
        { class: 'list__main' },
        h('span', { class: 'list__title' }, name),
        h(
          'span',
          { class: 'list__meta conversation__last' },
          last?.deleted ? t('messages.deleted') : last?.content || '',
        ),
      ),
      badge,
    ),
  );
}

/** @param {HTMLElement} panel @param {PageContext} ctx */
export function messagesTab(panel, ctx) {
  const me = ctx.user?.id ?? '';
  const conversations = h('ul', { class: 'list conversations', testid: 'dm-conversations' });
  const thread = new Thread(me, () => loadConversations());
  /** @returns {Promise<Conversation[]>} */
  async function loadConversations() {
    try {
      const { items } = await dm.conversations();
      conversations.replaceChildren(
        ...items.map((/** @type {Conversation} */ c) =>
          conversationItem(c, c.user.id === thread.peer, (user) => thread.open(user)),
        ),
      );
      if (!items.length) conversations.replaceChildren(h('li', {}, emptyState(t('dm.empty'), 'dm-empty')));
      return items;
    } catch (error) {
      conversations.replaceChildren(h('li', {}, emptyState(errorText(error))));
      return [];
    }
  }
  panel.append(
    h('h2', { class: 'visually-hidden' }, t('home.tab_messages')),
    h('div', { class: 'messages' }, conversations, thread.element),
  );
  loadConversations().then(async (items) => {
    const wanted = ctx.query.get('dm');
    if (!wanted) return;
    const known = items.find((c) => c.user.id === wanted)?.user;
    thread.open(known || (await users.get(wanted).catch(() => ({ id: wanted, login: wanted, display_name: '' }))));
  });
  const offMessage = realtime.on('dm.message', (message) => {
    if (thread.peer && peerOf(message, me) === thread.peer) thread.add(message);
    loadConversations();
  });
  /** @param {DirectMessage} message */
  const changed = (message) => {
    if (thread.peer && peerOf(message, me) === thread.peer) thread.update(message);
    loadConversations();
  };
  const offChanges = CHANGES.map((type) => realtime.on(type, changed));
  const offReceipt = realtime.on('dm.receipt', () => thread.peer && loadConversations());
  const offRead = realtime.on('read.position', (position) => position.kind === 'dm' && loadConversations());
  const offResync = realtime.on('resync', () => {
    loadConversations();
    thread.catchUp();
  });
  return () => {
    thread.close();
    offMessage();
    offReceipt();
    offRead();
    offResync();
    for (const off of offChanges) off();
  };
}
