// Home: start or join a meeting, then tabs for my rooms, call history, contacts and direct messages.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { signOut, currentUser } from '../api.js';
import { brand, languageSwitch, renderInto, avatar } from '../ui.js';
import { meetingCards } from '../home/meetings.js';
import { roomsTab } from '../home/rooms.js';
import { historyTab } from '../home/history.js';
import { contactsTab } from '../home/contacts.js';
import { messagesTab } from '../home/messages.js';
import { openProfile } from '../home/profile.js';

const TABS = [
  { id: 'rooms', label: 'home.tab_rooms', build: roomsTab },
  { id: 'history', label: 'home.tab_history', build: historyTab },
  { id: 'contacts', label: 'home.tab_contacts', build: contactsTab },
  { id: 'messages', label: 'home.tab_messages', build: messagesTab },
];

export function render(root, ctx) {
  document.title = t('app.name');
  const user = currentUser() || ctx.user || {};
  const cleanups = [];
  const panel = h('section', { class: 'tabpanel', role: 'tabpanel', id: 'home-tabpanel', tabindex: '0' });
  let active = sessionStorage.getItem('conference.home.tab') || 'rooms';
  if (ctx.query.get('dm')) active = 'messages';

  const tabs = TABS.map((tab) => h('button', {
    class: 'tab', type: 'button', role: 'tab', id: `tab-${tab.id}`, testid: `tab-${tab.id}`,
    'aria-controls': 'home-tabpanel', onclick: () => select(tab.id),
  }, t(tab.label)));
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('home.sections') }, tabs);
  tablist.addEventListener('keydown', (event) => {
    const index = TABS.findIndex((tab) => tab.id === active);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    const next = TABS[(index + step + TABS.length) % TABS.length].id;
    select(next);
    tabs[TABS.findIndex((tab) => tab.id === next)].focus();
  });

  function select(id) {
    active = id;
    sessionStorage.setItem('conference.home.tab', id);
    TABS.forEach((tab, i) => {
      const on = tab.id === id;
      tabs[i].setAttribute('aria-selected', String(on));
      tabs[i].tabIndex = on ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `tab-${id}`);
    while (cleanups.length) cleanups.pop()();
    panel.replaceChildren();
    const tab = TABS.find((x) => x.id === id);
    const off = tab.build(panel, ctx);
    if (typeof off === 'function') cleanups.push(off);
  }

  const name = user.display_name || user.login || '';
  renderInto(root, h('div', { class: 'home-page' },
    h('header', { class: 'topbar' },
      brand(),
      h('div', { class: 'topbar__actions' },
        languageSwitch(() => ctx.rerender()),
        h('button', { class: 'topbar__user', type: 'button', testid: 'current-user', 'aria-label': t('profile.open', { name }),
          onclick: () => openProfile(user, () => ctx.rerender()) }, avatar(name), h('span', { class: 'topbar__name' }, name)),
        h('button', { class: 'button button--ghost', type: 'button', testid: 'sign-out', onclick: async () => { await signOut(); ctx.navigate('/login'); } }, t('auth.logout')))),
    h('main', { class: 'home' },
      h('h1', { class: 'home__title' }, t('home.title')),
      h('p', { class: 'home__lead' }, t('home.lead')),
      meetingCards(ctx),
      tablist,
      panel)));
  select(TABS.some((tab) => tab.id === active) ? active : 'rooms');
  return () => {
    while (cleanups.length) cleanups.pop()();
  };
}
