// Reactions: a small set of emoji sent over LiveKit's data channel (topic "reaction"); each floats over the
// sender's tile for everyone for a few seconds. Rate limited when sending and again when receiving.
import { RoomEvent } from './livekit.js';

/** @import { Participant, Room } from './livekit.js' */

export const REACTIONS = ['👍', '👏', '😂', '❤️', '🎉', '😮'];
const TOPIC = 'reaction';
const WINDOW_MS = 3000;
const PER_WINDOW = 5; // a burst of five, then a pause: enough to cheer, too few to flood the stage
const SHOWN_MS = 4000;

/** A sliding-window counter: `allow()` is false once `limit` hits fell within `windowMs`. */
export class RateWindow {
  /** @param {number} limit @param {number} windowMs */
  constructor(limit, windowMs) {
    this.limit = limit;
    this.windowMs = windowMs;
    /** @type {number[]} */
    this.hits = [];
  }

  allow(now = Date.now()) {
    this.hits = this.hits.filter((at) => now - at < this.windowMs);
    if (this.hits.length >= this.limit) return false;
    this.hits.push(now);
    return true;
  }
}

export class Reactions {
  /**
   * @param {Room} room
   * @param {(identity: string) => HTMLElement | null} tileOf where to float a reaction of this person
   */
  constructor(room, tileOf) {
    this.room = room;
    this.tileOf = tileOf;
    this.mine = new RateWindow(PER_WINDOW, WINDOW_MS);
    /** @type {Map<string, RateWindow>} */
    this.theirs = new Map();
    this.encoder = new TextEncoder();
    this.decoder = new TextDecoder();
    this.onData = this.onData.bind(this);
    room.on(RoomEvent.DataReceived, this.onData);
  }

  /** Sends one reaction; false when the sender is going too fast. @param {string} emoji */
  send(emoji) {
    if (!REACTIONS.includes(emoji) || !this.mine.allow()) return false;
    const payload = this.encoder.encode(JSON.stringify({ emoji }));
    this.room.localParticipant.publishData(payload, { reliable: false, topic: TOPIC }).catch(() => {});
    this.show(this.room.localParticipant.identity, emoji);
    return true;
  }

  /** @param {Uint8Array} payload @param {Participant | undefined} participant @param {unknown} _kind @param {string | undefined} topic */
  onData(payload, participant, _kind, topic) {
    if (topic !== TOPIC || !participant) return;
    let emoji = '';
    try {
      emoji = JSON.parse(this.decoder.decode(payload)).emoji;
    } catch {
      return;
    }
    if (!REACTIONS.includes(emoji)) return;
    const window = this.theirs.get(participant.identity) ?? new RateWindow(PER_WINDOW, WINDOW_MS);
    this.theirs.set(participant.identity, window);
    if (window.allow()) this.show(participant.identity, emoji);
  }

  /** @param {string} identity @param {string} emoji */
  show(identity, emoji) {
    const tile = this.tileOf(identity);
    if (!tile) return;
    const bubble = document.createElement('span');
    bubble.className = 'reaction';
    bubble.dataset.testid = 'reaction';
    bubble.dataset.emoji = emoji;
    bubble.setAttribute('role', 'img');
    bubble.setAttribute('aria-label', emoji);
    bubble.textContent = emoji;
    bubble.style.setProperty('--drift', `${Math.round(Math.random() * 40 - 20)}px`);
    tile.append(bubble);
    setTimeout(() => bubble.remove(), SHOWN_MS);
  }

  destroy() {
    this.room.off(RoomEvent.DataReceived, this.onData);
  }
}
