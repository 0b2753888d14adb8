// Every API operation the client uses, one function each, typed from openapi.json (types.js).
// The only place in web/ that spells an API path: `call()` takes the operation as openapi.json names it,
// so tsc refuses an operation the server does not have, a missing path parameter or a wrong body.
import { api, apiBlob, endSession, getGuestSession, getSession, setGuestSession, startSession } from './api.js';
import { expiresAt } from './tokens.js';

/** @import { Answers, Bodies, Queries, RealtimeEvents } from './types.js' */

// The concepts pages talk about, named once from the operations and events that carry them.
/** @typedef {Answers['POST /api/v1/rooms']} Room */
/** @typedef {Answers['GET /api/v1/rooms/{room_id}']} RoomDetails a room and how many people are in it */
/** @typedef {Extract<Answers['POST /api/v1/rooms/{room_id}/join'], { token: string }>} Joined */
/** @typedef {Answers['POST /api/v1/calls/{call_id}/accept']} AcceptedCall the callee's media grant */
/** @typedef {RealtimeEvents['call.ring']} DirectCall */
/** @typedef {RealtimeEvents['chat.message']} ChatMessage */
/** @typedef {RealtimeEvents['dm.message']} DirectMessage */
/** @typedef {RealtimeEvents['read.position']} ReadPosition where my reading stands in one conversation */
/** @typedef {NonNullable<ChatMessage['sender']>} Person */
/** @typedef {Answers['GET /api/v1/users/me']} Me */
/** @typedef {Answers['GET /api/v1/contacts']['items'][number]} Contact */
/** @typedef {Answers['GET /api/v1/dm']['items'][number]} Conversation */
/** @typedef {Answers['GET /api/v1/calls/history']['items'][number]} CallSession */
/** @typedef {Answers['GET /api/v1/users/{user_id}']} UserProfile */
/** @typedef {Answers['GET /api/v1/rooms/{room_id}/preview']} RoomPreview what anyone with the link may see */
/** @typedef {Answers['POST /api/v1/rooms/{room_id}/guests']} GuestAnswer in (a token) or waiting in the lobby */
/** @typedef {Answers['GET /api/v1/recordings/{recording_id}']} Recording */
/** @typedef {Answers['GET /api/v1/rooms/{room_id}/hands']} HandQueue the raised hands, first raised first */
/** @typedef {Bodies['PATCH /api/v1/rooms/{room_id}/participants/{user_id}']['role']} Role */
/** @typedef {Answers['POST /api/v1/uploads']} Attachment an uploaded file, as messages carry it */
/** @typedef {Answers['GET /api/v1/groups/{group_id}']} Group a group and its members */
/** @typedef {Answers['GET /api/v1/groups']['items'][number]} GroupSummary */
/** @typedef {RealtimeEvents['group.message']} GroupMessage */
/** @typedef {Answers['GET /api/v1/search']['items'][number]} SearchHit */

const PREFIX = '/api/v1';

/**
 * The names of the {placeholders} in an operation's path.
 * @template {string} S
 * @typedef {S extends `${string}{${infer P}}${infer R}` ? P | PathParamNames<R> : never} PathParamNames
 */
/**
 * What one call needs: its path parameters (when the path has any), its body (when it takes one), a query.
 * @template {keyof Answers} K
 * @typedef {([PathParamNames<K>] extends [never] ? { path?: undefined } : { path: Record<PathParamNames<K>, string> })
 *   & (K extends keyof Bodies ? { body: Bodies[K] } : { body?: undefined })
 *   & { query?: K extends keyof Queries ? Queries[K] : undefined, auth?: boolean }} Parts
 */

/**
 * @template {keyof Answers} K
 * @param {K} operation "METHOD /api/v1/path/{param}", exactly as in openapi.json
 * @param {Parts<K>} parts
 * @returns {Promise<Answers[K]>}
 */
function call(operation, parts) {
  const [method, template] = operation.split(' ');
  const params = /** @type {Record<string, string>} */ (parts.path ?? {});
  const path = template.slice(PREFIX.length).replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name]));
  const query = new URLSearchParams(
    Object.entries(parts.query ?? {}).filter((entry) => entry[1] !== undefined && entry[1] !== null),
  ).toString();
  const answer = api(method, query ? `${path}?${query}` : path, parts.body, { auth: parts.auth ?? true });
  // The one place an answer gets its type: openapi.json declares what this operation answers.
  return /** @type {Promise<Answers[K]>} */ (answer);
}

