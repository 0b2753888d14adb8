// Room chat panel: history from the API, live `chat.message` events from the realtime socket, send with POST;
// edits, deletes and reactions (`chat.message.edited|deleted`, `chat.reaction`) replace a message by id.
import { attachmentList, PendingFiles } from '../attachments.js';
import { h, icon } from '../dom.js';
import { chat, unread } from '../endpoints.js';
import { formatDateTime, formatTime, t } from '../i18n.js';
import {
  confirmDelete,
  Draft,
  messageBody,
  messageMenu,
  quoteBlock,
  reactionChips,
  ShownMessages,
  showMessage,
} from '../messaging.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { typingLine } from '../typing.js';
import { errorText } from '../ui.js';
import { guestBadge } from './guestaccess.js';

/** @import { ChatMessage } from '../endpoints.js' */
/** @import { AnyMessage, MessageActions } from '../messaging.js' */

const PAGE = 50;
/** @type {('chat.message.edited' | 'chat.message.deleted' | 'chat.reaction')[]} */
const CHANGES = ['chat.message.edited', 'chat.message.deleted', 'chat.reaction'];
const POLL_MS = 4000;

/** @param {ChatMessage} message @param {MessageActions} actions */
function messageItem(message, actions) {
  const mine = message.sender?.id === actions.me;
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
      messageMenu(message, actions),
    ),
    quoteBlock(message, actions),
    messageBody(message, 'chat__text'),
    message.deleted ? null : attachmentList(message.attachments),
    reactionChips(message, actions),
  );
}

/** A button that loads another page of history. @param {string} testid @param {string} label @param {() => void} onclick */
function pageButton(testid, label, onclick) {
  return h(
    'button',
    { class: 'button button--ghost chat__more', type: 'button', testid, hidden: true, onclick },
    label,
  );
}

export class ChatPanel {
  /**
   * @param {string} roomId
   * @param {{me: string | undefined, onClose: () => void, onUnread: (count: number) => void, isHost?: () => boolean}} options
   */
  constructor(roomId, { me, onClose, onUnread, isHost = () => false }) {
    this.roomId = roomId;
    this.me = me ?? '';
    this.isHost = isHost;
    /** @type {ShownMessages<ChatMessage>} */
    this.items = new ShownMessages((message) => messageItem(message, this.actions()));
    /** @type {number} the newest message id I have told the server I read */
    this.readUpTo = 0;
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
    this.more = pageButton('chat-more', t('chat.earlier'), () => this.loadEarlier());
    this.latest = pageButton('chat-latest', t('messages.latest'), () => this.backToLatest());
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
    this.draft = new Draft(this.input);
    this.element = this.render(onClose);
    this.off = this.listen();
    this.loadEarlier();
    this.loadUnread();
    // While the realtime socket is down, poll so the conversation keeps moving.
    this.poll = setInterval(() => {
      if (realtime.state !== 'online') this.loadLatest();
    }, POLL_MS);
  }

  /** Live messages, their changes, and my read position moved on another device. */
  listen() {
    /** @param {ChatMessage} message */
    const here = (message) => sameRoom(message.room_id, this.roomId);
    const offs = [
      realtime.on('chat.message', (message) => here(message) && this.add(message, { live: true })),
      ...CHANGES.map((type) => realtime.on(type, (message) => here(message) && this.update(message))),
      realtime.on('read.position', (position) => {
        if (position.kind !== 'room' || !sameRoom(position.conversation_id, this.roomId)) return;
        this.readUpTo = Math.max(this.readUpTo, position.message_id);
        this.unread = this.open ? 0 : position.unread;
        this.onUnread(this.unread);
      }),
      realtime.on('resync', () => this.loadLatest()),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  /** What a message's menu and chips do here. @returns {MessageActions} */
  actions() {
    return {
      me: this.me,
      moderator: this.isHost(),
      react: (message, emoji, on) => this.run(chat.react(this.roomId, message.id, emoji, on)),
      reply: (message) => this.draft.reply(message),
      edit: (message) => this.draft.edit(message),
      remove: async (message) => {
        if (await confirmDelete()) this.run(chat.remove(this.roomId, message.id));
      },
      jump: (id) => this.jump(id),
    };
  }

  /** A change of a message: the answer replaces it (the event will too). @param {Promise<AnyMessage>} change */
  async run(change) {
    try {
      this.update(/** @type {ChatMessage} */ (await change));
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  /** Shows a quoted message: in the list already, or with the history around it. @param {number} id */
  async jump(id) {
    if (showMessage(this.list, id)) return;
    try {
      const answer = await chat.messages(this.roomId, { around: id, limit: PAGE });
      this.forget();
      for (const message of answer.items) this.add(message);
      this.nextBefore = answer.next_before == null ? null : String(answer.next_before);
      this.more.hidden = !this.nextBefore;
      this.latest.hidden = answer.next_after == null;
      showMessage(this.list, id);
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  /** What I had not read here before this visit, for the Chat button's badge. */
  async loadUnread() {
    try {
      const counts = await unread();
      const here = counts.rooms.find((room) => sameRoom(room.room_id, this.roomId));
      if (!here || this.open) return;
      this.unread = here.unread;
      this.onUnread(this.unread);
    } catch {
      /* the badge counts from the next message on */
    }
  }

  forget() {
    this.list.replaceChildren();
    this.items.clear();
    this.seen.clear();
  }

  /** Back from history around a quoted message to the newest messages. */
  backToLatest() {
    this.forget();
    this.nextBefore = null;
    this.latest.hidden = true;
    this.loadEarlier();
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
      h('div', { class: 'chat__scroll' }, this.more, this.list, this.latest, this.empty),
      this.typing.element,
      this.error,
      this.files.tray,
      this.draft.element,
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
    if (this.seen.has(id)) return this.update(message);
    this.seen.add(id);
    const mine = message.sender?.id === this.me;
    this.typing.heard(message.sender?.id);
    const scroller = this.list.parentElement;
    const atBottom = scroller && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    this.list.insertBefore(this.items.add(message), before);
    this.empty.hidden = true;
    if (live && !mine && !this.open && !message.deleted) {
      this.unread += 1;
      this.onUnread(this.unread);
    }
    if (live && (atBottom || mine)) this.scrollToEnd();
    if (this.open) this.markRead();
  }

  /** A shown message changed (edited, deleted, reacted to): it is drawn again in place. @param {ChatMessage} message */
  update(message) {
    this.items.update(message);
  }

  /** Tells the server (and so my other devices) I read up to the newest message shown. */
  markRead() {
    const newest = this.items.newest();
    if (newest <= this.readUpTo || document.hidden) return;
    this.readUpTo = newest;
    chat.markRead(this.roomId, newest).catch(() => {
      this.readUpTo = 0; // told again with the next message
    });
  }

  async send() {
    const content = this.input.value.trim();
    if (!content && !this.files.items.length) return;
    const pending = this.draft.pending;
    this.input.value = '';
    this.error.hidden = true;
    try {
      if (pending?.mode === 'edit') {
        if (content) this.update(await chat.edit(this.roomId, pending.message.id, content));
      } else {
        const attachments = await this.files.ready();
        if (!content && !attachments.length) return;
        const message = await chat.send(this.roomId, content, { attachments, replyTo: this.draft.replyTo() });
        this.add(message, { live: true });
        this.files.clear();
      }
      this.draft.clear();
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
    this.markRead();
    this.input.focus();
  }

  destroy() {
    clearInterval(this.poll);
    this.typing.stop();
    this.off();
  }
}
