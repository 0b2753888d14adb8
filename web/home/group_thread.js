// One open group conversation: its messages (live), the composer with files, the call button and the members;
// replies, edits, deletes and reactions through each message's menu, as in direct messages.
import { attachmentList, dropZone, PendingFiles } from '../attachments.js';
import { h } from '../dom.js';
import { groups } from '../endpoints.js';
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
import { avatar, emptyState, errorText, toast } from '../ui.js';
import { openMembers } from './group_members.js';

/** @import { Group, GroupMessage } from '../endpoints.js' */
/** @import { Navigate } from '../calls.js' */
/** @import { AnyMessage, MessageActions } from '../messaging.js' */

/** @param {GroupMessage} message @param {MessageActions} actions */
function bubble(message, actions) {
  const sender = message.sender;
  const mine = sender?.id === actions.me;
  const author = sender ? sender.display_name || sender.login : t('common.someone');
  return h(
    'li',
    { class: `bubble ${mine ? 'bubble--mine' : ''}`, testid: 'group-message', dataset: { id: String(message.id) } },
    mine ? null : h('span', { class: 'bubble__author' }, author),
    quoteBlock(message, actions),
    messageBody(message, 'bubble__text'),
    message.deleted ? null : attachmentList(message.attachments),
    reactionChips(message, actions),
    h(
      'span',
      { class: 'bubble__meta', title: formatDateTime(message.created_at) },
      formatTime(message.created_at),
      messageMenu(message, actions),
    ),
  );
}

/** The group's creator and admins may delete anyone's message. @param {Group} group @param {string} me */
const isAdmin = (group, me) =>
  group.creator_id === me || group.members.some((member) => member.user.id === me && member.role === 'admin');

export class GroupThread {
  /**
   * @param {string} me my user id
   * @param {Navigate} navigate
   * @param {() => void} onChange the group list changed (read, renamed, left)
   */
  constructor(me, navigate, onChange) {
    this.me = me;
    this.navigate = navigate;
    this.onChange = onChange;
    /** @type {Group | null} */
    this.group = null;
    /** @type {HTMLOListElement | null} */
    this.list = null;
    /** @type {ShownMessages<GroupMessage>} */
    this.items = new ShownMessages((message) => bubble(message, this.actions()));
    /** @type {Draft | null} the reply or edit in progress */
    this.draft = null;
    /** @type {PendingFiles | null} the open group's files to send */
    this.files = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.readTimer = undefined;
    this.element = h('div', { class: 'thread', testid: 'group-thread' }, emptyState(t('groups.pick')));
    // Once: the element stays while groups change, so a drop goes to whichever is open.
    dropZone(this.element, (files) => this.files?.add(files));
  }

  /** @param {string} groupId @param {number} [around] a message to show (a search result): its page, marked */
  async open(groupId, around) {
    try {
      this.show(await groups.get(groupId));
    } catch (error) {
      this.group = null;
      this.element.replaceChildren(emptyState(errorText(error)));
      return;
    }
    await this.catchUp(around);
  }

  /** @param {Group} group */
  show(group) {
    this.group = group;
    this.items.clear();
    const list = h('ol', { class: 'thread__list', testid: 'group-list', 'aria-live': 'polite' });
    this.list = list;
    const composer = this.composer(group);
    this.element.replaceChildren(this.header(group), list, composer.files.tray, composer.draft.element, composer.form);
    this.files = composer.files;
    composer.files.listenForPaste(composer.input);
    composer.input.focus();
  }

  /** @param {Group} group */
  header(group) {
    const button = (/** @type {string} */ testid, /** @type {string} */ label, /** @type {() => void} */ onclick) =>
      h('button', { class: 'button button--ghost', type: 'button', testid, onclick }, label);
    return h(
      'div',
      { class: 'thread__head' },
      h('h3', { class: 'thread__title', testid: 'group-title' }, avatar(group.title), group.title),
      h(
        'span',
        { class: 'thread__actions' },
        button('group-call', t(group.call_room_id ? 'groups.join_call' : 'groups.call'), () => this.call()),
        button('group-members', t('groups.members', { count: group.members.length }), () =>
          openMembers(group, this.me, (changed) => this.changed(changed)),
        ),
      ),
    );
  }