export const auth = {
  /**
   * Signs in and keeps the session; answers the signed-in user.
   * @param {string} login login or email
   * @param {string} password
   */
  async login(login, password) {
    const answer = await call('POST /api/v1/auth/login', { body: { login, password }, auth: false });
    startSession(answer);
    return answer.user;
  },
  /** @param {Bodies['POST /api/v1/auth/register']} fields */
  async register(fields) {
    const answer = await call('POST /api/v1/auth/register', { body: fields, auth: false });
    startSession(answer);
    return answer.user;
  },
  /** Forgets the session at once; the server revokes its refresh token when it can be reached. */
  async logout() {
    const refreshToken = endSession();
    if (!refreshToken) return;
    await call('POST /api/v1/auth/logout', { body: { refresh_token: refreshToken }, auth: false }).catch(() => {});
  },
};

export const users = {
  /** @param {Bodies['PATCH /api/v1/users/me']} changes */
  updateMe: (changes) => call('PATCH /api/v1/users/me', { body: changes }),
  /** @param {string} q a login prefix or an exact id @param {number} limit */
  search: (q, limit) => call('GET /api/v1/users', { query: { q, limit: String(limit) } }),
  /** @param {string} userId */
  get: (userId) => call('GET /api/v1/users/{user_id}', { path: { user_id: userId } }),
};

export const contacts = {
  list: () => call('GET /api/v1/contacts', {}),
  /** @param {string} userId */
  request: (userId) => call('POST /api/v1/contacts', { body: { user_id: userId } }),
  /** @param {string} userId */
  accept: (userId) => call('POST /api/v1/contacts/{user_id}/accept', { path: { user_id: userId } }),
  /** @param {string} userId */
  decline: (userId) => call('POST /api/v1/contacts/{user_id}/decline', { path: { user_id: userId } }),
  /** @param {string} userId */
  remove: (userId) => call('DELETE /api/v1/contacts/{user_id}', { path: { user_id: userId } }),
};

export const rooms = {
  list: () => call('GET /api/v1/rooms', {}),
  /** @param {Bodies['POST /api/v1/rooms']} fields */
  create: (fields) => call('POST /api/v1/rooms', { body: fields }),
  /** @param {string} roomId */
  get: (roomId) => call('GET /api/v1/rooms/{room_id}', { path: { room_id: roomId } }),
  /** @param {string} roomId @param {Bodies['PATCH /api/v1/rooms/{room_id}']} changes */
  update: (roomId, changes) => call('PATCH /api/v1/rooms/{room_id}', { path: { room_id: roomId }, body: changes }),
  /**
   * A media grant (200), or `{status: "waiting"}` (202) when the room has a waiting room.
   * @param {string} roomId
   */
  join: (roomId) => call('POST /api/v1/rooms/{room_id}/join', { path: { room_id: roomId } }),
  /** @param {string} roomId */
  leave: (roomId) => call('POST /api/v1/rooms/{room_id}/leave', { path: { room_id: roomId } }),
  /** A media token for a room I was let in to (after `lobby.admitted`, which carries none). @param {string} roomId */
  mediaToken: (roomId) => call('POST /api/v1/rooms/{room_id}/media/token', { path: { room_id: roomId } }),
  /** @param {string} roomId */
  end: (roomId) => call('POST /api/v1/rooms/{room_id}/end', { path: { room_id: roomId } }),
};

export const guests = {
  /** @param {string} roomId */
  preview: (roomId) => call('GET /api/v1/rooms/{room_id}/preview', { path: { room_id: roomId }, auth: false }),
  /**
   * Joins as a guest and keeps the guest's session in this tab; a 202 means waiting in the lobby.
   * The current guest session (if any) goes along, so a guest who left comes back as itself.
   * @param {string} roomId
   * @param {string} displayName
   */
  async join(roomId, displayName) {
    const answer = await call('POST /api/v1/rooms/{room_id}/guests', {
      path: { room_id: roomId },
      body: { display_name: displayName },
    });
    setGuestSession({ room_id: answer.room.id, ...answer.guest });
    return answer;
  },
  /** Forgets the guest session of this tab. */
  forget: () => setGuestSession(null),
};

export const lobby = {
  /** @param {string} roomId */
  list: (roomId) => call('GET /api/v1/rooms/{room_id}/lobby', { path: { room_id: roomId } }),
  /** @param {string} roomId @param {string} userId */
  admit: (roomId, userId) =>
    call('POST /api/v1/rooms/{room_id}/lobby/{user_id}/admit', { path: { room_id: roomId, user_id: userId } }),
  /** @param {string} roomId @param {string} userId */
  deny: (roomId, userId) =>
    call('POST /api/v1/rooms/{room_id}/lobby/{user_id}/deny', { path: { room_id: roomId, user_id: userId } }),
};

