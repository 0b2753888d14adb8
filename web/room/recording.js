// Recording in the call: the host's record button, the red REC badge everyone sees while it runs,
// and a notice for whoever joins a call that is already being recorded.
import { h } from '../dom.js';
import { recordings } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { errorText, toast } from '../ui.js';

/** @import { Recording } from '../endpoints.js' */

const RUNNING = new Set(['starting', 'recording']);
const NOTICE_MS = 8000;

export class RecordingIndicator {
  /** @param {string} roomId @param {boolean} isHost */
  constructor(roomId, isHost) {
    this.roomId = roomId;
    /** @type {Recording | null} the recording that runs now */
    this.active = null;
    this.busy = false;
    this.badge = h(
      'span',
      { class: 'rec-badge', testid: 'rec-badge', role: 'status', hidden: true, title: t('recording.badge_title') },
      h('span', { class: 'rec-badge__dot', 'aria-hidden': 'true' }),
      t('recording.badge'),
    );
    this.button = isHost
      ? h('button', {
          class: 'button button--small',
          type: 'button',
          testid: 'toggle-recording',
          onclick: () => this.toggle(),
        })
      : null;
    this.element = h('span', { class: 'rec' }, this.badge, this.button);
    const mine = (/** @type {Recording} */ data) => sameRoom(data.room_id, this.roomId);
    this.offs = [
      realtime.on('recording.started', (data) => mine(data) && this.show(data, true)),
      realtime.on('recording.stopped', (data) => mine(data) && this.show(null, false)),
      realtime.on('recording.ready', (data) => mine(data) && this.show(null, false)),
      realtime.on('recording.failed', (data) => mine(data) && this.show(null, false)),
    ];
    this.render();
    this.load();
  }

  /** What runs already when I join: a latecomer is told the call is being recorded. */
  async load() {
    const answer = await recordings.list(this.roomId).catch(() => null);
    const running = answer?.items.find((item) => RUNNING.has(item.status)) ?? null;
    if (running && !this.active) this.show(running, running.status === 'recording');
  }

  /** @param {Recording | null} recording @param {boolean} notify */
  show(recording, notify) {
    const wasRunning = Boolean(this.active);
    this.active = recording;
    if (recording && notify && !wasRunning) toast(t('recording.notice'), { timeout: NOTICE_MS });
    this.render();
  }

  render() {
    this.badge.hidden = !this.active;
    if (!this.button) return;
    this.button.textContent = this.active ? t('recording.stop') : t('recording.start');
    this.button.setAttribute('aria-pressed', String(Boolean(this.active)));
    this.button.disabled = this.busy;
  }

  async toggle() {
    if (this.busy) return;
    this.busy = true;
    this.render();
    try {
      if (this.active) {
        await recordings.stop(this.active.id);
        this.active = null;
      } else {
        this.active = await recordings.start(this.roomId, { layout: 'grid' });
      }
    } catch (error) {
      toast(errorText(error), { kind: 'error' });
    } finally {
      this.busy = false;
      this.render();
    }
  }

  stop() {
    for (const off of this.offs) off();
  }
}

/**
 * Puts the recording indicator into the call header's meta row; the call stops it when it ends.
 * @param {HTMLElement} header @param {string} roomId @param {boolean} isHost
 */
export function mountRecording(header, roomId, isHost) {
  const indicator = new RecordingIndicator(roomId, isHost);
  (header.querySelector('.call__meta') ?? header).prepend(indicator.element);
  return indicator;
}
