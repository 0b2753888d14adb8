// One open direct-message conversation: its messages, the composer, typing and read receipts; replies,
// edits, deletes and reactions through each message's menu.
import { attachmentList, dropZone, PendingFiles } from '../attachments.js';
import { h } from '../dom.js';
import { dm } from '../endpoints.js';
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
import { typingLine } from '../typing.js';
import { avatar, emptyState, errorText } from '../ui.js';

/** @import { DirectMessage, Person } from '../endpoints.js' */
/** @import { TypingLine } from '../typing.js' */
/** @import { AnyMessage, MessageActions } from '../messaging.js' */

/** @param {DirectMessage} message @param {MessageActions} actions */
function bubble(message, actions) {
  const mine = message.sender?.id === actions.me;
  const read = mine && message.read_at ? ` · ${t('dm.read')}` : '';
  return h(
    'li',
    { class: `bubble ${mine ? 'bubble--mine' : ''}`, testid: 'dm-message', dataset: { id: String(message.id) } },
    quoteBlock(message, actions),
    messageBody(message, 'bubble__text'),
    message.deleted ? null : attachmentList(message.attachments),
    reactionChips(message, actions),
    h(
      'span',
      { class: 'bubble__meta', title: formatDateTime(message.created_at) },
      formatTime(message.created_at),
      read,
      messageMenu(message, actions),
    ),
  );
}

export class Thread {
  /**
   * @param {string} me my user id
   * @param {() => void} onRead the peer's messages were marked read (the conversation list changes)
   */
  constructor(me, onRead) {
    this.me = me;
    this.onRead = onRead;
    /** @type {string | null} the user id of the open conversation */
    this.peer = null;
    /** @type {HTMLOListElement | null} */
    this.list = null;
    /** @type {TypingLine | null} */
    this.typing = null;
    /** @type {Set<string>} */
    this.seen = new Set();
    /** @type {ShownMessages<DirectMessage>} */
    this.items = new ShownMessages((message) => bubble(message, this.actions()));
    /** @type {Draft | null} the reply or edit in progress */
    this.draft = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.readTimer = undefined;
    this.element = h('div', { class: 'thread', testid: 'dm-thread' }, emptyState(t('dm.pick')));
    /** @type {PendingFiles | null} the open conversation's files to send */
    this.files = null;
    // Once: the element stays while conversations change, so a drop goes to whichever is open.
    dropZone(this.element, (files) => this.files?.add(files));
  }

  /** @param {Pick<Person, 'id' | 'login' | 'display_name'>} user */
  async open(user) {
    const peer = user.id;
    this.peer = peer;
    this.seen.clear();
    this.items.clear();
    const name = user.display_name || user.login || peer;
    const list = h('ol', { class: 'thread__list', testid: 'dm-list', 'aria-live': 'polite' });
    this.list = list;
    this.typing?.stop();
    this.typing = typingLine({
      target: { to: peer },
      matches: (data) => data.user.id === peer && !data.room_id,
      me: this.me,
    });
    const composer = this.composer(peer, name, this.typing);
    this.element.replaceChildren(
      h('h3', { class: 'thread__title' }, avatar(name), name),
      list,
      this.typing.element,
      composer.files.tray,
      composer.draft.element,
      composer.form,
    );
    this.files = composer.files;
    composer.files.listenForPaste(composer.input);
    composer.input.focus();
    await this.catchUp();
  }

  /** The newest messages of the open conversation, from the server (on opening, and after a `resync`). */
  async catchUp() {
    const peer = this.peer;
    if (!peer) return;
    try {
      const { items } = await dm.messages(peer, { limit: 50 });
      if (peer !== this.peer) return;
      for (const message of items) this.add(message);
    } catch (error) {
      this.showError(errorText(error));
    }
    this.onRead();
  }

