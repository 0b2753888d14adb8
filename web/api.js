// HTTP client for /api/v1: bearer auth, one shared refresh (rotating refresh tokens), errors as ApiError.
// The operations themselves are in endpoints.js; this module knows only the session and the refresh.
/** @import { Answers, ErrorDetail } from './types.js' */

const BASE = new URL('/api/v1', location.origin).pathname;
const STORAGE_KEY = 'conference.session';
const GUEST_KEY = 'conference.guest';
/** @type {Set<(session: Session | null) => void>} */
const listeners = new Set();

/** @typedef {Answers['POST /api/v1/auth/login']} AuthAnswer the pair of tokens and the signed-in user */
/** @typedef {Answers['GET /api/v1/users/me']} Me */
/**
 * What this browser keeps of a sign-in (localStorage, shared by its tabs).
 * @typedef {object} Session
 * @property {string} access_token
 * @property {string} refresh_token
 * @property {number} expires_at milliseconds since the epoch
 * @property {Me | null} user
 */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} [message]
   * @param {Record<string, string> | null} [fields]
   */
  constructor(status, code, message, fields) {
    super(message || code);
    this.status = status;
    this.code = code;
    /** @type {Record<string, string>} */
    this.fields = fields || {};
  }
}

/** @returns {Session | null} */
export function getSession() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
  } catch {
    return null;
  }
}

/** @param {Session | null} session */
function saveSession(session) {
  if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener(session);
}

/**
 * A guest's session in this tab (sessionStorage): used as the bearer when nobody is signed in.
 * @typedef {{room_id: string, id: string, display_name: string, session_token: string}} GuestSession
 */

/** @returns {GuestSession | null} */
export function getGuestSession() {
  try {
    return JSON.parse(sessionStorage.getItem(GUEST_KEY) || 'null');
  } catch {
    return null;
  }
}

/** @param {GuestSession | null} guest */
export function setGuestSession(guest) {
  if (guest) sessionStorage.setItem(GUEST_KEY, JSON.stringify(guest));
  else sessionStorage.removeItem(GUEST_KEY);
}

/**
 * Called with the new session (or null when signed out), also when another tab changes it.
 * @param {(session: Session | null) => void} listener
 */
export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

window.addEventListener('storage', (event) => {
  if (event.key !== STORAGE_KEY) return;
  const session = getSession();
  for (const listener of listeners) listener(session);
});

/**
 * @param {AuthAnswer} body
 * @param {Me | null} [previousUser]
 * @returns {Session}
 */
function fromAuthAnswer(body, previousUser) {
  return {
    access_token: body.access_token,
    refresh_token: body.refresh_token,
    expires_at: Date.now() + (Number(body.expires_in) || 900) * 1000,
    user: body.user || previousUser || null,
  };
}

/**
 * The answer's JSON (null for 204); any other status than 2xx becomes an ApiError.
 * @param {Response} response
 * @returns {Promise<unknown>}
 */
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
    /** @type {Partial<ErrorDetail>} */
    const error = body?.error || {};
    const code = error.code || `http_${response.status}`;
    throw new ApiError(response.status, code, error.message || response.statusText, error.fields);
  }
  return body;
}

/** @type {Promise<Session> | null} */
let refreshing = null;

/**
 * Rotates the refresh token once even if many requests (or tabs) need it at the same moment.
 * @param {string} [staleAccessToken]
 * @returns {Promise<Session>}
 */
export function refreshSession(staleAccessToken) {
  if (!refreshing) {
    const run = async () => {
      const session = getSession();
      if (!session) throw new ApiError(401, 'unauthorized', 'Not signed in');
      // Another tab may already have rotated the pair: use it instead of spending a dead token.
      const rotated = staleAccessToken && session.access_token !== staleAccessToken;
      if (rotated && session.expires_at > Date.now() + 5000) return session;
      const response = await fetch(`${BASE}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: session.refresh_token }),
      });
      try {
        const fresh = fromAuthAnswer(/** @type {AuthAnswer} */ (await parse(response)), session.user);
        saveSession(fresh);
        return fresh;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 400)) saveSession(null);
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

/**
 * An access token that is valid for at least the next half minute (used by the WebSocket too).
 * @returns {Promise<string | null>}
 */
export async function freshAccessToken() {
  const session = getSession();
  if (!session) return null;
  if (session.expires_at - Date.now() > 30000) return session.access_token;
  return (await refreshSession(session.access_token)).access_token;
}

/**
 * One request to /api/v1<path>; a 401 refreshes the session once and tries again.
 * @param {string} method
 * @param {string} path under /api/v1, query string included
 * @param {unknown} [body] sent as JSON when given (a FormData as multipart)
 * @param {{auth?: boolean}} [options] auth: false sends no bearer token (sign-in, sign-up, sign-out)
 * @returns {Promise<unknown>} the JSON answer; endpoints.js gives it its type
 */
export async function api(method, path, body, { auth = true } = {}) {
  /** @param {string | null} token */
  const send = async (token) => {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    const form = body instanceof FormData; // a file upload: the browser writes the multipart Content-Type
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const payload = body === undefined ? undefined : form ? body : JSON.stringify(body);
    return fetch(`${BASE}${path}`, { method, headers, body: payload });
  };
  const signedIn = auth ? await freshAccessToken().catch(() => null) : null;
  let token = signedIn ?? (auth ? getGuestSession()?.session_token || null : null);
  let response = await send(token);
  if (response.status === 401 && auth && signedIn) {
    const session = await refreshSession(signedIn);
    token = session.access_token;
    response = await send(token);
  }
  return parse(response);
}

/**
 * A file under /api/v1<path> (an attachment, a preview), fetched with the bearer token; a 401 refreshes once.
 * @param {string} path under /api/v1
 * @returns {Promise<Blob>}
 */
export async function apiBlob(path) {
  /** @param {string | null} token */
  const send = (token) => fetch(`${BASE}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  let token = await freshAccessToken().catch(() => null);
  let response = await send(token);
  if (response.status === 401 && token) {
    token = (await refreshSession(token)).access_token;
    response = await send(token);
  }
  if (!response.ok) await parse(response); // throws the ApiError
  return response.blob();
}

/**
 * Keeps the tokens of a sign-in or sign-up answer; every tab is told.
 * @param {AuthAnswer} answer
 */
export function startSession(answer) {
  saveSession(fromAuthAnswer(answer));
}

/**
 * Forgets the sign-in here and in every tab.
 * @returns {string | null} the refresh token to revoke on the server, if there was a session
 */
export function endSession() {
  const session = getSession();
  saveSession(null);
  return session?.refresh_token ?? null;
}

/** @param {Me} user */
export function updateStoredUser(user) {
  const session = getSession();
  if (session) saveSession({ ...session, user });
}

/** @returns {Me | null} */
export function currentUser() {
  return getSession()?.user || null;
}
