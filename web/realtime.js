// One WebSocket per tab to /api/v1/ws: opens with a single-use ticket, resumes with ?after=<last event id>
// (or hears `resync` when that is too old, and pages reload), renews its ticket before the access token
// behind it expires, reconnects with backoff, pings.
import { getGuestSession, getSession, refreshSession } from './api.js';
import { socketTicket } from './endpoints.js';

/** @import { RealtimeEvents } from './types.js' */
/** @typedef {'online' | 'connecting' | 'offline'} ConnectionState */
/** @typedef {{id?: string | number, type: string, data?: unknown}} Frame a server frame */
/** @typedef {(data: any, frame?: Frame) => void} Listener */

const PING_EVERY_MS = 20000;
const SILENCE_LIMIT_MS = 50000;
const LAST_ID_KEY = 'conference.ws.after';

class Realtime {
  constructor() {
    /** @type {Map<string, Set<Listener>>} */
    this.listeners = new Map();
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {ConnectionState} */
    this.state = 'offline';
    this.attempt = 0;
    this.wanted = false;
    this.connecting = false;
    /** @type {{retry?: ReturnType<typeof setTimeout>, renew?: ReturnType<typeof setTimeout>, ping?: ReturnType<typeof setInterval>, watch?: ReturnType<typeof setInterval>}} */
    this.timers = {};
    this.lastId = sessionStorage.getItem(LAST_ID_KEY) || '';
  }

  /**
   * on('state', fn) for 'online'/'connecting'/'offline'.
   * @overload
   * @param {'state'} type
   * @param {(state: ConnectionState) => void} fn
   * @returns {() => void}
   */
  /**
   * on('resync', fn): the server could not replay what this tab missed (it was away longer than the event
   * log keeps events): reload what the page shows. Events flow again right after.
   * @overload
   * @param {'resync'} type
   * @param {() => void} fn
   * @returns {() => void}
   */
  /**
   * on('chat.message', fn): fn gets the event's data, typed from openapi.json's x-realtime-events.
   * @template {keyof RealtimeEvents & string} T
   * @overload
   * @param {T} type
   * @param {(data: RealtimeEvents[T], frame?: Frame) => void} fn
   * @returns {() => void}
   */
  /**
   * on('*', fn) for every event.
   * @overload
   * @param {'*'} type
   * @param {(data: unknown, frame?: Frame) => void} fn
   * @returns {() => void}
   */
  /**
   * @param {string} type
   * @param {Listener} fn
   * @returns {() => void}
   */
  on(type, fn) {
    const listeners = this.listeners.get(type) ?? new Set();
    this.listeners.set(type, listeners.add(fn));
    return () => {
      listeners.delete(fn);
    };
  }

  /** @param {string} type @param {unknown} payload @param {Frame} [frame] */
  emit(type, payload, frame) {
    for (const fn of this.listeners.get(type) || []) {
      try {
        fn(payload, frame);
      } catch (error) {
        console.error('realtime listener failed', error);
      }
    }
  }

  /** @param {ConnectionState} state */
  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  start() {
    if (this.wanted) return;
    this.wanted = true;
    this.connect();
  }

  stop() {
    this.wanted = false;
    clearTimeout(this.timers.retry);
    this.closeSocket();
    this.lastId = '';
    sessionStorage.removeItem(LAST_ID_KEY);
    this.setState('offline');
  }

  closeSocket() {
    clearTimeout(this.timers.renew);
    clearInterval(this.timers.ping);
    clearInterval(this.timers.watch);
    if (this.socket) {
      this.socket.onclose = this.socket.onmessage = this.socket.onopen = this.socket.onerror = null;
      try {
        this.socket.close(1000);
      } catch {
        /* already closed */
      }
    }
    this.socket = null;
  }

  async connect() {
    const someone = getSession() || getGuestSession();
    if (!this.wanted || !someone || this.connecting || (this.socket && this.socket.readyState <= WebSocket.OPEN))
      return;
    this.connecting = true;
    this.setState('connecting');
    let grant;
    try {
      grant = await socketTicket();
    } catch {
      grant = null;
    }
    this.connecting = false;
    if (!this.wanted) return;
    if (!grant) return this.retry();
    const url = new URL('/api/v1/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', grant.ticket);
    if (this.lastId) url.searchParams.set('after', this.lastId);
    const socket = new WebSocket(url);
    this.socket = socket;
    let lastHeard = Date.now();
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('online');
      this.renewBefore(grant.expiresAt);
      this.timers.ping = setInterval(() => this.send({ type: 'ping' }), PING_EVERY_MS);
      this.timers.watch = setInterval(() => {
        if (Date.now() - lastHeard > SILENCE_LIMIT_MS) socket.close(4000);
      }, 5000);
    };
    socket.onmessage = (message) => {
      lastHeard = Date.now();
      this.receive(message.data);
    };
    socket.onclose = async (event) => {
      this.closeSocket();
      if (!this.wanted) return;
      this.setState('connecting');
      if (event.code === 4401) {
        // The access token expired (a tab that slept) or the sign-in ended: refresh, and come back at
        // once; when the refresh is refused the person is signed out.
        try {
          await refreshSession(grant.accessToken);
        } catch {
          this.wanted = false;
          this.setState('offline');
          return;
        }
        this.attempt = 0;
      }
      this.retry();
    };
  }

  /**
   * One server frame: its id is remembered for ?after=, its data goes to the listeners.
   * @param {string} text
   */
  receive(text) {
    /** @type {Frame} */
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.id != null) {
      this.lastId = String(frame.id);
      sessionStorage.setItem(LAST_ID_KEY, this.lastId);
    }
    if (frame.type === 'renewed') {
      const data = /** @type {{expires_in?: number} | undefined} */ (frame.data);
      this.renewBefore(Date.now() + (Number(data?.expires_in) || 0) * 1000);
    }
    this.emit(frame.type, frame.data ?? frame, frame);
    this.emit('*', frame.data ?? frame, frame);
  }

  /**
   * Before the access token behind the socket expires (the server closes it then with 4401), hand the
   * server a ticket of a fresh one: the socket lives on, with no reconnect for contacts to see.
   * @param {number} expiresAt epoch ms
   */
  renewBefore(expiresAt) {
    clearTimeout(this.timers.renew);
    this.timers.renew = setTimeout(
      async () => {
        try {
          this.send({ type: 'renew', ticket: (await socketTicket()).ticket });
        } catch {
          /* the server closes with 4401 at expiry, and onclose refreshes and reconnects */
        }
      },
      Math.max(1000, expiresAt - Date.now() - 20000),
    );
  }

  retry() {
    clearTimeout(this.timers.retry);
    const delay = Math.min(15000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt = Math.min(this.attempt + 1, 8);
    this.timers.retry = setTimeout(() => this.connect(), delay);
  }

  /** @param {{type: string, [field: string]: unknown}} frame a client frame (chat.send, typing, read, ping) */
  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }
}

export const realtime = new Realtime();

// Come back quickly after the laptop wakes or the network returns.
window.addEventListener('online', () => {
  if (realtime.wanted && realtime.state !== 'online') {
    realtime.attempt = 0;
    realtime.retry();
  }
});