  /** @param {string} peer @param {string} name @param {TypingLine} typing */
  composer(peer, name, typing) {
    const input = h('textarea', {
      id: 'dm-input',
      class: 'input chat-input',
      rows: 1,
      maxlength: 4000,
      testid: 'dm-input',
      placeholder: t('dm.placeholder', { name }),
    });
    const files = new PendingFiles({ idPrefix: 'dm', onError: (text) => this.showError(text) });
    const form = h(
      'form',
      { class: 'composer' },
      h('label', { class: 'visually-hidden', for: 'dm-input' }, t('dm.placeholder', { name })),
      files.control,
      input,
      h('button', { class: 'button button--primary', type: 'submit', testid: 'dm-send' }, t('chat.send')),
    );
    const draft = new Draft(input);
    this.draft = draft;
    const send = async () => {
      const content = input.value.trim();
      if (!content && !files.items.length) return;
      const pending = draft.pending;
      input.value = '';
      try {
        if (pending?.mode === 'edit') {
          if (content) this.update(await dm.edit(peer, pending.message.id, content));
        } else {
          const attachments = await files.ready();
          if (!content && !attachments.length) return;
          this.add(await dm.send(peer, content, { attachments, replyTo: draft.replyTo() }));
          files.clear();
        }
        draft.clear();
      } catch (error) {
        input.value = content;
        this.showError(errorText(error));
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      send();
    });
    input.addEventListener('input', () => typing.typed());
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey) return;
      event.preventDefault();
      send();
    });
    return { form, input, draft, files };
  }

  /** @param {DirectMessage} message */
  add(message) {
    if (!this.list) return;
    if (this.seen.has(String(message.id))) return this.update(message);
    this.seen.add(String(message.id));
    const mine = message.sender?.id === this.me;
    this.typing?.heard(message.sender?.id);
    this.list.append(this.items.add(message));
    this.list.scrollTop = this.list.scrollHeight;
    if (!mine && !message.read_at) this.markRead();
  }

  /** A shown message changed (edited, deleted, reacted to): it is drawn again in place. @param {DirectMessage} message */
  update(message) {
    this.items.update(message);
  }

  /** What a message's menu and chips do in this conversation. @returns {MessageActions} */
  actions() {
    const peer = this.peer ?? '';
    return {
      me: this.me,
      react: (message, emoji, on) => this.run(dm.react(peer, message.id, emoji, on)),
      reply: (message) => this.draft?.reply(message),
      edit: (message) => this.draft?.edit(message),
      remove: async (message) => {
        if (await confirmDelete()) this.run(dm.remove(peer, message.id));
      },
      jump: (id) => this.jump(id),
    };
  }

  /** @param {Promise<AnyMessage>} change */
  async run(change) {
    try {
      this.update(/** @type {DirectMessage} */ (await change));
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  /** Shows a quoted message, loading the history around it when it is older than the shown ones. @param {number} id */
  async jump(id) {
    const peer = this.peer;
    if (!this.list || !peer || showMessage(this.list, id)) return;
    try {
      const { items } = await dm.messages(peer, { around: id, limit: 50 });
      if (peer !== this.peer || !this.list) return;
      const first = this.list.firstChild;
      for (const message of items.filter((m) => !this.seen.has(String(m.id)))) {
        this.seen.add(String(message.id));
        this.list.insertBefore(this.items.add(message), first);
      }
      showMessage(this.list, id);
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  /** Marks the conversation read shortly after messages arrive, when this tab is visible. */
  markRead() {
    clearTimeout(this.readTimer);
    const peer = this.peer;
    this.readTimer = setTimeout(() => {
      if (document.hidden || !peer || peer !== this.peer) return;
      dm.markRead(peer)
        .then(this.onRead)
        .catch(() => {});
    }, 300);
  }

  /** @param {string} text */
  showError(text) {
    this.list?.append(h('li', { class: 'form-error', role: 'alert' }, text));
  }

  close() {
    this.typing?.stop();
    clearTimeout(this.readTimer);
  }
}
