// The call's header: room name and ID (click to copy), the time since joining, how many are here, the invite button.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { copyInvite, copyText } from './dialogs.js';

/** @import { CallRoom } from './call.js' */

/** @param {number} seconds @returns {string} 04:05, or 1:04:05 after an hour */
export function clockText(seconds) {
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const minutes = `${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}:${minutes}` : minutes;
}

export class CallHeader {
  /** @param {CallRoom} info */
  constructor(info) {
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
      ),
      h('div', { class: 'call__meta' }, this.clock, this.count, invite),
    );
  }

  /** @param {number} people everyone in the call, me included */
  setCount(people) {
    this.count.textContent = t('room.count', { count: people });
  }

  stop() {
    clearInterval(this.timer);
  }
}
