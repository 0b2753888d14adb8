// Keyboard shortcuts of the call and their help dialog ("?"). Single keys never fire while typing in a text
// field, a menu or a dialog is open, or with Ctrl/Alt/Meta held (Ctrl+D and Ctrl+E are the two exceptions).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { openDialog } from '../ui.js';

/** @typedef {'mic' | 'camera' | 'hand' | 'chat' | 'people' | 'share' | 'leave' | 'help'} ShortcutAction */

/** key (as KeyboardEvent.key, lower case) -> action; the help dialog lists them in this order. */
export const SHORTCUTS = /** @type {const} */ ([
  ['m', 'mic'],
  ['v', 'camera'],
  ['h', 'hand'],
  ['c', 'chat'],
  ['p', 'people'],
  ['s', 'share'],
  ['l', 'leave'],
  ['?', 'help'],
]);
const CTRL_SHORTCUTS = /** @type {const} */ ({ d: 'mic', e: 'camera' });

/** Whether a key press belongs to what has focus (typing, a menu, a dialog) rather than to the call. @param {KeyboardEvent} event */
function belongsToFocus(event) {
  const target = /** @type {HTMLElement | null} */ (event.target);
  if (!target || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest('input, textarea, select, [role=menu], dialog')) return true;
  return Boolean(document.querySelector('dialog[open]'));
}

/**
 * The action a key press asks for, or null.
 * @param {KeyboardEvent} event
 * @returns {ShortcutAction | null}
 */
export function shortcutOf(event) {
  if (event.defaultPrevented || event.repeat || event.isComposing || belongsToFocus(event)) return null;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
    return CTRL_SHORTCUTS[/** @type {keyof typeof CTRL_SHORTCUTS} */ (key)] ?? null;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  return SHORTCUTS.find(([k]) => k === key)?.[1] ?? null;
}

/** The list of shortcuts, in a dialog. */
export function openShortcutHelp() {
  const rows = SHORTCUTS.map(([key, action]) =>
    h(
      'div',
      { class: 'shortcut', testid: 'shortcut' },
      h('dt', {}, h('kbd', { class: 'kbd' }, key.toUpperCase())),
      h('dd', {}, t(`shortcuts.${action}`)),
    ),
  );
  const dialog = openDialog({
    title: t('shortcuts.title'),
    testid: 'shortcuts-dialog',
    body: [
      h('dl', { class: 'shortcuts' }, rows),
      h('p', { class: 'field__hint' }, t('shortcuts.ctrl')),
      h('p', { class: 'field__hint' }, t('shortcuts.typing')),
    ],
    actions: [
      h(
        'button',
        { class: 'button button--primary', type: 'button', testid: 'shortcuts-done', onclick: () => dialog.close() },
        t('common.done'),
      ),
    ],
  });
}
