// Room chat panel: history from the API, live `chat.message` events from the realtime socket, send with POST.
import { attachmentList, PendingFiles } from '../attachments.js';
import { h, icon, linkified } from '../dom.js';
import { chat } from '../endpoints.js';
import { formatDateTime, formatTime, t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { typingLine } from '../typing.js';
import { errorText } from '../ui.js';
import { guestBadge } from './guestaccess.js';

/** @import { ChatMessage } from '../endpoints.js' */

const PAGE = 50;
const POLL_MS = 4000;

/** @param {ChatMessage} message @param {boolean} mine */
function messageItem(message, mine) {
  const sender = message.sender;
  const name = mine ? t('chat.me') : sender?.display_name || sender?.login || '';
  return h(
    'li',
    {
      class: `chat__message ${mine ? 'chat__message--mine' : ''}`,
      testid: 'chat-message',
      dataset: { id: String(message.id), sender: sender?.id ?? '' },
    },
    h(
      'div',
      { class: 'chat__meta' },
      h('span', { class: 'chat__sender' }, name, sender?.guest && guestBadge()),
      h(
        'time',
        { class: 'chat__time', datetime: message.created_at, title: formatDateTime(message.created_at) },
        formatTime(message.created_at),
      ),
    ),
    message.content ? h('p', { class: 'chat__text' }, linkified(message.content)) : null,
    attachmentList(message.attachments),
  );
}

export class ChatPanel {
  /**
   * @param {string} roomId
   * @param {{me: string | undefined, onClose: () => void, onUnread: (count: number) => void}} options
   */
  constructor(roomId, { me, onClose, onUnread }) {
    this.roomId = roomId;
    this.me = me ?? '';
    this.onUnread = onUnread;
    this.unread = 0;
    this.open = false;
    /** @type {Set<string>} ids of the messages shown */
    this.seen = new Set();
    /** @type {string | null} */
    this.nextBefore = null;
    this.list = h('ol', {
      class: 'chat__list',
      testid: 'chat-list',
      'aria-live': 'polite',
      'aria-label': t('chat.messages'),
      tabindex: '0',
    });
    this.more = h(
      'button',
      {
        class: 'button button--ghost chat__more',
        type: 'button',
        testid: 'chat-more',
        hidden: true,
        onclick: () => this.loadEarlier(),
      },
      t('chat.earlier'),
    );
    this.input = h('textarea', {
      id: 'chat-input',
      class: 'input chat-input',
      rows: 1,
      maxlength: 4000,
      testid: 'chat-input',
      placeholder: t('chat.placeholder'),
    });
    this.error = h('p', { class: 'form-error', role: 'alert', testid: 'chat-error', hidden: true });
    this.empty = h('p', { class: 'empty', testid: 'chat-empty' }, t('chat.empty'));
    this.files = new PendingFiles({ idPrefix: 'chat', onError: (text) => this.showError(text) });
    this.typing = typingLine({ target: { room_id: roomId }, matches: (data) => sameRoom(data.room_id, roomId), me });
    this.element = this.render(onClose);
    const offMessage = realtime.on('chat.message', (message) => {
      if (sameRoom(message.room_id, this.roomId)) this.add(message, { live: true });
    });
    const offResync = realtime.on('resync', () => this.loadLatest());
    this.off = () => {
      offMessage();
      offResync();
    };
    this.loadEarlier();
    // While the realtime socket is down, poll so the conversation keeps moving.
    this.poll = setInterval(() => {
      if (realtime.state !== 'online') this.loadLatest();
    }, POLL_MS);
  }

  /** @param {() => void} onClose */
  render(onClose) {
    const close = h(
      'button',
      { class: 'icon-button', type: 'button', testid: 'chat-close', 'aria-label': t('common.close'), onclick: onClose },
      icon('close'),
    );
    const panel = h(
      'aside',
      { class: 'panel', testid: 'chat-panel', 'aria-labelledby': 'chat-title', hidden: true },
      h(
        'header',
        { class: 'panel__header' },
        h('h2', { class: 'panel__title', id: 'chat-title' }, t('chat.title')),
        close,
      ),
      h('div', { class: 'chat__scroll' }, this.more, this.list, this.empty),
      this.typing.element,
      this.error,
      this.files.tray,
      this.composer(),
    );
    this.files.listen(panel, this.input);
    return panel;
  }

  /** The message box: Enter sends, Shift+Enter makes a new line. */
  composer() {
    const send = h(
      'button',
      {
        class: 'icon-button icon-button--primary',
        type: 'submit',
        testid: 'chat-send',
        'aria-label': t('chat.send'),
        title: t('chat.send'),
      },
      icon('send'),
    );
    const form = h(
      'form',
      { class: 'composer' },
      h('label', { class: 'visually-hidden', for: 'chat-input' }, t('chat.placeholder')),
      this.files.control,
      this.input,
      send,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener('input', () => this.typing.typed());
    this.input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      this.send();
    });
    return form;
  }

  async loadLatest() {
    try {
      const answer = await chat.messages(this.roomId, { limit: PAGE });
      for (const message of answer.items) this.add(message, { live: true });
    } catch {
      /* the next poll or the socket will catch up */
    }
  }

  async loadEarlier() {
    try {
      const answer = await chat.messages(this.roomId, { before: this.nextBefore, limit: PAGE });
      const anchor = this.list.firstChild;
      for (const message of answer.items) this.add(message, { before: anchor });
      this.nextBefore = answer.next_before == null ? null : String(answer.next_before);
      this.more.hidden = !this.nextBefore;
      if (!anchor) this.scrollToEnd();
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  /**
   * @param {ChatMessage} message
   * @param {{before?: ChildNode | null, live?: boolean}} where before: an older message goes above it; live: it just arrived
   */
  add(message, { before = null, live = false } = {}) {
    const id = String(message.id);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const mine = message.sender?.id === this.me;
    this.typing.heard(message.sender?.id);
    const scroller = this.list.parentElement;
    const atBottom = scroller && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    this.list.insertBefore(messageItem(message, mine), before);
    this.empty.hidden = true;
    if (live && !mine && !this.open) {
      this.unread += 1;
      this.onUnread(this.unread);
    }
    if (live && (atBottom || mine)) this.scrollToEnd();
  }

  async send() {
    const content = this.input.value.trim();
    if (!content && !this.files.items.length) return;
    this.input.value = '';
    this.error.hidden = true;
    try {
      const attachments = await this.files.ready();
      if (!content && !attachments.length) return;
      this.add(await chat.send(this.roomId, content, attachments), { live: true });
      this.files.clear();
      this.scrollToEnd();
    } catch (error) {
      this.input.value = content;
      this.showError(errorText(error));
    }
  }

  /** @param {string} text */
  showError(text) {
    this.error.textContent = text;
    this.error.hidden = false;
  }

  scrollToEnd() {
    const scroller = this.list.parentElement;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }

  /** @param {boolean} open */
  show(open) {
    this.open = open;
    this.element.hidden = !open;
    if (!open) return;
    this.unread = 0;
    this.onUnread(0);
    this.scrollToEnd();
    this.input.focus();
  }

  destroy() {
    clearInterval(this.poll);
    this.typing.stop();
    this.off();
  }
}
