// HTTP client for /api/v1: bearer auth, one shared refresh (rotating refresh tokens), errors as ApiError.
const BASE = new URL('/api/v1', location.origin).pathname;
const STORAGE_KEY = 'conference.session';
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.fields = fields || {};
  }
}

export function getSession() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY)) || null;
  } catch {
    return null;
  }
}

function saveSession(session) {
  if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(session);
}

// Called with the new session (or null when signed out), also when another tab changes it.
export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

window.addEventListener('storage', (event) => {
  if (event.key !== STORAGE_KEY) return;
  const session = getSession();
  for (const listener of listeners) listener(session);
});

function fromAuthAnswer(body, previousUser) {
  return {
    access_token: body.access_token,
    refresh_token: body.refresh_token,
    expires_at: Date.now() + (Number(body.expires_in) || 900) * 1000,
    user: body.user || previousUser || null,
  };
}

async function parse(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body && body.error) || {};
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message || response.statusText, error.fields);
  }
  return body;
}

let refreshing = null;

// Rotates the refresh token once even if many requests (or tabs) need it at the same moment.
export function refreshSession(staleAccessToken) {
  if (!refreshing) {
    const run = async () => {
      const session = getSession();
      if (!session) throw new ApiError(401, 'unauthorized', 'Not signed in');
      // Another tab may already have rotated the pair: use it instead of spending a dead token.
      if (staleAccessToken && session.access_token !== staleAccessToken && session.expires_at > Date.now() + 5000) return session;
      const response = await fetch(`${BASE}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: session.refresh_token }),
      });
      try {
        const fresh = fromAuthAnswer(await parse(response), session.user);
        saveSession(fresh);
        return fresh;
      } catch (error) {
        if (error.status === 401 || error.status === 400) saveSession(null);
        throw error;
      }
    };
    const locked = navigator.locks ? navigator.locks.request('conference.refresh', run) : run();
    refreshing = locked.finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

// An access token that is valid for at least the next half minute (used by the WebSocket too).
export async function freshAccessToken() {
  const session = getSession();
  if (!session) return null;
  if (session.expires_at - Date.now() > 30000) return session.access_token;
  return (await refreshSession(session.access_token)).access_token;
}

export async function api(method, path, body, { auth = true } = {}) {
  const send = async (token) => {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  let token = auth ? await freshAccessToken().catch(() => null) : null;
  let response = await send(token);
  if (response.status === 401 && auth && token) {
    const session = await refreshSession(token);
    token = session.access_token;
    response = await send(token);
  }
  return parse(response);
}

// A single-use ticket that opens the WebSocket, so no token travels in its URL. The socket lives until
// the access token the ticket was minted with expires (`expiresAt`), unless renewed with a fresh ticket.
export async function socketTicket() {
  const answer = await api('POST', '/ws/ticket');
  const session = getSession();
  return { ticket: answer.ticket, accessToken: session?.access_token, expiresAt: session?.expires_at || 0 };
}

export const get = (path) => api('GET', path);
export const post = (path, body = {}) => api('POST', path, body);

export async function signIn(login, password) {
  const answer = await api('POST', '/auth/login', { login, password }, { auth: false });
  saveSession(fromAuthAnswer(answer));
  return answer.user;
}

export async function signUp(fields) {
  const answer = await api('POST', '/auth/register', fields, { auth: false });
  saveSession(fromAuthAnswer(answer));
  return answer.user;
}

export async function signOut() {
  const session = getSession();
  saveSession(null);
  if (session) {
    await api('POST', '/auth/logout', { refresh_token: session.refresh_token }, { auth: false }).catch(() => {});
  }
}

export function updateStoredUser(user) {
  const session = getSession();
  if (session) saveSession({ ...session, user });
}

export function currentUser() {
  return getSession()?.user || null;
}