  /** The composer: Enter sends (a new message, a reply or an edit), Shift+Enter breaks the line. @param {Group} group */
  composer(group) {
    const label = t('groups.placeholder', { title: group.title });
    const input = h('textarea', {
      id: 'group-input',
      class: 'input chat-input',
      rows: 1,
      maxlength: 4000,
      testid: 'group-input',
      placeholder: label,
    });
    const files = new PendingFiles({ idPrefix: 'group', onError: (text) => this.showError(text) });
    const form = h(
      'form',
      { class: 'composer' },
      h('label', { class: 'visually-hidden', for: 'group-input' }, label),
      files.control,
      input,
      h('button', { class: 'button button--primary', type: 'submit', testid: 'group-send' }, t('chat.send')),
    );
    const draft = new Draft(input);
    this.draft = draft;
    const send = () => this.send(group.id, input, files, draft);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      send();
    });
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey) return;
      event.preventDefault();
      send();
    });
    return { form, input, draft, files };
  }

  /**
   * Sends what the composer holds: an edit of the message being edited, or a new message (a reply, files).
   * @param {string} groupId @param {HTMLTextAreaElement} input @param {PendingFiles} files @param {Draft} draft
   */
  async send(groupId, input, files, draft) {
    const content = input.value.trim();
    if (!content && !files.items.length) return;
    const pending = draft.pending;
    input.value = '';
    try {
      if (pending?.mode === 'edit') {
        if (content) this.update(await groups.edit(groupId, pending.message.id, content));
      } else {
        const attachments = await files.ready();
        if (!content && !attachments.length) return;
        this.add(await groups.send(groupId, content, { attachments, replyTo: draft.replyTo() }));
        files.clear();
      }
      draft.clear();
    } catch (error) {
      input.value = content;
      this.showError(errorText(error));
    }
  }

  /** The group changed (renamed, members, a call opened); null: I left it or was removed. @param {Group | null} group */
  changed(group) {
    if (!group) {
      this.group = null;
      this.element.replaceChildren(emptyState(t('groups.pick')));
    } else if (this.group && group.id === this.group.id) {
      this.group = group;
      this.element.firstElementChild?.replaceWith(this.header(group));
    }
    this.onChange();
  }

  /**
   * The newest messages of the open group (on opening, and after a `resync`), or those around one message.
   * @param {number} [around]
   */
  async catchUp(around) {
    const group = this.group;
    if (!group) return;
    try {
      const { items } = await groups.messages(group.id, { limit: 50, around });
      if (group !== this.group) return;
      for (const message of items) this.add(message);
    } catch (error) {
      this.showError(errorText(error));
    }
    const found = around ? this.list?.querySelector(`[data-id="${around}"]`) : null;
    if (found) {
      found.classList.add('bubble--found');
      found.scrollIntoView({ block: 'center' });
    }
  }

  async call() {
    if (!this.group) return;
    try {
      const { room_id: roomId, rang } = await groups.call(this.group.id);
      toast(t('groups.calling', { count: rang.length }));
      this.navigate(`/r/${encodeURIComponent(roomId)}`, { state: { autoJoin: true } });
    } catch (error) {
      toast(errorText(error), { kind: 'error' });
    }
  }

  /** A new message (or one shown already, which is redrawn). @param {GroupMessage} message */
  add(message) {
    if (!this.list || !this.group || message.group_id !== this.group.id) return;
    if (this.items.byId.has(message.id)) return this.update(message);
    this.list.append(this.items.add(message));
    this.list.scrollTop = this.list.scrollHeight;
    this.markRead(message.id);
  }

  /** A shown message changed (edited, deleted, reacted to): it is drawn again in place. @param {GroupMessage} message */
  update(message) {
    if (message.group_id === this.group?.id) this.items.update(message);
  }

  /** What a message's menu and chips do in this group. @returns {MessageActions} */
  actions() {
    const group = this.group;
    const groupId = group?.id ?? '';
    return {
      me: this.me,
      moderator: group ? isAdmin(group, this.me) : false,
      react: (message, emoji, on) => this.run(groups.react(groupId, message.id, emoji, on)),
      reply: (message) => this.draft?.reply(message),
      edit: (message) => this.draft?.edit(message),
      remove: async (message) => {
        if (await confirmDelete()) this.run(groups.remove(groupId, message.id));
      },
      jump: (id) => this.jump(id),
    };
  }

  /** @param {Promise<AnyMessage>} change */
  async run(change) {
    try {
      this.update(/** @type {GroupMessage} */ (await change));
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  /** Shows a quoted message, loading the history around it when it is older than the shown ones. @param {number} id */
  async jump(id) {
    const group = this.group;
    if (!this.list || !group || showMessage(this.list, id)) return;
    try {
      const { items } = await groups.messages(group.id, { around: id, limit: 50 });
      if (group !== this.group || !this.list) return;
      const first = this.list.firstChild;
      for (const message of items.filter((m) => !this.items.byId.has(m.id))) {
        this.list.insertBefore(this.items.add(message), first);
      }
      showMessage(this.list, id);
    } catch (error) {
      this.showError(errorText(error));
    }
  }

  /** Moves my read position shortly after messages arrive, when this tab is visible. @param {number} messageId */
  markRead(messageId) {
    clearTimeout(this.readTimer);
    const group = this.group;
    this.readTimer = setTimeout(() => {
      if (document.hidden || !group || group !== this.group) return;
      groups
        .markRead(group.id, messageId)
        .then(this.onChange)
        .catch(() => {});
    }, 300);
  }

  /** @param {string} text */
  showError(text) {
    this.list?.append(h('li', { class: 'form-error', role: 'alert' }, text));
  }

  close() {
    clearTimeout(this.readTimer);
  }
}
