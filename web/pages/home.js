// Home: start or join a meeting, then tabs for my rooms, call history, contacts and direct messages.
import { currentUser } from '../api.js';
import { h } from '../dom.js';
import { auth } from '../endpoints.js';
import { contactsTab } from '../home/contacts.js';
import { groupsTab } from '../home/groups.js';
import { historyTab } from '../home/history.js';
import { meetingCards } from '../home/meetings.js';
import { messagesTab } from '../home/messages.js';
import { openProfile } from '../home/profile.js';
import { roomsTab } from '../home/rooms.js';
import { searchBox } from '../home/search.js';
import { watchUnread } from '../home/unread.js';
import { t } from '../i18n.js';
import { avatar, brand, languageSwitch, renderInto } from '../ui.js';

/** @import { PageContext } from '../app.js' */
/** @typedef {(panel: HTMLElement, ctx: PageContext) => void | (() => void)} TabBuilder */
/** @typedef {{id: string, label: string, build: TabBuilder}} Tab */

const TAB_KEY = 'conference.home.tab';
/** @type {Record<string, number | undefined>} */
const ARROW_STEP = { ArrowRight: 1, ArrowLeft: -1 };
/** @type {Tab[]} */
const TABS = [
  { id: 'rooms', label: 'home.tab_rooms', build: roomsTab },
  { id: 'history', label: 'home.tab_history', build: historyTab },
  { id: 'contacts', label: 'home.tab_contacts', build: contactsTab },
  { id: 'messages', label: 'home.tab_messages', build: messagesTab },
  { id: 'groups', label: 'home.tab_groups', build: groupsTab },
];

/**
 * The tab list and its panel; select(id) shows a tab (arrow keys move between them).
 * @param {PageContext} ctx
 */
function homeTabs(ctx) {
  /** @type {(() => void)[]} */
  const cleanups = [];
  const panel = h('section', { class: 'tabpanel', role: 'tabpanel', id: 'home-tabpanel', tabindex: '0' });
  let active = '';
  const tabs = TABS.map((tab) =>
    h(
      'button',
      {
        class: 'tab',
        type: 'button',
        role: 'tab',
        id: `tab-${tab.id}`,
        testid: `tab-${tab.id}`,
        'aria-controls': 'home-tabpanel',
        onclick: () => select(tab.id),
      },
      t(tab.label),
    ),
  );
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('home.sections') }, tabs);
  tablist.addEventListener('keydown', (event) => {
    const step = ARROW_STEP[event.key];
    if (!step) return;
    const index = (TABS.findIndex((tab) => tab.id === active) + step + TABS.length) % TABS.length;
    select(TABS[index].id);
    tabs[index].focus();
  });
  const stop = () => {
    while (cleanups.length) cleanups.pop()?.();
  };
  /** @param {string} id */
  function select(id) {
    const tab = TABS.find((x) => x.id === id) ?? TABS[0];
    active = tab.id;
    sessionStorage.setItem(TAB_KEY, tab.id);
    TABS.forEach((x, i) => {
      tabs[i].setAttribute('aria-selected', String(x === tab));
      tabs[i].tabIndex = x === tab ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `tab-${tab.id}`);
    stop();
    panel.replaceChildren();
    const off = tab.build(panel, ctx);
    if (typeof off === 'function') cleanups.push(off);
  }
  return { tablist, panel, select, stop };
}

/** @param {HTMLElement} root @param {PageContext} ctx */
export function render(root, ctx) {
  document.title = t('app.name');
  const user = currentUser() || ctx.user;
  const name = user?.display_name || user?.login || '';
  const tabs = homeTabs(ctx);
  const profile = h(
    'button',
    {
      class: 'topbar__user',
      type: 'button',
      testid: 'current-user',
      'aria-label': t('profile.open', { name }),
      onclick: () => user && openProfile(user, () => ctx.rerender()),
    },
    avatar(name),
    h('span', { class: 'topbar__name' }, name),
  );
  const signOut = async () => {
    await auth.logout();
    ctx.navigate('/login');
  };
  const header = h(
    'header',
    { class: 'topbar' },
    brand(),
    h(
      'div',
      { class: 'topbar__actions' },
      languageSwitch(() => ctx.rerender()),
      profile,
      h(
        'button',
        { class: 'button button--ghost', type: 'button', testid: 'sign-out', onclick: signOut },
        t('auth.logout'),
      ),
    ),
  );
  const main = h(
    'main',
    { class: 'home' },
    h('h1', { class: 'home__title' }, t('home.title')),
    h('p', { class: 'home__lead' }, t('home.lead')),
    meetingCards(ctx),
    searchBox(ctx),
    tabs.tablist,
    tabs.panel,
  );
  renderInto(root, h('div', { class: 'home-page' }, header, main));
  const asked = ctx.query.get('group') ? 'groups' : ctx.query.get('dm') ? 'messages' : null;
  tabs.select(asked || sessionStorage.getItem(TAB_KEY) || 'rooms');
  const stopUnread = watchUnread();
  return () => {
    stopUnread();
    tabs.stop();
  };
}