export const participants = {
  /**
   * @param {string} roomId
   * @param {string} userId
   * @param {Bodies['POST /api/v1/rooms/{room_id}/participants/{user_id}/mute']['kind']} kind
   */
  mute: (roomId, userId, kind) =>
    call('POST /api/v1/rooms/{room_id}/participants/{user_id}/mute', {
      path: { room_id: roomId, user_id: userId },
      body: { kind },
    }),
  /** @param {string} roomId @param {string} userId */
  remove: (roomId, userId) =>
    call('POST /api/v1/rooms/{room_id}/participants/{user_id}/remove', { path: { room_id: roomId, user_id: userId } }),
  /** @param {string} roomId @param {string} userId @param {Role} role */
  setRole: (roomId, userId, role) =>
    call('PATCH /api/v1/rooms/{room_id}/participants/{user_id}', {
      path: { room_id: roomId, user_id: userId },
      body: { role },
    }),
  /** Mutes everyone but the hosts. @param {string} roomId @param {Bodies['POST /api/v1/rooms/{room_id}/mute-all']['kind']} kind */
  muteAll: (roomId, kind) =>
    call('POST /api/v1/rooms/{room_id}/mute-all', { path: { room_id: roomId }, body: { kind } }),
  /** Asks everyone but the hosts to unmute (a request, never a forced unmute). @param {string} roomId */
  askUnmute: (roomId) =>
    call('POST /api/v1/rooms/{room_id}/ask-unmute', { path: { room_id: roomId }, body: { kind: 'audio' } }),
};

export const hands = {
  /** @param {string} roomId */
  list: (roomId) => call('GET /api/v1/rooms/{room_id}/hands', { path: { room_id: roomId } }),
  /** @param {string} roomId */
  raise: (roomId) => call('POST /api/v1/rooms/{room_id}/hands', { path: { room_id: roomId } }),
  /** My own hand, or (a host) anyone's. @param {string} roomId @param {string} userId */
  lower: (roomId, userId) =>
    call('DELETE /api/v1/rooms/{room_id}/hands/{user_id}', { path: { room_id: roomId, user_id: userId } }),
  /** @param {string} roomId */
  lowerAll: (roomId) => call('DELETE /api/v1/rooms/{room_id}/hands', { path: { room_id: roomId } }),
};

export const chat = {
  /**
   * A page of history: the newest, older than `before`, or `around` one message.
   * @param {string} roomId @param {{before?: string | null, around?: number, limit: number}} page
   */
  messages: (roomId, { before, around, limit }) =>
    call('GET /api/v1/rooms/{room_id}/chat/messages', {
      path: { room_id: roomId },
      query: { limit: String(limit), before: before ?? undefined, around: around ? String(around) : undefined },
    }),
  /**
   * @param {string} roomId @param {string} content
   * @param {{attachments?: string[], replyTo?: number}} [extra] upload ids; the message this one quotes
   */
  send: (roomId, content, { attachments = [], replyTo } = {}) =>
    call('POST /api/v1/rooms/{room_id}/chat/messages', {
      path: { room_id: roomId },
      body: { content, attachments, reply_to: replyTo ?? null },
    }),
  /** @param {string} roomId @param {number} id @param {string} content */
  edit: (roomId, id, content) =>
    call('PATCH /api/v1/rooms/{room_id}/chat/messages/{message_id}', {
      path: { room_id: roomId, message_id: String(id) },
      body: { content },
    }),
  /** My own message, or (a host) anyone's. @param {string} roomId @param {number} id */
  remove: (roomId, id) =>
    call('DELETE /api/v1/rooms/{room_id}/chat/messages/{message_id}', {
      path: { room_id: roomId, message_id: String(id) },
    }),
  /** Adds (on) or takes back my reaction. @param {string} roomId @param {number} id @param {string} emoji @param {boolean} on */
  react: (roomId, id, emoji, on) => {
    const path = { room_id: roomId, message_id: String(id), emoji };
    return on
      ? call('PUT /api/v1/rooms/{room_id}/chat/messages/{message_id}/reactions/{emoji}', { path })
      : call('DELETE /api/v1/rooms/{room_id}/chat/messages/{message_id}/reactions/{emoji}', { path });
  },
  /** Moves my read position up to this message. @param {string} roomId @param {number} id */
  markRead: (roomId, id) =>
    call('POST /api/v1/rooms/{room_id}/chat/read', { path: { room_id: roomId }, body: { message_id: id } }),
};

