// What room chat, direct and group messages share beyond the text: the quote of a reply (a button that jumps to the
// original), "edited" and "message deleted" markers, reaction chips, the message menu (react, reply, edit,
// delete) and the draft banner above the composer that says what the next send does (reply or edit).
import { h, icon, linkified } from './dom.js';
import { formatDateTime, t } from './i18n.js';
import { confirmDialog } from './ui.js';

/** @import { ChatMessage, DirectMessage, GroupMessage } from './endpoints.js' */
/** @typedef {ChatMessage | DirectMessage | GroupMessage} AnyMessage */
/**
 * What a message's buttons do; the panel showing the message supplies them.
 * @typedef {object} MessageActions
 * @property {string} me my user id
 * @property {boolean} [moderator] may delete anyone's message (a host of the room, an admin of the group)
 * @property {(message: AnyMessage, emoji: string, on: boolean) => void} react
 * @property {(message: AnyMessage) => void} reply
 * @property {(message: AnyMessage) => void} edit
 * @property {(message: AnyMessage) => void} remove
 * @property {(id: number) => void} jump show the message with this id
 */

// The server's set (conference/chat/reactions.py), in its order.
export const REACTIONS = ['👍', '👎', '❤️', '😂', '😮', '😢', '🎉', '🙏'];

/** @param {{display_name?: string, login?: string} | null | undefined} person */
const nameOf = (person) => person?.display_name || person?.login || t('common.someone');

/** The message a reply answers, as a button that shows it. @param {AnyMessage} message @param {MessageActions} actions */
export function quoteBlock(message, actions) {
  const quote = message.reply_to;
  if (!quote) return null;
  const name = nameOf(quote.sender);
  return h(
    'button',
    {
      class: 'quote',
      type: 'button',
      testid: 'message-quote',
      'aria-label': t('messages.jump', { name }),
      onclick: () => actions.jump(quote.id),
    },
    h('span', { class: 'quote__sender' }, name),
    h('span', { class: 'quote__text' }, quote.deleted ? t('messages.deleted') : quote.excerpt),
  );
}

/** The text with its "edited" mark, or the marker of a deleted message. @param {AnyMessage} message @param {string} textClass */
export function messageBody(message, textClass) {
  if (message.deleted) {
    return h('p', { class: `${textClass} message--deleted`, testid: 'message-deleted' }, t('messages.deleted'));
  }
  if (!message.content && !message.edited_at) return null; // files only
  const edited = message.edited_at
    ? h(
        'span',
        { class: 'message__edited', testid: 'message-edited', title: formatDateTime(message.edited_at) },
        ` (${t('messages.edited')})`,
      )
    : null;
  return h('p', { class: textClass, testid: 'message-text' }, linkified(message.content), edited);
}

/** One toggle per emoji with its count; mine are pressed. @param {AnyMessage} message @param {MessageActions} actions */
export function reactionChips(message, actions) {
  if (!message.reactions.length) return null;
  const chips = message.reactions.map((reaction) => {
    const mine = reaction.user_ids.includes(actions.me);
    return h(
      'button',
      {
        class: `msg-reaction ${mine ? 'msg-reaction--mine' : ''}`,
        type: 'button',
        testid: 'message-reaction',
        dataset: { emoji: reaction.emoji },
        'aria-pressed': String(mine),
        'aria-label': t('messages.reaction', { emoji: reaction.emoji, count: reaction.count }),
        onclick: () => actions.react(message, reaction.emoji, !mine),
      },
      `${reaction.emoji} ${reaction.count}`,
    );
  });
  return h('div', { class: 'msg-reactions', testid: 'message-reactions' }, chips);
}

/** @param {AnyMessage} message @param {MessageActions} actions @param {() => void} close */
function reactionPicker(message, actions, close) {
  const buttons = REACTIONS.map((emoji) =>
    h(
      'button',
      {
        class: 'reaction-picker__emoji',
        type: 'button',
        testid: 'react',
        dataset: { emoji },
        'aria-label': t('messages.react_with', { emoji }),
        onclick: () => {
          close();
          actions.react(message, emoji, true);
        },
      },
      emoji,
    ),
  );
  return h('div', { class: 'reaction-picker', role: 'group', 'aria-label': t('messages.react') }, buttons);
}

