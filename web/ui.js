// Shared pieces of interface: toasts, modal dialogs, the page header and the language switch.
import { ApiError } from './api.js';
import { append, byId, clear, h } from './dom.js';
import { LANGUAGES, language, setLanguage, t } from './i18n.js';

/** @param {string} message @param {{kind?: 'info' | 'error', timeout?: number}} [options] */
export function toast(message, { kind = 'info', timeout = 3500 } = {}) {
  const item = h('div', { class: `toast toast--${kind}`, testid: 'toast' }, message);
  byId('toasts').append(item);
  setTimeout(() => item.remove(), timeout);
}

/**
 * @typedef {object} DialogSpec
 * @property {string} title
 * @property {import('./dom.js').Child} body
 * @property {HTMLElement[]} [actions] buttons, last is the main one
 * @property {string} [testid]
 * @property {() => void} [onClose]
 * @property {boolean} [dismissable] whether Escape closes it
 */
/** @typedef {{element: HTMLDialogElement, close: () => void}} Dialog */

/**
 * A modal dialog built on <dialog>. Escape and the close button dismiss it.
 * @param {DialogSpec} spec
 * @returns {Dialog}
 */
export function openDialog({ title, body, actions = [], testid = 'dialog', onClose, dismissable = true }) {
  const heading = h('h2', { class: 'dialog__title', id: `${testid}-title` }, title);
  const dialog = h(
    'dialog',
    { class: 'dialog', testid, 'aria-labelledby': `${testid}-title` },
    heading,
    h('div', { class: 'dialog__body' }, body),
    h('div', { class: 'dialog__actions' }, actions),
  );
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    onClose?.();
  };
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    if (dismissable) close();
  });
  byId('overlays').append(dialog);
  dialog.showModal();
  return { element: dialog, close };
}

/**
 * Asks a yes/no question; resolves true only when the confirm button was pressed.
 * @param {{title: string, message: string, confirm: string, danger?: boolean, testid?: string}} spec
 * @returns {Promise<boolean>}
 */
export function confirmDialog({ title, message, confirm, danger = false, testid = 'confirm' }) {
  return new Promise((resolve) => {
    let answer = false;
    const cancelButton = h(
      'button',
      { class: 'button', type: 'button', testid: `${testid}-cancel`, onclick: () => dialog.close() },
      t('common.cancel'),
    );
    const confirmButton = h(
      'button',
      {
        class: `button ${danger ? 'button--danger' : 'button--primary'}`,
        type: 'button',
        testid: `${testid}-ok`,
        onclick: () => {
          answer = true;
          dialog.close();
        },
      },
      confirm,
    );
    const dialog = openDialog({
      title,
      testid,
      body: h('p', {}, message),
      onClose: () => resolve(answer),
      actions: [cancelButton, confirmButton],
    });
  });
}

/** @param {() => void} onChange called after the new language is loaded */
export function languageSwitch(onChange) {
  const select = h(
    'select',
    { class: 'select select--compact', 'aria-label': t('common.language'), testid: 'language' },
    LANGUAGES.map((code) => h('option', { value: code, selected: code === language() }, t(`language.${code}`))),
  );
  select.addEventListener('change', async () => {
    await setLanguage(select.value);
    onChange();
  });
  return select;
}

export function brand() {
  return h(
    'a',
    { class: 'brand', href: '/', 'data-link': '', 'aria-label': t('app.home') },
    h('span', { class: 'brand__logo', 'aria-hidden': 'true' }),
    h('span', { class: 'brand__name' }, t('app.name')),
  );
}

/**
 * Text for an ApiError (or any error): a translated message per code, else what the server said.
 * @param {unknown} error
 */
export function errorText(error) {
  if (!error) return '';
  if (error instanceof ApiError) {
    const key = `error.${error.code}`;
    const text = t(key);
    if (text !== key) return text;
  }
  if (error instanceof TypeError) return t('error.network');
  return (error instanceof Error && error.message) || t('error.unknown');
}

/** @param {string} text @param {string} [testid] */
export function emptyState(text, testid) {
  return h('p', { class: 'empty', testid }, text);
}

/** @param {string | null | undefined} name @param {string} [size] an avatar--<size> class */
export function avatar(name, size = '') {
  const words = String(name || '?')
    .trim()
    .split(/\s+/);
  const initials = words
    .slice(0, 2)
    .map((part) => part[0])
    .join('')
    .toUpperCase();
  let hash = 0;
  for (const char of String(name)) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return h('span', { class: `avatar ${size}`, style: `--hue:${hash}`, 'aria-hidden': 'true' }, initials || '?');
}

/** @param {HTMLElement} root @param {...import('./dom.js').Child} children */
export function renderInto(root, ...children) {
  append(clear(root), children);
}