export const dm = {
  conversations: () => call('GET /api/v1/dm', {}),
  /** @param {string} userId @param {{around?: number, limit: number}} page */
  messages: (userId, { around, limit }) =>
    call('GET /api/v1/dm/{user_id}/messages', {
      path: { user_id: userId },
      query: { limit: String(limit), around: around ? String(around) : undefined },
    }),
  /**
   * @param {string} userId @param {string} content
   * @param {{attachments?: string[], replyTo?: number}} [extra] upload ids; the message this one quotes
   */
  send: (userId, content, { attachments = [], replyTo } = {}) =>
    call('POST /api/v1/dm/{user_id}/messages', {
      path: { user_id: userId },
      body: { content, attachments, reply_to: replyTo ?? null },
    }),
  /** Marks everything unread from this person as read. @param {string} userId */
  markRead: (userId) => call('POST /api/v1/dm/{user_id}/read', { path: { user_id: userId }, body: {} }),
  /** @param {string} userId @param {number} id @param {string} content */
  edit: (userId, id, content) =>
    call('PATCH /api/v1/dm/{user_id}/messages/{message_id}', {
      path: { user_id: userId, message_id: String(id) },
      body: { content },
    }),
  /** @param {string} userId @param {number} id */
  remove: (userId, id) =>
    call('DELETE /api/v1/dm/{user_id}/messages/{message_id}', { path: { user_id: userId, message_id: String(id) } }),
  /** @param {string} userId @param {number} id @param {string} emoji @param {boolean} on */
  react: (userId, id, emoji, on) => {
    const path = { user_id: userId, message_id: String(id), emoji };
    return on
      ? call('PUT /api/v1/dm/{user_id}/messages/{message_id}/reactions/{emoji}', { path })
      : call('DELETE /api/v1/dm/{user_id}/messages/{message_id}/reactions/{emoji}', { path });
  },
};

/** My unread counts: rooms, direct messages, groups, and their total. */
export const unread = () => call('GET /api/v1/unread', {});

export const calls = {
  /** @param {string} userId */
  start: (userId) => call('POST /api/v1/calls', { body: { user_id: userId } }),
  /** @param {string} callId */
  accept: (callId) => call('POST /api/v1/calls/{call_id}/accept', { path: { call_id: callId } }),
  /** @param {string} callId */
  decline: (callId) => call('POST /api/v1/calls/{call_id}/decline', { path: { call_id: callId } }),
  /** @param {string} callId */
  cancel: (callId) => call('POST /api/v1/calls/{call_id}/cancel', { path: { call_id: callId } }),
  history: () => call('GET /api/v1/calls/history', {}),
};

export const recordings = {
  /** @param {string} roomId @param {Bodies['POST /api/v1/rooms/{room_id}/recordings']} options */
  start: (roomId, options) =>
    call('POST /api/v1/rooms/{room_id}/recordings', { path: { room_id: roomId }, body: options }),
  /** @param {string} recordingId */
  stop: (recordingId) => call('POST /api/v1/recordings/{recording_id}/stop', { path: { recording_id: recordingId } }),
  /** A room's recordings, newest first. @param {string} roomId */
  list: (roomId) => call('GET /api/v1/rooms/{room_id}/recordings', { path: { room_id: roomId } }),
  /** A signed link for <video src> and downloads (no header needed). @param {string} recordingId */
  link: (recordingId) => call('POST /api/v1/recordings/{recording_id}/link', { path: { recording_id: recordingId } }),
  /** @param {string} recordingId */
  remove: (recordingId) => call('DELETE /api/v1/recordings/{recording_id}', { path: { recording_id: recordingId } }),
};

export const uploads = {
  /**
   * Uploads one file (multipart); a message then takes its id in `attachments`.
   * @param {Blob} file
   * @param {string} name
   */
  upload(file, name) {
    const form = new FormData();
    form.append('file', file, name);
    // openapi.json declares no JSON body for this multipart operation; its answer is typed all the same.
    return /** @type {Promise<Answers['POST /api/v1/uploads']>} */ (api('POST', '/uploads', form));
  },
  /** The file, with my bearer token (no header can ride on <img src>). @param {string} uploadId */
  file: (uploadId) => apiBlob(`/uploads/${encodeURIComponent(uploadId)}`),
  /** An image's small preview. @param {string} uploadId */
  thumbnail: (uploadId) => apiBlob(`/uploads/${encodeURIComponent(uploadId)}/thumbnail`),
};

