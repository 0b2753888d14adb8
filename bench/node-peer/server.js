// The peer of bench/token_bench.py: the smallest honest Node.js media-token server an integrator
// would write instead of conference. It verifies the caller's bearer JWT (HS256, the same secret
// and claims the app issues) and mints a LiveKit AccessToken with livekit-server-sdk, with the
// same identity/name/metadata fields and participant grants. What it does NOT do, unlike the app:
// no database (no session-revocation check, no room lookup, no membership or role lookup, no
// display name: the name and login are the token's subject), no rate limit, no metrics, no
// error middleware beyond the few cases below.
'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const jwt = require('jsonwebtoken');
const { AccessToken, TrackSource } = require('livekit-server-sdk');

const PORT = Number(process.env.PORT || 8090);
// A KeyObject made once: handed a string, jsonwebtoken first tries to parse it as a PEM public key
// on every call, and the thrown error costs ~0.8 ms a verify (17 µs with the KeyObject).
const JWT_KEY = crypto.createSecretKey(Buffer.from(
  process.env.JWT_SECRET || 'dev-only-jwt-secret-change-me-in-production'));
const LIVEKIT_URL = process.env.LIVEKIT_URL || 'ws://localhost:7880';
const LIVEKIT_API_KEY = process.env.LIVEKIT_API_KEY || 'devkey';
const LIVEKIT_API_SECRET = process.env.LIVEKIT_API_SECRET || 'secret';
const TTL_S = 3600;
const ROUTE = /^\/api\/v1\/rooms\/([^/]{1,32})\/media\/token$/;
const PUBLISH_SOURCES = [TrackSource.CAMERA, TrackSource.MICROPHONE, TrackSource.SCREEN_SHARE,
  TrackSource.SCREEN_SHARE_AUDIO];

function answer(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function fail(res, status, code, message) {
  answer(res, status, { error: { code, message } });
}

// The app's room-code rule: separators dropped, case folded, ten letters shown as xxx-xxxx-xxx.
function normalizeRoomCode(raw) {
  const letters = decodeURIComponent(raw).replace(/[\s-]/g, '').toLowerCase();
  if (!/^[a-z]{10}$/.test(letters)) return null;
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7)}`;
}

function callerOf(req) {
  const [scheme, value] = (req.headers.authorization || '').split(' ', 2);
  if (!scheme || scheme.toLowerCase() !== 'bearer' || !value) return null;
  try {
    const claims = jwt.verify(value.trim(), JWT_KEY, { algorithms: ['HS256'] });
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || !claims.sid || !claims.exp) return null;
    return claims;
  } catch {
    return null;
  }
}

async function mediaToken(req, res, rawRoom) {
  const caller = callerOf(req);
  if (caller === null) return fail(res, 401, 'unauthorized', 'access token is not valid');
  const room = normalizeRoomCode(rawRoom);
  if (room === null) return fail(res, 404, 'not_found', 'no room with this ID');
  const role = 'participant';
  const token = new AccessToken(LIVEKIT_API_KEY, LIVEKIT_API_SECRET, {
    identity: caller.sub, name: caller.sub, ttl: TTL_S,
    metadata: JSON.stringify({ role, login: caller.sub }),
  });
  token.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true, canPublishData: true,
    canPublishSources: PUBLISH_SOURCES });
  const expiresAt = new Date((Math.floor(Date.now() / 1000) + TTL_S) * 1000).toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  answer(res, 200, { token: await token.toJwt(), livekit_url: LIVEKIT_URL, identity: caller.sub,
    expires_at: expiresAt });
}

const server = http.createServer((req, res) => {
  req.resume(); // the endpoint takes no body; drain whatever came
  const match = req.method === 'POST' ? ROUTE.exec(req.url) : null;
  if (match === null) return fail(res, 404, 'not_found', 'no such endpoint');
  mediaToken(req, res, match[1]).catch((error) => {
    console.error(error);
    if (!res.headersSent) fail(res, 500, 'internal_error', 'internal error');
  });
});

server.keepAliveTimeout = 75_000;
server.listen(PORT, '127.0.0.1', () => console.log(`node peer listening on http://127.0.0.1:${PORT}`));
