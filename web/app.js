// Entry point and router: picks a page for the path, keeps the realtime socket and the call ringer running.
import { currentUser, getSession, onSessionChange } from './api.js';
import { startRinger } from './calls.js';
import { byId, clear } from './dom.js';
import { initI18n, t } from './i18n.js';
import { realtime } from './realtime.js';
import { KEPT_FRAGMENT } from './roomcode.js';

/** @import { AcceptedCall, Me } from './endpoints.js' */
/**
 * What a page hands the next one through history.state (a room page reads it once).
 * @typedef {{directJoin?: AcceptedCall, autoJoin?: boolean, created?: boolean}} RouteState
 */
/** @typedef {{replace?: boolean, state?: RouteState | null}} NavigateOptions */
/**
 * What a page's render(root, ctx) gets.
 * @typedef {object} PageContext
 * @property {string[]} params the route's captured parts (the room id of /r/<id>)
 * @property {URLSearchParams} query
 * @property {RouteState} state history.state: what the previous page handed over
 * @property {'login' | 'signup' | undefined} mode
 * @property {Me | null} user
 * @property {(path: string, options?: NavigateOptions) => void} navigate
 * @property {() => Promise<void>} rerender
 */
/** @typedef {void | (() => void | Promise<void>)} PageCleanup */
/** @typedef {{render: (root: HTMLElement, ctx: PageContext) => PageCleanup | Promise<PageCleanup>}} Page */
/**
 * auth: only for people signed in; open: also for people who are not (guests, #token= links).
 * @typedef {{path: RegExp, page: () => Promise<Page>, auth?: boolean, open?: boolean, mode?: 'login' | 'signup'}} Route
 */

/** @type {Route[]} */
const ROUTES = [
  { path: /^\/$/, page: () => import('./pages/home.js'), auth: true },
  { path: /^\/login\/?$/, page: () => import('./pages/login.js'), mode: 'login' },
  { path: /^\/signup\/?$/, page: () => import('./pages/login.js'), mode: 'signup' },
  { path: /^\/r\/([^/]+)\/?$/, page: () => import('./pages/room.js'), open: true },
];

const root = byId('app');
/** @type {PageCleanup} */
let cleanup;
let renderId = 0;

/** @param {string} path @param {NavigateOptions} [options] */
export function navigate(path, { replace = false, state = null } = {}) {
  if (replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  route();
}

async function leavePage() {
  if (typeof cleanup === 'function') {
    try {
      await cleanup();
    } catch (error) {
      console.error('page cleanup failed', error);
    }
  }
  cleanup = undefined;
}

/** @returns {Promise<void>} */
async function route() {
  const id = ++renderId;
  await leavePage();
  const path = location.pathname;
  const found = ROUTES.find((r) => r.path.test(path));
  const match = found && path.match(found.path);
  if (!found || !match) return navigate('/', { replace: true });
  if (found.auth && !getSession()) {
    // An encrypted meeting's #key= must survive signing in, but never ride in ?next= to the server.
    keepFragment(path);
    const next = path + location.search;
    return navigate(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`, { replace: true });
  }
  const module = await found.page();
  if (id !== renderId) return;
  clear(root);
  window.scrollTo(0, 0);
  /** @type {PageContext} */
  const ctx = {
    params: match.slice(1).map(decodeURIComponent),
    query: new URLSearchParams(location.search),
    state: history.state || {},
    mode: found.mode,
    user: currentUser(),
    navigate,
    rerender: route,
  };
  cleanup = await module.render(root, ctx);
  document.title = document.title || t('app.name');
}

/** Keeps this page's #key= fragment in this tab while the person signs in (see room/e2ee.js). @param {string} path */
function keepFragment(path) {
  if (location.hash.startsWith('#key='))
    sessionStorage.setItem(KEPT_FRAGMENT, JSON.stringify({ path, hash: location.hash }));
}

// Links marked data-link change pages without reloading.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-link]') : null;
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute('href') || '/');
});

window.addEventListener('popstate', route);

onSessionChange((session) => {
  if (session) {
    realtime.start();
    return;
  }
  realtime.stop();
  const onPublicPage = /^\/(login|signup)\/?$/.test(location.pathname);
  if (!onPublicPage) navigate('/login', { replace: true });
});

async function start() {
  await initI18n();
  document.title = t('app.name');
  startRinger({ navigate });
  if (getSession()) realtime.start();
  await route();
}

start();
