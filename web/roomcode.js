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
  return new URL(`/r/${room.id}`, location.origin).href;
}

/** @param {string | null | undefined} a @param {string | null | undefined} b */
export function sameRoom(a, b) {
  const compact = (/** @type {string | null | undefined} */ id) =>
    String(id || '')
      .replace(/-/g, '')
      .toLowerCase();
  return compact(a) === compact(b);
}
