// Sign in and sign up: one form, two modes (/login and /signup); goes to ?next= or home afterwards.
import { ApiError, getSession } from '../api.js';
import { askNotificationPermission } from '../calls.js';
import { h } from '../dom.js';
import { auth } from '../endpoints.js';
import { t } from '../i18n.js';
import { brand, errorText, languageSwitch, renderInto } from '../ui.js';

/** @import { PageContext } from '../app.js' */
/** @typedef {{input: HTMLInputElement, error: HTMLParagraphElement, element: HTMLDivElement}} Field */
/** @typedef {{login: Field, password: Field, display_name?: Field, email?: Field}} Fields */

/**
 * @param {object} spec
 * @param {string} spec.name
 * @param {string} spec.label
 * @param {string} [spec.type]
 * @param {string} spec.autocomplete
 * @param {boolean} [spec.required]
 * @param {string | null} [spec.hint]
 * @param {Record<string, string | number>} [spec.attrs]
 * @returns {Field}
 */
function field({ name, label, type = 'text', autocomplete, required = true, hint, attrs = {} }) {
  const id = `auth-${name}`;
  const input = h('input', {
    id,
    name,
    type,
    autocomplete,
    required,
    class: 'input',
    testid: `auth-${name}`,
    'aria-describedby': `${id}-error`,
    ...attrs,
  });
  const error = h('p', { class: 'field__error', id: `${id}-error`, testid: `auth-${name}-error`, hidden: true });
  const label_ = h('label', { for: id, class: 'field__label' }, label);
  const note = hint ? h('p', { class: 'field__hint' }, hint) : null;
  return { input, error, element: h('div', { class: 'field' }, label_, input, note, error) };
}

/** @param {boolean} signup @returns {Fields} */
function authFields(signup) {
  /** @type {Record<string, string | number>} */
  const loginAttrs = signup
    ? { minlength: 3, maxlength: 32, pattern: '[A-Za-z0-9._\\-]+', autocapitalize: 'none' }
    : { autocapitalize: 'none' };
  const login = field({
    name: 'login',
    label: t(signup ? 'auth.login' : 'auth.login_or_email'),
    autocomplete: 'username',
    hint: signup ? t('auth.login_hint') : null,
    attrs: loginAttrs,
  });
  const password = field({
    name: 'password',
    label: t('auth.password'),
    type: 'password',
    autocomplete: signup ? 'new-password' : 'current-password',
    hint: signup ? t('auth.password_hint') : null,
    attrs: signup ? { minlength: 8, maxlength: 72 } : {},
  });
  if (!signup) return { login, password };
  return {
    login,
    password,
    display_name: field({
      name: 'display_name',
      label: t('auth.display_name'),
      autocomplete: 'name',
      required: false,
      attrs: { maxlength: 64 },
    }),
    email: field({
      name: 'email',
      label: t('auth.email_optional'),
      type: 'email',
      autocomplete: 'email',
      required: false,
    }),
  };
}

/** @param {Fields} fields @returns {Field[]} */
const allFields = (fields) => Object.values(fields);

/** @param {HTMLFormElement} form @param {Fields} fields whether the browser's checks pass; shows what fails */
function checkFields(form, fields) {
  for (const f of allFields(fields)) {
    f.error.hidden = true;
    f.input.removeAttribute('aria-invalid');
  }
  if (form.checkValidity()) return true;
  for (const f of allFields(fields)) {
    if (!f.input.validity.valid) showFieldError(f, validityText(f.input));
  }
  /** @type {HTMLInputElement | null} */ (form.querySelector('input[aria-invalid]'))?.focus();
  return false;
}

/** @param {boolean} signup @param {Fields} fields */
async function submitAuth(signup, fields) {
  if (!signup) return auth.login(fields.login.input.value.trim(), fields.password.input.value);
  /** @type {Parameters<typeof auth.register>[0]} */
  const body = { login: fields.login.input.value.trim().toLowerCase(), password: fields.password.input.value };
  const email = fields.email?.input.value.trim();
  const displayName = fields.display_name?.input.value.trim();
  if (email) body.email = email;
  if (displayName) body.display_name = displayName;
  return auth.register(body);
}

