// Screens shown instead of the call: the room ended, is full, does not exist, you were removed, you left…
import { h } from '../dom.js';
import { t } from '../i18n.js';

const REASONS = ['ended', 'ended_by_me', 'removed', 'full', 'not_found', 'locked', 'denied', 'left', 'duplicate', 'disconnected', 'error', 'media'];

export function renderOutcome(container, { reason, detail, vars = {}, onRejoin }) {
  const key = REASONS.includes(reason) ? reason : 'error';
  const canRejoin = ['left', 'disconnected', 'duplicate', 'error', 'media'].includes(key) && onRejoin;
  const home = h('a', { class: `button ${canRejoin ? '' : 'button--primary'}`, href: '/', 'data-link': '', testid: 'outcome-home' }, t('outcome.home'));
  container.replaceChildren(h('main', { class: 'outcome', testid: 'room-outcome', dataset: { reason: key } },
    h('div', { class: 'outcome__card' },
      h('h1', { class: 'outcome__title', testid: 'room-status', tabindex: '-1' }, t(`outcome.${key}_title`)),
      h('p', { class: 'outcome__text', testid: 'room-status-detail' }, detail || t(`outcome.${key}_text`, vars)),
      h('div', { class: 'outcome__actions' },
        canRejoin ? h('button', { class: 'button button--primary', type: 'button', testid: 'outcome-rejoin', onclick: onRejoin }, t('outcome.rejoin')) : null,
        home))));
  container.querySelector('.outcome__title').focus();
  document.title = `${t(`outcome.${key}_title`)} · ${t('app.name')}`;
}
