// Room chat panel: history from the API, live `chat.message` events from the realtime socket, send with POST.
import { h, icon, linkified } from '../dom.js';
import { t, formatTime, formatDateTime } from '../i18n.js';
import { get, post } from '../api.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { typingLine } from '../typing.js';
import { errorText } from '../ui.js';


export class ChatPanel {
  constructor(roomId, { me, onClose, onUnread }) {
    this.roomId = roomId;
    this.me = String(me || '');
    this.onUnread = onUnread;
    this.unread = 0;
    this.open = false;
    this.seen = new Set();
    this.nextBefore = null;
    this.list = h('ol', { class: 'chat__list', testid: 'chat-list', 'aria-live': 'polite', 'aria-label': t('chat.messages'), tabindex: '0' });
    this.more = h('button', { class: 'button button--ghost chat__more', type: 'button', testid: 'chat-more', hidden: true, onclick: () => this.loadEarlier() }, t('chat.earlier'));
    this.input = h('textarea', { id: 'chat-input', class: 'input chat-input', rows: 1, maxlength: 4000, testid: 'chat-input', placeholder: t('chat.placeholder') });
    this.error = h('p', { class: 'form-error', role: 'alert', testid: 'chat-error', hidden: true });
    this.typing = typingLine({ target: { room_id: roomId }, matches: (data) => sameRoom(data.room_id, roomId), me });
    this.input.addEventListener('input', () => this.typing.typed());
    const form = h('form', { class: 'composer' },
      h('label', { class: 'visually-hidden', for: 'chat-input' }, t('chat.placeholder')),
      this.input,
      h('button', { class: 'icon-button icon-button--primary', type: 'submit', testid: 'chat-send', 'aria-label': t('chat.send'), title: t('chat.send') }, icon('send')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.element = h('aside', { class: 'panel', testid: 'chat-panel', 'aria-labelledby': 'chat-title', hidden: true },
      h('header', { class: 'panel__header' }, h('h2', { class: 'panel__title', id: 'chat-title' }, t('chat.title')),
        h('button', { class: 'icon-button', type: 'button', testid: 'chat-close', 'aria-label': t('common.close'), onclick: onClose }, icon('close'))),
      h('div', { class: 'chat__scroll' }, this.more, this.list, this.empty = h('p', { class: 'empty', testid: 'chat-empty' }, t('chat.empty'))),
      this.typing.element,
      this.error,
      form);
    this.off = realtime.on('chat.message', (message) => {
      if (sameRoom(message.room_id, this.roomId)) this.add(message, { live: true });
    });
    this.loadEarlier();
    // While the realtime socket is down, poll so the conversation keeps moving.
    this.poll = setInterval(() => {
      if (realtime.state !== 'online') this.loadLatest();
    }, 4000);
  }

  async loadLatest() {
    try {
      const answer = await get(`/rooms/${encodeURIComponent(this.roomId)}/chat/messages?limit=50`);
      for (const message of answer?.items || []) this.add(message, { live: true });
    } catch {
      /* the next poll or the socket will catch up */
    }
  }

  async loadEarlier() {
    const query = new URLSearchParams({ limit: '50' });
    if (this.nextBefore) query.set('before', this.nextBefore);
    try {
      const answer = await get(`/rooms/${encodeURIComponent(this.roomId)}/chat/messages?${query}`);
      const items = answer?.items || [];
      const anchor = this.list.firstChild;
      for (const message of items) this.add(message, { before: anchor });
      this.nextBefore = answer?.next_before || null;
      this.more.hidden = !this.nextBefore;
      if (!anchor) this.scrollToEnd();
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  add(message, { before = null, live = false } = {}) {
    const id = String(message.id);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const sender = message.sender || {};
    const mine = String(sender.id) === this.me;
    this.typing.heard(sender.id);
    const item = h('li', { class: `chat__message ${mine ? 'chat__message--mine' : ''}`, testid: 'chat-message', dataset: { id, sender: sender.id ?? '' } },
      h('div', { class: 'chat__meta' },
        h('span', { class: 'chat__sender' }, mine ? t('chat.me') : sender.display_name || sender.login || ''),
        h('time', { class: 'chat__time', datetime: message.created_at, title: formatDateTime(message.created_at) }, formatTime(message.created_at))),
      h('p', { class: 'chat__text' }, linkified(message.content)));
    const atBottom = this.list.parentElement && this.list.parentElement.scrollHeight - this.list.parentElement.scrollTop - this.list.parentElement.clientHeight < 80;
    if (before) this.list.insertBefore(item, before);
    else this.list.append(item);
    this.empty.hidden = true;
    if (live && !mine && !this.open) {
      this.unread += 1;
      this.onUnread?.(this.unread);
    }
    if (live && (atBottom || mine)) this.scrollToEnd();
  }

  async send() {
    const content = this.input.value.trim();
    if (!content) return;
    this.input.value = '';
    this.error.hidden = true;
    try {
      const message = await post(`/rooms/${encodeURIComponent(this.roomId)}/chat/messages`, { content });
      this.add(message, { live: true });
      this.scrollToEnd();
    } catch (error) {
      this.input.value = content;
      this.showError(errorText(error));
    }
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  scrollToEnd() {
    const scroller = this.list.parentElement;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }

  show(open) {
    this.open = open;
    this.element.hidden = !open;
    if (open) {
      this.unread = 0;
      this.onUnread?.(0);
      this.scrollToEnd();
      this.input.focus();
    }
  }

  destroy() {
    clearInterval(this.poll);
    this.typing.stop();
    this.off();
  }
}