/** @param {unknown} error @param {Fields} fields @param {HTMLParagraphElement} formError */
function showAuthError(error, fields, formError) {
  const named = /** @type {Record<string, Field | undefined>} */ (fields);
  const known = Object.entries(error instanceof ApiError ? error.fields : {}).filter(([name]) => named[name]);
  for (const [name, message] of known) showFieldError(/** @type {Field} */ (named[name]), fieldMessage(name, message));
  formError.textContent = errorText(error);
  formError.hidden = false;
  (named[known[0]?.[0]] ?? fields.login).input.focus();
}

/** @param {HTMLElement} root @param {PageContext} ctx */
export function render(root, ctx) {
  const signup = ctx.mode === 'signup';
  const next = safeNext(ctx.query.get('next'));
  if (getSession()) return ctx.navigate(next, { replace: true });
  const title = t(signup ? 'auth.signup_title' : 'auth.login_title');
  document.title = `${title} · ${t('app.name')}`;
  const fields = authFields(signup);
  const formError = h('p', { class: 'form-error', role: 'alert', testid: 'auth-error', hidden: true });
  const submit = h(
    'button',
    { class: 'button button--primary button--wide', type: 'submit', testid: 'auth-submit' },
    t(signup ? 'auth.signup' : 'auth.login_button'),
  );
  const form = h(
    'form',
    { class: 'auth-form', novalidate: true, 'aria-labelledby': 'auth-title' },
    h('h1', { id: 'auth-title', class: 'auth-card__title' }, title),
    h('p', { class: 'auth-card__lead' }, t('auth.lead')),
    allFields(fields).map((f) => f.element),
    formError,
    submit,
    switchLink(signup, next),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    if (!checkFields(form, fields)) return;
    submit.disabled = true;
    askNotificationPermission();
    try {
      await submitAuth(signup, fields);
      ctx.navigate(next, { replace: true });
    } catch (error) {
      submit.disabled = false;
      showAuthError(error, fields, formError);
    }
  });
  const header = h(
    'header',
    { class: 'topbar' },
    brand(),
    h(
      'div',
      { class: 'topbar__actions' },
      languageSwitch(() => ctx.rerender()),
    ),
  );
  renderInto(root, h('div', { class: 'auth-page' }, header, h('main', { class: 'auth-card' }, form)));
  fields.login.input.focus();
}

/** "No account yet? Sign up" (or the other way round), keeping ?next=. @param {boolean} signup @param {string} next */
function switchLink(signup, next) {
  const query = next !== '/' ? `?next=${encodeURIComponent(next)}` : '';
  return h(
    'p',
    { class: 'auth-card__switch' },
    t(signup ? 'auth.have_account' : 'auth.no_account'),
    ' ',
    h(
      'a',
      { href: `/${signup ? 'login' : 'signup'}${query}`, 'data-link': '', testid: 'auth-switch' },
      t(signup ? 'auth.to_login' : 'auth.to_signup'),
    ),
  );
}

/**
 * Our own words for the browser's checks, so they follow the chosen language rather than the browser's.
 * @param {HTMLInputElement} input
 */
function validityText(input) {
  const v = input.validity;
  if (v.valueMissing) return t('form.required');
  if (v.tooShort) return t('form.too_short', { min: input.minLength });
  if (v.tooLong) return t('form.too_long', { max: input.maxLength });
  if (v.typeMismatch) return t('form.email');
  if (v.patternMismatch) return t('auth.login_hint');
  return input.validationMessage;
}

/** @param {Field} f @param {string} message */
function showFieldError(f, message) {
  f.error.textContent = message;
  f.error.hidden = false;
  f.input.setAttribute('aria-invalid', 'true');
}

/** @param {string} name @param {unknown} message */
function fieldMessage(name, message) {
  const text = Array.isArray(message) ? message.join(' ') : String(message ?? '');
  if (/taken|exists|unique|already/i.test(text)) return t(`auth.${name}_taken`);
  return text || t('error.validation_failed');
}

/**
 * Only same-site paths: an invite link brings people back to the room after signing in.
 * @param {string | null} value
 */
function safeNext(value) {
  return value?.startsWith('/') && !value.startsWith('//') ? value : '/';
}
