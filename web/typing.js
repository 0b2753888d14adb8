// "Someone is typing…": sends throttled typing frames and shows who else is typing for a few seconds.
import { h } from './dom.js';
import { t } from './i18n.js';
import { realtime } from './realtime.js';

/** @import { RealtimeEvents } from './types.js' */
/** @typedef {RealtimeEvents['typing']} Typing */

const SEND_EVERY_MS = 2000;
const SHOW_FOR_MS = 3500;

/**
 * @typedef {object} TypingLine
 * @property {HTMLParagraphElement} element "Ann is typing…"
 * @property {() => void} typed call on every keystroke; frames go out at most every 2 s
 * @property {(userId: string | null | undefined) => void} heard their message arrived: stop showing them
 * @property {() => void} stop
 */

/**
 * @param {object} spec
 * @param {{room_id: string} | {to: string}} spec.target where my typing frames go
 * @param {(data: Typing) => boolean} spec.matches whether a typing event belongs to this conversation
 * @param {string | null | undefined} spec.me my user id
 * @returns {TypingLine}
 */
export function typingLine({ target, matches, me }) {
  const element = h('p', { class: 'typing', testid: 'typing', 'aria-live': 'polite' });
  /** @type {Map<string, {name: string, timer: ReturnType<typeof setTimeout>}>} */
  const typists = new Map();
  const paint = () => {
    const names = [...typists.values()].map((typist) => typist.name);
    element.textContent = names.length ? t('chat.typing', { names: names.join(', '), count: names.length }) : '';
  };
  /** @param {string | null | undefined} id */
  const heard = (id) => {
    const typist = typists.get(String(id));
    if (!typist) return;
    clearTimeout(typist.timer);
    typists.delete(String(id));
    paint();
  };
  const off = realtime.on('typing', (data) => {
    const user = data.user;
    if (!matches(data) || String(user.id) === String(me)) return;
    heard(user.id);
    const timer = setTimeout(() => heard(user.id), SHOW_FOR_MS);
    typists.set(String(user.id), { name: user.display_name || user.login || '', timer });
    paint();
  });
  let lastSent = 0;
  const typed = () => {
    if (Date.now() - lastSent < SEND_EVERY_MS) return;
    lastSent = Date.now();
    realtime.send({ type: 'typing', ...target });
  };
  const stop = () => {
    off();
    for (const typist of typists.values()) clearTimeout(typist.timer);
  };
  return { element, typed, heard, stop };
}
