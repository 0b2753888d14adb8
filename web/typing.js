// "Someone is typing…": sends throttled typing frames and shows who else is typing for a few seconds.
import { h } from './dom.js';
import { t } from './i18n.js';
import { realtime } from './realtime.js';

const SEND_EVERY_MS = 2000;
const SHOW_FOR_MS = 3500;

// target: {room_id} or {to}; matches(data) says whether a typing event belongs to this conversation.
export function typingLine({ target, matches, me }) {
  const element = h('p', { class: 'typing', testid: 'typing', 'aria-live': 'polite' });
  const typists = new Map();
  const paint = () => {
    const names = [...typists.values()].map((typist) => typist.name);
    element.textContent = names.length ? t('chat.typing', { names: names.join(', '), count: names.length }) : '';
  };
  const heard = (id) => {
    const typist = typists.get(String(id));
    if (!typist) return;
    clearTimeout(typist.timer);
    typists.delete(String(id));
    paint();
  };
  const off = realtime.on('typing', (data) => {
    const user = data.user || {};
    if (!matches(data) || String(user.id) === String(me)) return;
    heard(user.id);
    typists.set(String(user.id), { name: user.display_name || user.login || '', timer: setTimeout(() => heard(user.id), SHOW_FOR_MS) });
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
