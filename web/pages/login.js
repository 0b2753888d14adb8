// Sign in and sign up: one form, two modes (/login and /signup); goes to ?next= or home afterwards.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { signIn, signUp, getSession } from '../api.js';
import { brand, languageSwitch, errorText, renderInto } from '../ui.js';
import { askNotificationPermission } from '../calls.js';

function field({ name, label, type = 'text', autocomplete, required = true, hint, attrs = {} }) {
  const id = `auth-${name}`;
  const input = h('input', { id, name, type, autocomplete, required, class: 'input', testid: `auth-${name}`, 'aria-describedby': `${id}-error`, ...attrs });
  const error = h('p', { class: 'field__error', id: `${id}-error`, testid: `auth-${name}-error`, hidden: true });
  return {
    input,
    error,
    element: h('div', { class: 'field' }, h('label', { for: id, class: 'field__label' }, label), input, hint ? h('p', { class: 'field__hint' }, hint) : null, error),
  };
}

export function render(root, ctx) {
  const signup = ctx.mode === 'signup';
  const next = safeNext(ctx.query.get('next'));
  if (getSession()) return ctx.navigate(next, { replace: true });
  document.title = `${t(signup ? 'auth.signup_title' : 'auth.login_title')} · ${t('app.name')}`;

  const login = field({ name: 'login', label: t(signup ? 'auth.login' : 'auth.login_or_email'), autocomplete: 'username',
    hint: signup ? t('auth.login_hint') : null, attrs: signup ? { minlength: 3, maxlength: 32, pattern: '[A-Za-z0-9._\\-]+', autocapitalize: 'none' } : { autocapitalize: 'none' } });
  const password = field({ name: 'password', label: t('auth.password'), type: 'password', autocomplete: signup ? 'new-password' : 'current-password',
    hint: signup ? t('auth.password_hint') : null, attrs: signup ? { minlength: 8, maxlength: 72 } : {} });
  const fields = { login, password };
  if (signup) {
    fields.display_name = field({ name: 'display_name', label: t('auth.display_name'), autocomplete: 'name', required: false, attrs: { maxlength: 64 } });
    fields.email = field({ name: 'email', label: t('auth.email_optional'), type: 'email', autocomplete: 'email', required: false });
  }
  const formError = h('p', { class: 'form-error', role: 'alert', testid: 'auth-error', hidden: true });
  const submit = h('button', { class: 'button button--primary button--wide', type: 'submit', testid: 'auth-submit' }, t(signup ? 'auth.signup' : 'auth.login_button'));

  const form = h('form', { class: 'auth-form', novalidate: true, 'aria-labelledby': 'auth-title' },
    h('h1', { id: 'auth-title', class: 'auth-card__title' }, t(signup ? 'auth.signup_title' : 'auth.login_title')),
    h('p', { class: 'auth-card__lead' }, t('auth.lead')),
    Object.values(fields).map((f) => f.element),
    formError,
    submit,
    h('p', { class: 'auth-card__switch' },
      t(signup ? 'auth.have_account' : 'auth.no_account'), ' ',
      h('a', { href: `/${signup ? 'login' : 'signup'}${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, 'data-link': '', testid: 'auth-switch' },
        t(signup ? 'auth.to_login' : 'auth.to_signup'))));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    for (const f of Object.values(fields)) {
      f.error.hidden = true;
      f.input.removeAttribute('aria-invalid');
    }
    if (!form.checkValidity()) {
      for (const f of Object.values(fields)) {
        if (!f.input.validity.valid) showFieldError(f, validityText(f.input));
      }
      form.querySelector('[aria-invalid]')?.focus();
      return;
    }
    submit.disabled = true;
    askNotificationPermission();
    try {
      if (signup) {
        const body = { login: login.input.value.trim().toLowerCase(), password: password.input.value };
        const email = fields.email.input.value.trim();
        const displayName = fields.display_name.input.value.trim();
        if (email) body.email = email;
        if (displayName) body.display_name = displayName;
        await signUp(body);
      } else {
        await signIn(login.input.value.trim(), password.input.value);
      }
      ctx.navigate(next, { replace: true });
    } catch (error) {
      submit.disabled = false;
      const known = Object.entries(error.fields || {}).filter(([name]) => fields[name]);
      for (const [name, message] of known) showFieldError(fields[name], fieldMessage(name, message));
      formError.textContent = errorText(error);
      formError.hidden = false;
      (known.length ? fields[known[0][0]].input : login.input).focus();
    }
  });

  renderInto(root, h('div', { class: 'auth-page' },
    h('header', { class: 'topbar' }, brand(), h('div', { class: 'topbar__actions' }, languageSwitch(() => ctx.rerender()))),
    h('main', { class: 'auth-card' }, form)));
  login.input.focus();
}

// Our own words for the browser's checks, so they follow the chosen language rather than the browser's.
function validityText(input) {
  const v = input.validity;
  if (v.valueMissing) return t('form.required');
  if (v.tooShort) return t('form.too_short', { min: input.minLength });
  if (v.tooLong) return t('form.too_long', { max: input.maxLength });
  if (v.typeMismatch) return t('form.email');
  if (v.patternMismatch) return t('auth.login_hint');
  return input.validationMessage;
}

function showFieldError(f, message) {
  f.error.textContent = message;
  f.error.hidden = false;
  f.input.setAttribute('aria-invalid', 'true');
}

function fieldMessage(name, message) {
  const text = Array.isArray(message) ? message.join(' ') : String(message ?? '');
  if (/taken|exists|unique|already/i.test(text)) return t(`auth.${name}_taken`);
  return text || t('error.validation_failed');
}

// Only same-site paths: an invite link brings people back to the room after signing in.
function safeNext(value) {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}