/** The ⋯ menu of a message (a <details>, so keyboards open it natively). @param {AnyMessage} message @param {MessageActions} actions */
export function messageMenu(message, actions) {
  if (message.deleted) return null;
  const mine = message.sender?.id === actions.me;
  const details = h('details', { class: 'message-menu', testid: 'message-menu' });
  const summary = h(
    'summary',
    { class: 'message-menu__toggle', 'aria-label': t('messages.actions'), title: t('messages.actions') },
    icon('more'),
  );
  const close = () => details.removeAttribute('open');
  /** @param {string} label @param {string} testid @param {(message: AnyMessage) => void} act */
  const item = (label, testid, act) => {
    const run = () => {
      close();
      act(message);
    };
    return h('button', { class: 'message-menu__item', type: 'button', testid, onclick: run }, label);
  };
  details.append(
    summary,
    h(
      'div',
      { class: 'message-menu__panel' },
      reactionPicker(message, actions, close),
      item(t('messages.reply'), 'message-reply', actions.reply),
      mine ? item(t('messages.edit'), 'message-edit', actions.edit) : null,
      mine || actions.moderator ? item(t('messages.delete'), 'message-delete', actions.remove) : null,
    ),
  );
  details.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    close();
    summary.focus();
  });
  return details;
}

/** Asks before a delete; resolves true to go ahead. */
export function confirmDelete() {
  return confirmDialog({
    title: t('messages.delete_title'),
    message: t('messages.delete_confirm'),
    confirm: t('messages.delete'),
    danger: true,
    testid: 'confirm-delete',
  });
}

/**
 * Scrolls to a shown message and marks it for a moment; false when it is not in the list.
 * @param {HTMLElement} list @param {number} id
 */
export function showMessage(list, id) {
  const item = /** @type {HTMLElement | null} */ (list.querySelector(`[data-id="${id}"]`));
  if (!item) return false;
  item.scrollIntoView({ block: 'center' });
  item.classList.add('message--flash');
  item.tabIndex = -1;
  item.focus({ preventScroll: true });
  setTimeout(() => item.classList.remove('message--flash'), 1600);
  return true;
}

/** Replies and edits in progress: a banner above the composer; Escape or its × cancels. */
export class Draft {
  /** @param {HTMLTextAreaElement} input */
  constructor(input) {
    this.input = input;
    /** @type {{mode: 'edit' | 'reply', message: AnyMessage} | null} */
    this.pending = null;
    this.label = h('span', { class: 'draft__label', testid: 'draft-label' });
    const cancel = h(
      'button',
      {
        class: 'icon-button',
        type: 'button',
        testid: 'draft-cancel',
        'aria-label': t('common.cancel'),
        onclick: () => this.clear(),
      },
      icon('close'),
    );
    this.element = h('div', { class: 'draft', testid: 'draft', hidden: true }, this.label, cancel);
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.pending) return;
      event.preventDefault();
      this.clear();
    });
  }

  /** @param {AnyMessage} message */
  reply(message) {
    const excerpt = message.content.slice(0, 80);
    this.set('reply', message, t('messages.replying', { name: nameOf(message.sender), excerpt }));
  }

  /** @param {AnyMessage} message */
  edit(message) {
    this.set('edit', message, t('messages.editing'));
    this.input.value = message.content;
  }

  /** @param {'edit' | 'reply'} mode @param {AnyMessage} message @param {string} label */
  set(mode, message, label) {
    if (this.pending?.mode === 'edit') this.input.value = '';
    this.pending = { mode, message };
    this.label.textContent = label;
    this.element.hidden = false;
    this.input.focus();
  }

  clear() {
    if (this.pending?.mode === 'edit') this.input.value = '';
    this.pending = null;
    this.element.hidden = true;
  }

  /** The message id a new message replies to, if any. */
  replyTo() {
    return this.pending?.mode === 'reply' ? this.pending.message.id : undefined;
  }
}

/**
 * The messages a list shows, by id: a change redraws the message in place, and the quotes of its replies.
 * @template {AnyMessage} M
 */
export class ShownMessages {
  /** @param {(message: M) => HTMLElement} render */
  constructor(render) {
    this.render = render;
    /** @type {Map<number, {message: M, element: HTMLElement}>} */
    this.byId = new Map();
  }

  /** A newly shown message: its element, to put in the list. @param {M} message */
  add(message) {
    const element = this.render(message);
    this.byId.set(message.id, { message, element });
    return element;
  }

  /** @param {M} message */
  update(message) {
    for (const [id, shown] of this.byId) {
      const quote = shown.message.reply_to;
      /** @type {M | null} */
      let changed = null;
      if (id === message.id) changed = message;
      else if (quote?.id === message.id) {
        const excerpt = message.deleted ? '' : message.content.slice(0, 140);
        changed = { ...shown.message, reply_to: { ...quote, excerpt, deleted: message.deleted } };
      }
      if (!changed) continue;
      const element = this.render(changed);
      shown.element.replaceWith(element);
      this.byId.set(id, { message: changed, element });
    }
  }

  clear() {
    this.byId.clear();
  }

  newest() {
    return Math.max(0, ...this.byId.keys());
  }
}
