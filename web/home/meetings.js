// The two first things on the home page: start a new meeting, or join one by its ID or link.
import { askNotificationPermission } from '../calls.js';
import { h, icon } from '../dom.js';
import { rooms } from '../endpoints.js';
import { t } from '../i18n.js';
import { newPassphrase, normalizeRoomId } from '../roomcode.js';
import { errorText } from '../ui.js';

/** @import { PageContext } from '../app.js' */

/** @param {PageContext} ctx */
function createCard(ctx) {
  const nameInput = h('input', {
    id: 'create-name',
    class: 'input',
    type: 'text',
    maxlength: 100,
    testid: 'create-room-name',
    placeholder: t('home.create_placeholder'),
  });
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'create-error', hidden: true });
  const button = h(
    'button',
    { class: 'button button--primary', type: 'submit', testid: 'create-room' },
    icon('plus'),
    t('home.create'),
  );
  const e2ee = h('input', { type: 'checkbox', class: 'switch__input', testid: 'create-e2ee' });
  const form = h(
    'form',
    { class: 'card card--action', 'aria-labelledby': 'create-title' },
    h('h2', { class: 'card__title', id: 'create-title' }, t('home.create_title')),
    h('label', { class: 'field__label', for: 'create-name' }, t('home.create_name')),
    h('div', { class: 'inline-form' }, nameInput, button),
    h('label', { class: 'switch switch--spaced' }, e2ee, h('span', {}, t('home.create_e2ee'))),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    askNotificationPermission();
    button.disabled = true;
    error.hidden = true;
    const me = ctx.user?.display_name || ctx.user?.login || '';
    try {
      const name = nameInput.value.trim() || t('home.default_room_name', { name: me });
      const room = await rooms.create({ name, e2ee: e2ee.checked });
      // The passphrase exists only in this link's fragment: the server never sees it.
      const key = room.e2ee ? `#key=${newPassphrase()}` : '';
      ctx.navigate(`/r/${encodeURIComponent(room.id)}${key}`, { state: { created: true } });
    } catch (failure) {
      button.disabled = false;
      error.textContent = errorText(failure);
      error.hidden = false;
    }
  });
  return form;
}

/** @param {PageContext} ctx */
function joinCard(ctx) {
  const input = h('input', {
    id: 'join-id',
    class: 'input input--code',
    type: 'text',
    testid: 'join-room-id',
    placeholder: 'abc-defg-hij',
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'join-error',
  });
  const error = h('p', { class: 'form-error', id: 'join-error', role: 'alert', testid: 'join-error', hidden: true });
  const form = h(
    'form',
    { class: 'card card--action', 'aria-labelledby': 'join-title' },
    h('h2', { class: 'card__title', id: 'join-title' }, t('home.join_title')),
    h('label', { class: 'field__label', for: 'join-id' }, t('home.join_label')),
    h(
      'div',
      { class: 'inline-form' },
      input,
      h('button', { class: 'button', type: 'submit', testid: 'join-room' }, t('home.join')),
    ),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    askNotificationPermission();
    const id = normalizeRoomId(input.value);
    // A pasted link of an encrypted meeting keeps its #key= fragment (it stays in this browser).
    const fragment = input.value.match(/#key=[^\s]+/)?.[0] ?? '';
    if (!id) {
      error.textContent = t('home.join_empty');
      error.hidden = false;
      input.focus();
      return;
    }
    ctx.navigate(`/r/${encodeURIComponent(id)}${fragment}`);
  });
  return form;
}

/** @param {PageContext} ctx */
export function meetingCards(ctx) {
  return h('div', { class: 'action-cards' }, createCard(ctx), joinCard(ctx));
}
