// The two first things on the home page: start a new meeting, or join one by its ID or link.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { post } from '../api.js';
import { normalizeRoomId } from '../roomcode.js';
import { errorText } from '../ui.js';
import { askNotificationPermission } from '../calls.js';

export function meetingCards(ctx) {
  const nameInput = h('input', { id: 'create-name', class: 'input', type: 'text', maxlength: 100, testid: 'create-room-name', placeholder: t('home.create_placeholder') });
  const createError = h('p', { class: 'form-error', role: 'alert', testid: 'create-error', hidden: true });
  const createButton = h('button', { class: 'button button--primary', type: 'submit', testid: 'create-room' }, icon('plus'), t('home.create'));
  const createForm = h('form', { class: 'card card--action', 'aria-labelledby': 'create-title' },
    h('h2', { class: 'card__title', id: 'create-title' }, t('home.create_title')),
    h('label', { class: 'field__label', for: 'create-name' }, t('home.create_name')),
    h('div', { class: 'inline-form' }, nameInput, createButton),
    createError);
  createForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    askNotificationPermission();
    createButton.disabled = true;
    createError.hidden = true;
    try {
      const name = nameInput.value.trim() || t('home.default_room_name', { name: ctx.user?.display_name || ctx.user?.login || '' });
      const room = await post('/rooms', { name });
      ctx.navigate(`/r/${encodeURIComponent(room.id)}`, { state: { created: true } });
    } catch (error) {
      createButton.disabled = false;
      createError.textContent = errorText(error);
      createError.hidden = false;
    }
  });

  const joinInput = h('input', {
    id: 'join-id', class: 'input input--code', type: 'text', testid: 'join-room-id', placeholder: 'abc-defg-hij',
    autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true, 'aria-describedby': 'join-error',
  });
  const joinError = h('p', { class: 'form-error', id: 'join-error', role: 'alert', testid: 'join-error', hidden: true });
  const joinForm = h('form', { class: 'card card--action', 'aria-labelledby': 'join-title' },
    h('h2', { class: 'card__title', id: 'join-title' }, t('home.join_title')),
    h('label', { class: 'field__label', for: 'join-id' }, t('home.join_label')),
    h('div', { class: 'inline-form' }, joinInput, h('button', { class: 'button', type: 'submit', testid: 'join-room' }, t('home.join'))),
    joinError);
  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    askNotificationPermission();
    const id = normalizeRoomId(joinInput.value);
    if (!id) {
      joinError.textContent = t('home.join_empty');
      joinError.hidden = false;
      joinInput.focus();
      return;
    }
    ctx.navigate(`/r/${encodeURIComponent(id)}`);
  });

  return h('div', { class: 'action-cards' }, createForm, joinForm);
}
