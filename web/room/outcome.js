// Screens shown instead of the call: the room ended, is full, does not exist, you were removed, you left…
import { h } from '../dom.js';
import { t } from '../i18n.js';

/**
 * Why the call page shows no call; each has outcome.<reason>_title and _text strings.
 * @typedef {'ended' | 'ended_by_me' | 'removed' | 'full' | 'not_found' | 'locked' | 'denied' | 'left' | 'duplicate'
 *   | 'disconnected' | 'error' | 'media' | 'no_key' | 'no_e2ee'} OutcomeReason
 */
/** @typedef {(reason: OutcomeReason, detail?: string | null) => void} ShowOutcome */

/** @type {OutcomeReason[]} */
const REASONS = [
  'ended',
  'ended_by_me',
  'removed',
  'full',
  'not_found',
  'locked',
  'denied',
  'left',
  'duplicate',
  'disconnected',
  'error',
  'media',
  'no_key',
  'no_e2ee',
];
/** @type {OutcomeReason[]} reasons after which joining again may work */
const REJOINABLE = ['left', 'disconnected', 'duplicate', 'error', 'media'];

/**
 * @param {HTMLElement} container
 * @param {{reason: OutcomeReason, detail?: string | null, vars?: Record<string, string>, onRejoin?: () => void}} outcome
 */
export function renderOutcome(container, { reason, detail, vars = {}, onRejoin }) {
  const key = REASONS.includes(reason) ? reason : 'error';
  const canRejoin = REJOINABLE.includes(key) && onRejoin;
  const home = h(
    'a',
    { class: `button ${canRejoin ? '' : 'button--primary'}`, href: '/', 'data-link': '', testid: 'outcome-home' },
    t('outcome.home'),
  );
  const rejoin = canRejoin
    ? h(
        'button',
        { class: 'button button--primary', type: 'button', testid: 'outcome-rejoin', onclick: onRejoin },
        t('outcome.rejoin'),
      )
    : null;
  const title = h('h1', { class: 'outcome__title', testid: 'room-status', tabindex: '-1' }, t(`outcome.${key}_title`));
  container.replaceChildren(
    h(
      'main',
      { class: 'outcome', testid: 'room-outcome', dataset: { reason: key } },
      h(
        'div',
        { class: 'outcome__card' },
        title,
        h('p', { class: 'outcome__text', testid: 'room-status-detail' }, detail || t(`outcome.${key}_text`, vars)),
        h('div', { class: 'outcome__actions' }, rejoin, home),
      ),
    ),
  );
  title.focus();
  document.title = `${t(`outcome.${key}_title`)} · ${t('app.name')}`;
}

/**
 * A spinner with a line of text while the room is looked up or the call connects.
 * @param {HTMLElement} container
 * @param {string} text
 */
export function renderLoading(container, text) {
  container.replaceChildren(
    h(
      'main',
      { class: 'outcome', testid: 'room-loading', 'aria-busy': 'true' },
      h(
        'div',
        { class: 'outcome__card' },
        h('span', { class: 'spinner spinner--large', 'aria-hidden': 'true' }),
        h('p', { role: 'status' }, text),
      ),
    ),
  );
}
