// The profile dialog: display name, email and password (PATCH /users/me).
import { ApiError, updateStoredUser } from '../api.js';
import { h } from '../dom.js';
import { users } from '../endpoints.js';
import { t } from '../i18n.js';
import { errorText, openDialog, toast } from '../ui.js';

/** @import { Me } from '../endpoints.js' */
/** @typedef {Parameters<typeof users.updateMe>[0]} Changes */

/** @param {string} name @param {string} label @param {Record<string, string | number>} attrs */
function field(name, label, attrs) {
  const input = h('input', { id: `profile-${name}`, class: 'input', testid: `profile-${name}`, ...attrs });
  const element = h(
    'div',
    { class: 'field' },
    h('label', { class: 'field__label', for: `profile-${name}` }, label),
    input,
  );
  return { input, element };
}

/** @param {Me} user */
function profileFields(user) {
  return {
    name: field('display_name', t('profile.display_name'), {
      value: user.display_name || '',
      maxlength: 64,
      autocomplete: 'name',
    }),
    email: field('email', t('profile.email'), { type: 'email', value: user.email || '', autocomplete: 'email' }),
    password: field('password', t('profile.new_password'), {
      type: 'password',
      minlength: 8,
      maxlength: 72,
      autocomplete: 'new-password',
    }),
    current: field('current_password', t('profile.current_password'), {
      type: 'password',
      autocomplete: 'current-password',
    }),
  };
}

/**
 * Only what the person changed.
 * @param {Me} user
 * @param {ReturnType<typeof profileFields>} fields
 * @returns {Changes}
 */
function changes(user, { name, email, password, current }) {
  /** @type {Changes} */
  const body = {};
  if (name.input.value.trim() !== (user.display_name || '')) body.display_name = name.input.value.trim();
  if (email.input.value.trim() !== (user.email || '')) body.email = email.input.value.trim() || null;
  if (password.input.value) {
    body.password = password.input.value;
    body.current_password = current.input.value;
  }
  return body;
}

/** @param {Me} user @param {(user: Me) => void} [onSaved] */
export function openProfile(user, onSaved) {
  const fields = profileFields(user);
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'profile-error', hidden: true });
  const form = h(
    'form',
    { id: 'profile-form', class: 'profile' },
    h('p', { class: 'list__meta' }, `@${user.login}`),
    fields.name.element,
    fields.email.element,
    h(
      'fieldset',
      { class: 'profile__password' },
      h('legend', {}, t('profile.password_title')),
      fields.password.element,
      fields.current.element,
    ),
    error,
  );
  const save = h(
    'button',
    { class: 'button button--primary', type: 'submit', form: 'profile-form', testid: 'profile-save' },
    t('profile.save'),
  );
  const cancel = h('button', { class: 'button', type: 'button', onclick: () => dialog.close() }, t('common.cancel'));
  const dialog = openDialog({
    title: t('profile.title'),
    testid: 'profile-dialog',
    body: form,
    actions: [cancel, save],
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = changes(user, fields);
    if (!Object.keys(body).length) return dialog.close();
    save.disabled = true;
    try {
      const updated = await users.updateMe(body);
      updateStoredUser(updated);
      dialog.close();
      toast(t('profile.saved'));
      onSaved?.(updated);
    } catch (failure) {
      save.disabled = false;
      const details = failure instanceof ApiError ? Object.values(failure.fields).join(' ') : '';
      error.textContent = [errorText(failure), details].filter(Boolean).join(' ');
      error.hidden = false;
    }
  });
}
