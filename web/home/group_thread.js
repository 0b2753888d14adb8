// One open group conversation: its messages (live), the composer, the call button and the members.
import { h } from '../dom.js';
import { groups } from '../endpoints.js';
import { t } from '../i18n.js';
import { avatar, emptyState, errorText, toast } from '../ui.js';
import { openMembers } from './group_members.js';
import { messageBubble, messageComposer } from './thread.js';

/** @import { Group, GroupMessage } from '../endpoints.js' */
/** @import { Navigate } from '../calls.js' */

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
    /** @type {Set<number>} */
    this.seen = new Set();
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.readTimer = undefined;
    this.element = h('div', { class: 'thread', testid: 'group-thread' }, emptyState(t('groups.pick')));
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
    this.seen.clear();
    const list = h('ol', { class: 'thread__list', testid: 'group-list', 'aria-live': 'polite' });
    this.list = list;
    const composer = messageComposer({
      id: 'group-input',
      label: t('groups.placeholder', { title: group.title }),
      testid: 'group',
      onSend: (content) => this.send(content),
    });
    this.element.replaceChildren(this.header(group), list, composer.form);
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

  /** @param {string} content */
  async send(content) {
    if (!this.group) return;
    try {
      this.add(await groups.send(this.group.id, content));
    } catch (error) {
      this.showError(errorText(error));
      throw error;
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

  /** @param {GroupMessage} message */
  add(message) {
    if (!this.list || !this.group || message.group_id !== this.group.id || this.seen.has(message.id)) return;
    this.seen.add(message.id);
    const sender = message.sender;
    this.list.append(
      messageBubble({
        id: message.id,
        content: message.content,
        createdAt: message.created_at,
        mine: sender?.id === this.me,
        author: sender ? sender.display_name || sender.login : t('common.someone'),
        testid: 'group-message',
      }),
    );
    this.list.scrollTop = this.list.scrollHeight;
    this.markRead(message.id);
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
