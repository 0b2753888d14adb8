// "Contacts" tab: people with online status, requests to accept, search to add, and call / message buttons.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, api } from '../api.js';
import { realtime } from '../realtime.js';
import { errorText, emptyState, avatar, toast } from '../ui.js';
import { callUser, askNotificationPermission } from '../calls.js';

export function contactsTab(panel, ctx) {
  const list = h('ul', { class: 'list', testid: 'contacts', 'aria-busy': 'true' });
  const online = new Map();

  async function load() {
    try {
      const answer = await get('/contacts');
      list.removeAttribute('aria-busy');
      list.replaceChildren();
      const items = answer?.items || [];
      if (!items.length) list.append(h('li', {}, emptyState(t('contacts.empty'), 'contacts-empty')));
      const order = { incoming: 0, accepted: 1, outgoing: 2 };
      items.sort((a, b) => order[a.status] - order[b.status] || Number(b.online) - Number(a.online));
      for (const contact of items) list.append(contactRow(contact));
    } catch (error) {
      list.replaceChildren(h('li', {}, emptyState(errorText(error))));
    }
  }

  function act(promise) {
    promise.then(load).catch((error) => toast(errorText(error), { kind: 'error' }));
  }

  function contactRow({ user, status, online: isOnline }) {
    const name = user.display_name || user.login;
    const dot = h('span', { class: `presence ${isOnline ? 'presence--on' : ''}`, testid: 'presence', role: 'img', 'aria-label': t(isOnline ? 'contacts.online' : 'contacts.offline') });
    online.set(String(user.id), dot);
    const id = encodeURIComponent(user.id);
    let actions;
    if (status === 'incoming') {
      actions = [
        h('button', { class: 'button button--primary', type: 'button', testid: 'contact-accept', onclick: () => act(post(`/contacts/${id}/accept`)) }, t('contacts.accept')),
        h('button', { class: 'button', type: 'button', testid: 'contact-decline', onclick: () => act(post(`/contacts/${id}/decline`)) }, t('contacts.decline')),
      ];
    } else if (status === 'outgoing') {
      actions = [
        h('span', { class: 'list__meta' }, t('contacts.pending')),
        h('button', { class: 'button button--ghost', type: 'button', onclick: () => act(api('DELETE', `/contacts/${id}`)) }, t('contacts.withdraw')),
      ];
    } else {
      actions = [
        h('button', { class: 'icon-button', type: 'button', testid: 'contact-call', 'aria-label': t('contacts.call', { name }), title: t('contacts.call', { name }),
          onclick: () => { askNotificationPermission(); callUser(user); } }, icon('phone')),
        h('a', { class: 'icon-button', href: `/?dm=${id}`, 'data-link': '', testid: 'contact-message', 'aria-label': t('contacts.message', { name }), title: t('contacts.message', { name }),
          onclick: () => sessionStorage.setItem('conference.home.tab', 'messages') }, icon('message')),
      ];
    }
    return h('li', { class: 'list__item', testid: 'contact', dataset: { userId: user.id, status } },
      h('span', { class: 'avatar-wrap' }, avatar(name), dot),
      h('div', { class: 'list__main' }, h('span', { class: 'list__title' }, name), h('span', { class: 'list__meta' }, `@${user.login}`)),
      h('div', { class: 'list__actions' }, actions));
  }

  const search = h('input', { id: 'contact-search', class: 'input', type: 'search', testid: 'contact-search', autocomplete: 'off', placeholder: t('contacts.search_placeholder') });
  const results = h('ul', { class: 'list list--compact', testid: 'contact-results' });
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    const q = search.value.trim().replace(/^@/, '');
    if (q.length < 2) return results.replaceChildren();
    timer = setTimeout(async () => {
      try {
        const answer = await get(`/users?q=${encodeURIComponent(q)}&limit=8`);
        results.replaceChildren(...(answer?.items || []).filter((u) => u.id !== ctx.user?.id).map((u) => h('li', { class: 'list__item', testid: 'contact-result' },
          avatar(u.display_name || u.login),
          h('div', { class: 'list__main' }, h('span', { class: 'list__title' }, u.display_name || u.login), h('span', { class: 'list__meta' }, `@${u.login}`)),
          h('button', { class: 'button', type: 'button', testid: 'contact-add', onclick: () => {
            results.replaceChildren();
            search.value = '';
            act(post('/contacts', { user_id: u.id }).then(() => toast(t('contacts.request_sent'))));
          } }, t('contacts.add')))));
        if (!results.children.length) results.append(h('li', {}, emptyState(t('contacts.no_results'))));
      } catch (error) {
        results.replaceChildren(h('li', {}, emptyState(errorText(error))));
      }
    }, 250);
  });

  panel.append(
    h('h2', { class: 'visually-hidden' }, t('home.tab_contacts')),
    h('div', { class: 'field' }, h('label', { class: 'field__label', for: 'contact-search' }, t('contacts.search')), search),
    results,
    list);
  load();

  const offPresence = realtime.on('presence', (data) => {
    const dot = online.get(String(data.user_id ?? data.user?.id));
    if (!dot) return;
    dot.classList.toggle('presence--on', Boolean(data.online));
    dot.setAttribute('aria-label', t(data.online ? 'contacts.online' : 'contacts.offline'));
  });
  return () => {
    clearTimeout(timer);
    offPresence();
  };
}
