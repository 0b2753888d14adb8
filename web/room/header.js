// The call's header: room name and ID (click to copy), badges (recording, locked, end-to-end encrypted), the time
// since joining, how many are here, the invite button.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { copyInvite, copyText } from './dialogs.js';

/** @import { CallRoom } from './call.js' */
/** @import { IconName } from '../dom.js' */

/** Where each badge sits, left to right; a feature adds its own with `setBadge` (recording comes first). */
export const BADGE_ORDER = ['recording', 'locked', 'e2ee'];

/**
 * A small labelled badge for the header.
 * @param {string} key @param {string} text @param {IconName} shape @param {string} [title] longer explanation
 */
export function headerBadge(key, text, shape, title) {
  return h(
    'span',
    { class: `call-badge call-badge--${key}`, testid: `badge-${key}`, title: title || text },
    icon(shape),
    h('span', { class: 'call-badge__text' }, text),
  );
}

/** @param {number} seconds @returns {string} 04:05, or 1:04:05 after an hour */
export function clockText(seconds) {
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const minutes = `${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}:${minutes}` : minutes;
}

export class CallHeader {
  /** @param {CallRoom} info */
  constructor(info) {
    /** @type {Map<string, HTMLElement>} */
    this.badgeByKey = new Map();
    this.badges = h('div', { class: 'call__badges', testid: 'call-badges' });
    this.count = h('span', { class: 'call__count', testid: 'participant-count' });
    this.clock = h('span', { class: 'call__clock', testid: 'call-clock', 'aria-label': t('room.elapsed') });
    const joinedAt = Date.now();
    const tick = () => {
      this.clock.textContent = clockText(Math.floor((Date.now() - joinedAt) / 1000));
    };
    tick();
    this.timer = setInterval(tick, 1000);
    const copyId = t('room.copy_id', { id: info.id });
    const invite = h(
      'button',
      {
        class: 'button button--small call__invite',
        type: 'button',
        testid: 'copy-invite',
        'aria-label': t('controls.invite'),
        title: t('controls.invite'),
        onclick: () => copyInvite(info),
      },
      icon('copy'),
      h('span', { class: 'call__invite-text' }, t('controls.invite_short')),
    );
    const roomId = h(
      'button',
      {
        class: 'call__id',
        type: 'button',
        testid: 'room-id',
        'aria-label': copyId,
        title: copyId,
        onclick: () => copyText(info.id, t('room.id_copied')),
      },
      info.id,
    );
    this.element = h(
      'header',
      { class: 'call__header' },
      h(
        'div',
        { class: 'call__title' },
        h('h1', { class: 'call__name', testid: 'room-name' }, info.name || info.id),
        roomId,
        this.badges,
      ),
      h('div', { class: 'call__meta' }, this.clock, this.count, invite),
    );
  }

  /**
   * Shows, replaces or (null) removes one badge; badges keep BADGE_ORDER whatever order they come in.
   * This is the hook other features use, e.g. `header.setBadge('recording', headerBadge('recording', 'REC', 'rec'))`.
   * @param {string} key @param {HTMLElement | null} badge
   */
  setBadge(key, badge) {
    this.badgeByKey.get(key)?.remove();
    this.badgeByKey.delete(key);
    if (badge) this.badgeByKey.set(key, badge);
    const rank = (/** @type {string} */ k) =>
      (BADGE_ORDER.indexOf(k) + BADGE_ORDER.length + 1) % (BADGE_ORDER.length + 1);
    const keys = [...this.badgeByKey.keys()].sort((a, b) => rank(a) - rank(b));
    this.badges.replaceChildren(...keys.map((k) => /** @type {HTMLElement} */ (this.badgeByKey.get(k))));
  }

  /** @param {number} people everyone in the call, me included */
  setCount(people) {
    this.count.textContent = t('room.count', { count: people });
  }

  stop() {
    clearInterval(this.timer);
  }
}
