// The profile dialog: display name, email and password (PATCH /users/me).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api, updateStoredUser } from '../api.js';
import { openDialog, errorText, toast } from '../ui.js';

function field(name, label, attrs = {}) {
  const input = h('input', { id: `profile-${name}`, class: 'input', testid: `profile-${name}`, ...attrs });
  return { input, element: h('div', { class: 'field' }, h('label', { class: 'field__label', for: `profile-${name}` }, label), input) };
}

export function openProfile(user, onSaved) {
  const name = field('display_name', t('profile.display_name'), { value: user.display_name || '', maxlength: 64, autocomplete: 'name' });
  const email = field('email', t('profile.email'), { type: 'email', value: user.email || '', autocomplete: 'email' });
  const password = field('password', t('profile.new_password'), { type: 'password', minlength: 8, maxlength: 72, autocomplete: 'new-password' });
  const current = field('current_password', t('profile.current_password'), { type: 'password', autocomplete: 'current-password' });
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'profile-error', hidden: true });
  const form = h('form', { id: 'profile-form', class: 'profile' },
    h('p', { class: 'list__meta' }, `@${user.login}`), name.element, email.element,
    h('fieldset', { class: 'profile__password' }, h('legend', {}, t('profile.password_title')), password.element, current.element), error);
  const save = h('button', { class: 'button button--primary', type: 'submit', form: 'profile-form', testid: 'profile-save' }, t('profile.save'));
  const dialog = openDialog({
    title: t('profile.title'),
    testid: 'profile-dialog',
    body: form,
    actions: [h('button', { class: 'button', type: 'button', onclick: () => dialog.close() }, t('common.cancel')), save],
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {};
    if (name.input.value.trim() !== (user.display_name || '')) body.display_name = name.input.value.trim();
    if (email.input.value.trim() !== (user.email || '')) body.email = email.input.value.trim() || null;
    if (password.input.value) {
      body.password = password.input.value;
      body.current_password = current.input.value;
    }
    if (!Object.keys(body).length) return dialog.close();
    save.disabled = true;
    try {
      const updated = await api('PATCH', '/users/me', body);
      updateStoredUser(updated);
      dialog.close();
      toast(t('profile.saved'));
      onSaved?.(updated);
    } catch (e) {
      save.disabled = false;
      const fields = Object.values(e.fields || {}).flat().join(' ');
      error.textContent = [errorText(e), fields].filter(Boolean).join(' ');
      error.hidden = false;
    }
  });
}
