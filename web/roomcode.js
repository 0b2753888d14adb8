/**
 * Room IDs are read aloud ("kqz-mvtd-wpa"): accept any case, with or without dashes, or a whole invite link.
 * @param {string | null | undefined} input
 */
export function normalizeRoomId(input) {
  let text = String(input || '').trim();
  const fromLink = text.match(/\/r\/([^/?#\s]+)/);
  if (fromLink) text = decodeURIComponent(fromLink[1]);
  const compact = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (!compact) return '';
  if (/^[a-z]{10}$/.test(compact)) return `${compact.slice(0, 3)}-${compact.slice(3, 7)}-${compact.slice(7)}`;
  return compact;
}

// The address this browser reached us on is known to work for the people it is shared with
// more often than a configured public URL that may point elsewhere (a dev box, a proxy).
/** @param {{id: string}} room */
export function inviteLink(room) {
  return withKey(new URL(`/r/${room.id}`, location.origin).href, keyFromLocation(false));
}

/** @param {string | null | undefined} a @param {string | null | undefined} b */
export function sameRoom(a, b) {
  const compact = (/** @type {string | null | undefined} */ id) =>
    String(id || '')
      .replace(/-/g, '')
      .toLowerCase();
  return compact(a) === compact(b);
}

// Links of end-to-end encrypted meetings carry the passphrase in their fragment (#key=…), which browsers never
// send to a server; these read and write it.
/** sessionStorage key of a #key= fragment kept while its owner signed in (app.js keeps it, this module takes it). */
export const KEPT_FRAGMENT = 'conference.fragment';

/**
 * The passphrase in this page's #key= (or kept for this path while signing in), or null.
 * @param {boolean} [take] take the kept one (the room page does; the invite link only looks)
 */
export function keyFromLocation(take = true) {
  let hash = location.hash;
  const kept = take ? sessionStorage.getItem(KEPT_FRAGMENT) : null;
  if (kept) {
    sessionStorage.removeItem(KEPT_FRAGMENT);
    try {
      const { path, hash: keptHash } = JSON.parse(kept);
      if (!hash && path === location.pathname) hash = keptHash;
    } catch {
      /* a damaged entry is dropped */
    }
  }
  const key = new URLSearchParams(hash.slice(1)).get('key');
  return key && key.length >= 8 ? key : null;
}

/** A new random passphrase (128 bits, URL-safe) for a new E2EE room. */
export function newPassphrase() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** @param {string} url a room link @param {string | null} key @returns {string} the link with #key= when there is a key */
export function withKey(url, key) {
  return key ? `${url.split('#')[0]}#key=${encodeURIComponent(key)}` : url;
}
