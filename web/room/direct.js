// A private message without leaving the call: the direct-message thread of one person, in a dialog.

import { h } from '../dom.js';
import { Thread } from '../home/thread.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { openDialog, toast } from '../ui.js';

/** @import { Person } from '../endpoints.js' */

/** @type {Set<string>} the people whose thread is open in a dialog now */
const open = new Set();

/**
 * A private message that arrives during the call shows as a toast, unless its thread is open already.
 * @param {string | undefined} me my user id
 * @returns {() => void} stops
 */
export function watchDirectMessages(me) {
  return realtime.on('dm.message', (message) => {
    const sender = message.sender;
    if (!sender || sender.id === me || open.has(sender.id)) return;
    const name = sender.display_name || sender.login || '';
    toast(t('moderation.message_from', { name, text: message.content.slice(0, 140) }), { timeout: 8000 });
  });
}

/**
 * @param {string} me my user id
 * @param {Pick<Person, 'id' | 'login' | 'display_name'>} person
 */
export function openDirectMessage(me, person) {
  const thread = new Thread(me, () => {});
  open.add(person.id);
  const off = realtime.on('dm.message', (message) => {
    const peer = message.sender?.id === me ? message.recipient_id : message.sender?.id;
    if (peer === person.id) thread.add(message);
  });
  const dialog = openDialog({
    title: t('moderation.message_title', { name: person.display_name || person.login || person.id }),
    testid: 'dm-dialog',
    body: thread.element,
    onClose: () => {
      open.delete(person.id);
      off();
      thread.close();
    },
    actions: [
      h(
        'button',
        { class: 'button', type: 'button', testid: 'dm-dialog-close', onclick: () => dialog.close() },
        t('common.close'),
      ),
    ],
  });
  dialog.element.classList.add('dialog--wide');
  thread.open(person);
}
