// The raised-hand queue of this call, as the server keeps it: fetched when the call starts, then moved by
// hands.changed events (replayed after a reconnect), so everyone sees the same order.
import { hands } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { errorText, toast } from '../ui.js';

/** @import { HandQueue } from '../endpoints.js' */
/** @typedef {HandQueue['items'][number]} RaisedHand */

export class Hands {
  /**
   * @param {string} roomId
   * @param {string | undefined} me my user id
   * @param {() => void} onChange the queue moved
   */
  constructor(roomId, me, onChange) {
    this.roomId = roomId;
    this.me = me;
    this.onChange = onChange;
    /** @type {RaisedHand[]} */
    this.items = [];
    this.off = realtime.on('hands.changed', (data) => {
      if (!sameRoom(data.room_id, this.roomId)) return;
      if (data.change !== 'raised' && data.user_id === me && data.by !== me) toast(t('hands.lowered_by_host'));
      if (data.change === 'cleared' && data.by !== me && this.isRaised(me || '')) toast(t('hands.lowered_by_host'));
      this.set(data.items);
    });
    this.load();
  }

  load() {
    hands
      .list(this.roomId)
      .then((answer) => this.set(answer.items))
      .catch(() => {});
  }

  /** @param {RaisedHand[]} items */
  set(items) {
    this.items = items;
    this.onChange();
  }

  /** 1 for the first hand raised, 0 when this person's hand is down. @param {string} identity */
  position(identity) {
    return this.items.findIndex((item) => item.user.id === identity) + 1;
  }

  /** @param {string} identity */
  isRaised(identity) {
    return this.position(identity) > 0;
  }

  /** Raises my hand, or lowers it when it is up. */
  async toggleMine() {
    if (!this.me) return;
    try {
      const answer = this.isRaised(this.me) ? await hands.lower(this.roomId, this.me) : await hands.raise(this.roomId);
      this.set(answer.items);
    } catch (error) {
      toast(errorText(error), { kind: 'error' });
    }
  }

  /** A host lowers someone's hand (or I lower mine). @param {string} identity */
  async lower(identity) {
    try {
      this.set((await hands.lower(this.roomId, identity)).items);
    } catch (error) {
      toast(errorText(error), { kind: 'error' });
    }
  }

  async lowerAll() {
    try {
      this.set((await hands.lowerAll(this.roomId)).items);
    } catch (error) {
      toast(errorText(error), { kind: 'error' });
    }
  }

  destroy() {
    this.off();
  }
}
