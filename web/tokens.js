// Reading the claims of a JWT the browser holds (a LiveKit token from a #token= link, a guest's session token).
// Nothing is verified here: the servers that receive the token do that; the page only shows what it says.

/**
 * What a LiveKit access token says about its holder (see livekit-server's ClaimGrants).
 * @typedef {object} TokenClaims
 * @property {string} [sub] the participant identity
 * @property {string} [name] the participant name
 * @property {number} [exp] seconds since the epoch
 * @property {string} [metadata] JSON text: the server puts {role, …} there
 * @property {{room?: string, roomJoin?: boolean, canPublish?: boolean}} [video]
 */

/**
 * The payload of a JWT (with an optional prefix such as gs_), or null when it is not one.
 * @param {string} token
 * @returns {TokenClaims | null}
 */
export function readClaims(token) {
  const parts = token.replace(/^[a-z]+_/, '').split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const text = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(text);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

/** @param {string} token @returns {number} epoch ms when it expires, 0 when unknown */
export function expiresAt(token) {
  const exp = readClaims(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : 0;
}
