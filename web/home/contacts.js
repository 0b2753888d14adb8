// "Contacts" tab: people with online status, requests to accept, search to add, and call / message buttons.
import { askNotificationPermission, callUser } from '../calls.js';
import { h, icon } from '../dom.js';
import { contacts, users } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { avatar, emptyState, errorText, toast } from '../ui.js';

/** @import { PageContext } from '../app.js' */
/** @import { Contact } from '../endpoints.js' */
/** @typedef {Awaited<ReturnType<typeof users.search>>['items'][number]} Found */

/** @type {Record<string, number>} */
const ORDER = { incoming: 0, accepted: 1, outgoing: 2 };

/** @param {string} testid @param {string} kind @param {string} label @param {() => void} onclick */
const button = (testid, kind, label, onclick) =>
  h('button', { class: `button ${kind}`, type: 'button', testid, onclick }, label);

/**
 * The buttons of one contact: accept/decline a request, withdraw mine, or call and message.
 * @param {Contact} contact
 * @param {(change: Promise<unknown>) => void} act runs a change, then reloads the list
 */
function contactActions({ user, status }, act) {
  const name = user.display_name || user.login;
  if (status === 'incoming') {
    return [
      button('contact-accept', 'button--primary', t('contacts.accept'), () => act(contacts.accept(user.id))),
      button('contact-decline', '', t('contacts.decline'), () => act(contacts.decline(user.id))),
    ];
  }
  if (status === 'outgoing') {
    return [
      h('span', { class: 'list__meta' }, t('contacts.pending')),
      button('contact-withdraw', 'button--ghost', t('contacts.withdraw'), () => act(contacts.remove(user.id))),
    ];
  }
  const call = () => {
    askNotificationPermission();
    callUser(user);
  };
  const label = { call: t('contacts.call', { name }), message: t('contacts.message', { name }) };
  return [
    h(
      'button',
      {
        class: 'icon-button',
        type: 'button',
        testid: 'contact-call',
        'aria-label': label.call,
        title: label.call,
        onclick: call,
      },
      icon('phone'),
    ),
    h(
      'a',
      {
        class: 'icon-button',
        href: `/?dm=${encodeURIComponent(user.id)}`,
        'data-link': '',
        testid: 'contact-message',
        'aria-label': label.message,
        title: label.message,
        onclick: () => sessionStorage.setItem('conference.home.tab', 'messages'),
      },
      icon('message'),
    ),
  ];
}

/** @param {boolean} online @param {HTMLElement} dot */
function paintPresence(online, dot) {
  dot.classList.toggle('presence--on', online);
  dot.setAttribute('aria-label', t(online ? 'contacts.online' : 'contacts.offline'));
}

/** @param {Contact} contact @param {HTMLElement} dot @param {(change: Promise<unknown>) => void} act */
function contactRow(contact, dot, act) {
  const { user, status } = contact;
  const name = user.display_name || user.login;
  return h(
    'li',
    { class: 'list__item', testid: 'contact', dataset: { userId: user.id, status } },
    h('span', { class: 'avatar-wrap' }, avatar(name), dot),
    h(
      'div',
      { class: 'list__main' },
      h('span', { class: 'list__title' }, name),
      h('span', { class: 'list__meta' }, `@${user.login}`),
    ),
    h('div', { class: 'list__actions' }, contactActions(contact, act)),
  );
}

/** One person found by the search, with "add". @param {Found} person @param {() => void} add */
function searchResult(person, add) {
  const name = person.display_name || person.login;
  return h(
    'li',
    { class: 'list__item', testid: 'contact-result' },
    avatar(name),
    h(
      'div',
      { class: 'list__main' },
      h('span', { class: 'list__title' }, name),
      h('span', { class: 'list__meta' }, `@${person.login}`),
    ),
    button('contact-add', '', t('contacts.add'), add),
  );
}

/**
 * Search by login to send a contact request.
 * @param {PageContext} ctx
 * @param {(change: Promise<unknown>) => void} act
 */
function contactSearch(ctx, act) {
  const search = h('input', {
    id: 'contact-search',
    class: 'input',
    type: 'search',
    testid: 'contact-search',
    autocomplete: 'off',
    placeholder: t('contacts.search_placeholder'),
  });
  const results = h('ul', { class: 'list list--compact', testid: 'contact-results' });
  /** @param {Found} person */
  const result = (person) =>
    searchResult(person, () => {
      results.replaceChildren();
      search.value = '';
      act(contacts.request(person.id).then(() => toast(t('contacts.request_sent'))));
    });
  /** @param {string} q */
  const look = async (q) => {
    try {
      const found = (await users.search(q, 8)).items.filter(
        (/** @type {Found} */ person) => person.id !== ctx.user?.id,
      );
      results.replaceChildren(...found.map(result));
      if (!found.length) results.append(h('li', {}, emptyState(t('contacts.no_results'))));
    } catch (error) {
      results.replaceChildren(h('li', {}, emptyState(errorText(error))));
    }
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    const q = search.value.trim().replace(/^@/, '');
    if (q.length < 2) return results.replaceChildren();
    timer = setTimeout(() => look(q), 250);
  });
  const field = h(
    'div',
    { class: 'field' },
    h('label', { class: 'field__label', for: 'contact-search' }, t('contacts.search')),
    search,
  );
  return { elements: [field, results], stop: () => clearTimeout(timer) };
}

/** @param {HTMLElement} panel @param {PageContext} ctx */
export function contactsTab(panel, ctx) {
  const list = h('ul', { class: 'list', testid: 'contacts', 'aria-busy': 'true' });
  /** @type {Map<string, HTMLElement>} presence dots by user id */
  const dots = new Map();
  async function load() {
    try {
      const items = [...(await contacts.list()).items];
      list.removeAttribute('aria-busy');
      items.sort((a, b) => ORDER[a.status] - ORDER[b.status] || Number(b.online) - Number(a.online));
      list.replaceChildren(
        ...items.map((/** @type {Contact} */ contact) => {
          const dot = h('span', { class: 'presence', testid: 'presence', role: 'img' });
          paintPresence(contact.online, dot);
          dots.set(contact.user.id, dot);
          return contactRow(contact, dot, act);
        }),
      );
      if (!items.length) list.append(h('li', {}, emptyState(t('contacts.empty'), 'contacts-empty')));
    } catch (error) {
      list.replaceChildren(h('li', {}, emptyState(errorText(error))));
    }
  }
  /** @param {Promise<unknown>} change */
  const act = (change) => change.then(load).catch((error) => toast(errorText(error), { kind: 'error' }));
  const search = contactSearch(ctx, act);
  panel.append(h('h2', { class: 'visually-hidden' }, t('home.tab_contacts')), ...search.elements, list);
  load();
  const offPresence = realtime.on('presence', (data) => {
    const dot = dots.get(data.user_id);
    if (dot) paintPresence(data.online, dot);
  });
  const offResync = realtime.on('resync', load);
  return () => {
    search.stop();
    offPresence();
    offResync();
  };
}
