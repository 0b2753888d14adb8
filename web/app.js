// Entry point and router: picks a page for the path, keeps the realtime socket and the call ringer running.
import { initI18n, t } from './i18n.js';
import { clear } from './dom.js';
import { currentUser, getSession, onSessionChange } from './api.js';
import { realtime } from './realtime.js';
import { startRinger } from './calls.js';

const ROUTES = [
  { path: /^\/$/, page: () => import('./pages/home.js'), auth: true },
  { path: /^\/login\/?$/, page: () => import('./pages/login.js'), mode: 'login' },
  { path: /^\/signup\/?$/, page: () => import('./pages/login.js'), mode: 'signup' },
  { path: /^\/r\/([^/]+)\/?$/, page: () => import('./pages/room.js'), auth: true },
];

const root = document.getElementById('app');
let cleanup = null;
let renderId = 0;

export function navigate(path, { replace = false, state = null } = {}) {
  if (replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  route();
}

async function route() {
  const id = ++renderId;
  if (typeof cleanup === 'function') {
    try {
      await cleanup();
    } catch (error) {
      console.error('page cleanup failed', error);
    }
  }
  cleanup = null;
  const path = location.pathname;
  const match = ROUTES.map((r) => ({ r, m: path.match(r.path) })).find((x) => x.m);
  if (!match) return navigate('/', { replace: true });
  if (match.r.auth && !getSession()) {
    const next = path + location.search;
    return navigate(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`, { replace: true });
  }
  const module = await match.r.page();
  if (id !== renderId) return;
  clear(root);
  window.scrollTo(0, 0);
  const ctx = {
    params: match.m.slice(1).map(decodeURIComponent),
    query: new URLSearchParams(location.search),
    state: history.state || {},
    mode: match.r.mode,
    user: currentUser(),
    navigate,
    rerender: route,
  };
  cleanup = await module.render(root, ctx);
  document.title = document.title || t('app.name');
}

// Links marked data-link change pages without reloading.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-link]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
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
