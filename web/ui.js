// Shared pieces of interface: toasts, modal dialogs, the page header and the language switch.
import { h, clear } from './dom.js';
import { t, LANGUAGES, language, setLanguage } from './i18n.js';

export function toast(message, { kind = 'info', timeout = 3500 } = {}) {
  const box = document.getElementById('toasts');
  const item = h('div', { class: `toast toast--${kind}`, testid: 'toast' }, message);
  box.append(item);
  setTimeout(() => item.remove(), timeout);
}

// A modal dialog built on <dialog>; returns {element, close}. Escape and the close button dismiss it.
export function openDialog({ title, body, actions = [], testid = 'dialog', onClose, dismissable = true }) {
  const heading = h('h2', { class: 'dialog__title', id: `${testid}-title` }, title);
  const dialog = h('dialog', { class: 'dialog', testid, 'aria-labelledby': `${testid}-title` },
    heading,
    h('div', { class: 'dialog__body' }, body),
    h('div', { class: 'dialog__actions' }, actions));
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
  document.getElementById('overlays').append(dialog);
  dialog.showModal();
  return { element: dialog, close };
}

export function confirmDialog({ title, message, confirm, danger = false, testid = 'confirm' }) {
  return new Promise((resolve) => {
    let answer = false;
    const dialog = openDialog({
      title,
      testid,
      body: h('p', {}, message),
      onClose: () => resolve(answer),
      actions: [
        h('button', { class: 'button', type: 'button', testid: `${testid}-cancel`, onclick: () => dialog.close() }, t('common.cancel')),
        h('button', {
          class: `button ${danger ? 'button--danger' : 'button--primary'}`,
          type: 'button',
          testid: `${testid}-ok`,
          onclick: () => {
            answer = true;
            dialog.close();
          },
        }, confirm),
      ],
    });
  });
}

export function languageSwitch(onChange) {
  const select = h('select', { class: 'select select--compact', 'aria-label': t('common.language'), testid: 'language' },
    LANGUAGES.map((code) => h('option', { value: code, selected: code === language() }, t(`language.${code}`))));
  select.addEventListener('change', async () => {
    await setLanguage(select.value);
    onChange();
  });
  return select;
}

export function brand() {
  return h('a', { class: 'brand', href: '/', 'data-link': '', 'aria-label': t('app.home') },
    h('span', { class: 'brand__logo', 'aria-hidden': 'true' }), h('span', { class: 'brand__name' }, t('app.name')));
}

// Text for an ApiError (or any error): a translated message per code, else what the server said.
export function errorText(error) {
  if (!error) return '';
  if (error.code) {
    const key = `error.${error.code}`;
    const text = t(key);
    if (text !== key) return text;
  }
  if (error instanceof TypeError) return t('error.network');
  return error.message || t('error.unknown');
}

export function emptyState(text, testid) {
  return h('p', { class: 'empty', testid }, text);
}

export function avatar(name, size = '') {
  const initials = String(name || '?').trim().split(/\s+/).slice(0, 2).map((part) => part[0]).join('').toUpperCase();
  let hash = 0;
  for (const char of String(name)) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return h('span', { class: `avatar ${size}`, style: `--hue:${hash}`, 'aria-hidden': 'true' }, initials || '?');
}

export function renderInto(root, ...children) {
  clear(root);
  root.append(...children.flat());
}