/**
 * Where a scheduled room's calendar file is (an iCalendar download, no JSON: a plain link fetches it).
 * @param {string} roomId
 */
export function calendarLink(roomId) {
  return `${PREFIX}/rooms/${encodeURIComponent(roomId)}/calendar.ics`;
}
export const groups = {
  list: () => call('GET /api/v1/groups', { query: { limit: '100' } }),
  /** @param {string} title @param {string[]} memberIds */
  create: (title, memberIds) => call('POST /api/v1/groups', { body: { title, member_ids: memberIds } }),
  /** @param {string} groupId */
  get: (groupId) => call('GET /api/v1/groups/{group_id}', { path: { group_id: groupId } }),
  /** @param {string} groupId @param {string} title */
  rename: (groupId, title) => call('PATCH /api/v1/groups/{group_id}', { path: { group_id: groupId }, body: { title } }),
  /** @param {string} groupId @param {string[]} userIds */
  addMembers: (groupId, userIds) =>
    call('POST /api/v1/groups/{group_id}/members', { path: { group_id: groupId }, body: { user_ids: userIds } }),
  /** @param {string} groupId @param {string} userId */
  removeMember: (groupId, userId) =>
    call('DELETE /api/v1/groups/{group_id}/members/{user_id}', { path: { group_id: groupId, user_id: userId } }),
  /** @param {string} groupId */
  leave: (groupId) => call('POST /api/v1/groups/{group_id}/leave', { path: { group_id: groupId } }),
  /** @param {string} groupId @param {{before?: number, around?: number, limit: number}} page */
  messages: (groupId, { before, around, limit }) =>
    call('GET /api/v1/groups/{group_id}/messages', {
      path: { group_id: groupId },
      query: {
        limit: String(limit),
        before: before ? String(before) : undefined,
        around: around ? String(around) : undefined,
      },
    }),
  /**
   * @param {string} groupId @param {string} content
   * @param {{attachments?: string[], replyTo?: number}} [extra] upload ids; the message this one quotes
   */
  send: (groupId, content, { attachments = [], replyTo } = {}) =>
    call('POST /api/v1/groups/{group_id}/messages', {
      path: { group_id: groupId },
      body: { content, attachments, reply_to: replyTo ?? null },
    }),
  /** @param {string} groupId @param {number} id @param {string} content */
  edit: (groupId, id, content) =>
    call('PATCH /api/v1/groups/{group_id}/messages/{message_id}', {
      path: { group_id: groupId, message_id: String(id) },
      body: { content },
    }),
  /** My own message, or (an admin) anyone's. @param {string} groupId @param {number} id */
  remove: (groupId, id) =>
    call('DELETE /api/v1/groups/{group_id}/messages/{message_id}', {
      path: { group_id: groupId, message_id: String(id) },
    }),
  /** Adds (on) or takes back my reaction. @param {string} groupId @param {number} id @param {string} emoji @param {boolean} on */
  react: (groupId, id, emoji, on) => {
    const path = { group_id: groupId, message_id: String(id), emoji };
    return on
      ? call('PUT /api/v1/groups/{group_id}/messages/{message_id}/reactions/{emoji}', { path })
      : call('DELETE /api/v1/groups/{group_id}/messages/{message_id}/reactions/{emoji}', { path });
  },
  /** @param {string} groupId @param {number} messageId */
  markRead: (groupId, messageId) =>
    call('POST /api/v1/groups/{group_id}/read', { path: { group_id: groupId }, body: { message_id: messageId } }),
  /** Opens (or rejoins) the group's call and rings its online members. @param {string} groupId */
  call: (groupId) => call('POST /api/v1/groups/{group_id}/call', { path: { group_id: groupId } }),
};

/** Searches the messages I can read, newest first. @param {string} q @param {string | null} before */
export const searchMessages = (q, before) =>
  call('GET /api/v1/search', { query: { q, limit: '20', before: before ?? undefined } });

/**
 * A single-use ticket that opens the WebSocket, so no token travels in its URL. The socket lives until the
 * access token the ticket was minted with expires (`expiresAt`, epoch ms), unless renewed with a fresh ticket.
 * @returns {Promise<{ticket: string, accessToken: string | undefined, expiresAt: number}>}
 */
export async function socketTicket() {
  const answer = await call('POST /api/v1/ws/ticket', {});
  const session = getSession();
  const guestToken = session ? undefined : getGuestSession()?.session_token;
  const until = session?.expires_at || (guestToken ? expiresAt(guestToken) : 0);
  return { ticket: answer.ticket, accessToken: session?.access_token, expiresAt: until };
}
