// A private message without leaving the call: the direct-message thread of one person, in a dialog.

import { h } from '../dom.js';
import { Thread } from '../home/thread.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { openDialog } from '../ui.js';

/** @import { Person } from '../endpoints.js' */

/**
 * @param {string} me my user id
 * @param {Pick<Person, 'id' | 'login' | 'display_name'>} person
 */
export function openDirectMessage(me, person) {
  const thread = new Thread(me, () => {});
  const off = realtime.on('dm.message', (message) => {
    const peer = message.sender?.id === me ? message.recipient_id : message.sender?.id;
    if (peer === person.id) thread.add(message);
  });
  const dialog = openDialog({
    title: t('moderation.message_title', { name: person.display_name || person.login || person.id }),
    testid: 'dm-dialog',
    body: thread.element,
    onClose: () => {
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
