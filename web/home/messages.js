// "Messages" tab: direct-message conversations, one open thread with live updates and read receipts.
import { h, linkified } from '../dom.js';
import { t, formatTime, formatDateTime } from '../i18n.js';
import { get, post } from '../api.js';
import { realtime } from '../realtime.js';
import { errorText, emptyState, avatar } from '../ui.js';
import { typingLine } from '../typing.js';

const senderId = (m) => String(m.sender?.id ?? m.sender_id ?? m.from ?? '');
const peerOf = (m, me) => (senderId(m) === me ? String(m.recipient?.id ?? m.recipient_id ?? m.to ?? '') : senderId(m));

export function messagesTab(panel, ctx) {
  const me = String(ctx.user?.id ?? '');
  const conversations = h('ul', { class: 'list conversations', testid: 'dm-conversations' });
  const thread = h('div', { class: 'thread', testid: 'dm-thread' }, emptyState(t('dm.pick')));
  let openPeer = null;
  let threadList = null;
  const seen = new Set();
  let typing = null;

  async function loadConversations() {
    try {
      const answer = await get('/dm');
      const items = answer?.items || [];
      conversations.replaceChildren(...items.map((c) => {
        const name = c.user.display_name || c.user.login;
        return h('li', {},
          h('button', { class: `conversation ${String(c.user.id) === openPeer ? 'conversation--open' : ''}`, type: 'button', testid: 'dm-conversation', dataset: { userId: c.user.id },
            onclick: () => openThread(c.user) },
          avatar(name),
          h('span', { class: 'list__main' }, h('span', { class: 'list__title' }, name),
            h('span', { class: 'list__meta conversation__last' }, c.last_message?.content || '')),
          c.unread ? h('span', { class: 'badge badge--count', 'aria-label': t('dm.unread', { count: c.unread }) }, String(c.unread)) : null));
      }));
      if (!items.length) conversations.replaceChildren(h('li', {}, emptyState(t('dm.empty'), 'dm-empty')));
      return items;
    } catch (error) {
      conversations.replaceChildren(h('li', {}, emptyState(errorText(error))));
      return [];
    }
  }

  function messageItem(m) {
    const mine = senderId(m) === me;
    return h('li', { class: `bubble ${mine ? 'bubble--mine' : ''}`, testid: 'dm-message', dataset: { id: m.id } },
      h('p', { class: 'bubble__text' }, linkified(m.content)),
      h('span', { class: 'bubble__meta', title: formatDateTime(m.created_at) }, formatTime(m.created_at),
        mine && m.read_at ? ` · ${t('dm.read')}` : ''));
  }

  function addMessage(m) {
    if (!threadList || seen.has(String(m.id))) return;
    seen.add(String(m.id));
    typing?.heard(senderId(m));
    threadList.append(messageItem(m));
    threadList.scrollTop = threadList.scrollHeight;
    if (senderId(m) !== me && !m.read_at) markRead();
  }

  let readTimer;
  function markRead() {
    clearTimeout(readTimer);
    const peer = openPeer;
    readTimer = setTimeout(() => {
      if (!document.hidden && peer === openPeer) post(`/dm/${encodeURIComponent(peer)}/read`, {}).then(loadConversations).catch(() => {});
    }, 300);
  }

  async function openThread(user) {
    openPeer = String(user.id);
    seen.clear();
    const name = user.display_name || user.login || openPeer;
    threadList = h('ol', { class: 'thread__list', testid: 'dm-list', 'aria-live': 'polite' });
    const input = h('textarea', { id: 'dm-input', class: 'input chat-input', rows: 1, maxlength: 4000, testid: 'dm-input', placeholder: t('dm.placeholder', { name }) });
    const form = h('form', { class: 'composer' },
      h('label', { class: 'visually-hidden', for: 'dm-input' }, t('dm.placeholder', { name })),
      input, h('button', { class: 'button button--primary', type: 'submit', testid: 'dm-send' }, t('chat.send')));
    const send = async () => {
      const content = input.value.trim();
      if (!content) return;
      input.value = '';
      try {
        addMessage(await post(`/dm/${encodeURIComponent(openPeer)}/messages`, { content }));
      } catch (error) {
        input.value = content;
        threadList.append(h('li', { class: 'form-error', role: 'alert' }, errorText(error)));
      }
    };
    form.addEventListener('submit', (event) => { event.preventDefault(); send(); });
    typing?.stop();
    const peer = openPeer;
    typing = typingLine({ target: { to: peer }, matches: (data) => String(data.user?.id) === peer && !data.room_id, me });
    input.addEventListener('input', () => typing.typed());
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); send(); }
    });
    thread.replaceChildren(h('h3', { class: 'thread__title' }, avatar(name), name), threadList, typing.element, form);
    input.focus();
    try {
      const answer = await get(`/dm/${encodeURIComponent(openPeer)}/messages?limit=50`);
      for (const m of answer?.items || []) addMessage(m);
    } catch (error) {
      threadList.append(h('li', { class: 'form-error', role: 'alert' }, errorText(error)));
    }
    loadConversations();
  }

  panel.append(h('h2', { class: 'visually-hidden' }, t('home.tab_messages')), h('div', { class: 'messages' }, conversations, thread));
  loadConversations().then(async (items) => {
    const wanted = ctx.query.get('dm');
    if (!wanted) return;
    const known = items.find((c) => String(c.user.id) === wanted)?.user;
    openThread(known || await get(`/users/${encodeURIComponent(wanted)}`).catch(() => ({ id: wanted })));
  });

  const offMessage = realtime.on('dm.message', (m) => {
    if (openPeer && peerOf(m, me) === openPeer) addMessage(m);
    loadConversations();
  });
  const offReceipt = realtime.on('dm.receipt', () => openPeer && loadConversations());
  return () => {
    typing?.stop();
    clearTimeout(readTimer);
    offMessage();
    offReceipt();
  };
}
