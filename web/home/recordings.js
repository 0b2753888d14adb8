// Recordings in the call history: under a room's latest call, each recording with its length, size,
// a player and a download link. Players get signed links (a <video> cannot send a bearer token),
// asked for only when the list is opened.
import { h } from '../dom.js';
import { recordings } from '../endpoints.js';
import { formatDateTime, formatDuration, t } from '../i18n.js';
import { errorText } from '../ui.js';

/** @import { Recording } from '../endpoints.js' */

const MAX_ROOMS = 20; // rooms whose recordings one history view asks for

/** @param {number | null | undefined} bytes */
function sizeText(bytes) {
  const megabytes = (Number(bytes) || 0) / (1024 * 1024);
  return megabytes >= 1
    ? t('recordings.size_mb', { size: megabytes.toFixed(1) })
    : t('recordings.size_kb', { size: Math.max(1, Math.round(megabytes * 1024)) });
}

/** @param {Recording} recording */
function recordingItem(recording) {
  const hasFile = Boolean(recording.file_url);
  const facts = [formatDateTime(recording.created_at)];
  if (hasFile) facts.push(formatDuration(recording.duration_s), sizeText(recording.size_bytes));
  if (recording.status !== 'ready') facts.push(t(`recordings.status_${recording.status}`));
  const item = h(
    'li',
    { class: 'recording', testid: 'recording-item', dataset: { recordingId: recording.id, status: recording.status } },
    h('span', { class: 'list__meta' }, facts.join(' · ')),
  );
  if (!hasFile) return item;
  const player = h('video', {
    class: 'recording__player',
    testid: 'recording-video',
    controls: true,
    preload: 'metadata',
    playsInline: true,
    'aria-label': t('recordings.player', { when: formatDateTime(recording.created_at) }),
  });
  const download = h(
    'a',
    { class: 'button button--small', testid: 'recording-download', download: '', hidden: true },
    t('recordings.download'),
  );
  item.append(player, download);
  return item;
}

/** Gives each player and download link of an opened list its signed link. @param {HTMLElement} block */
function loadSources(block) {
  for (const item of block.querySelectorAll('[data-testid=recording-item]')) {
    const element = /** @type {HTMLElement} */ (item);
    const player = element.querySelector('video');
    const download = element.querySelector('a');
    if (!player || !download || player.src) continue;
    recordings
      .link(element.dataset.recordingId ?? '')
      .then((link) => {
        player.src = link.url;
        download.href = link.url;
        download.hidden = false;
      })
      .catch((error) => element.append(h('span', { class: 'form__error' }, errorText(error))));
  }
}

/** @param {Recording[]} items */
function recordingsBlock(items) {
  const block = h(
    'details',
    { class: 'history__recordings', testid: 'history-recordings' },
    h('summary', {}, t('recordings.count', { count: items.length })),
    h('ul', { class: 'recordings' }, items.map(recordingItem)),
  );
  block.addEventListener('toggle', () => block.open && loadSources(block));
  return block;
}

/** Adds each room's recordings under its most recent call in the history list. @param {HTMLElement} list */
export function attachRecordings(list) {
  const seen = new Set();
  for (const element of list.querySelectorAll('[data-testid=history-item]')) {
    const item = /** @type {HTMLElement} */ (element);
    const roomId = item.dataset.roomId;
    if (!roomId || seen.has(roomId) || seen.size >= MAX_ROOMS) continue;
    seen.add(roomId);
    recordings
      .list(roomId)
      .then((answer) => answer.items.length && item.append(recordingsBlock(answer.items)))
      .catch(() => {}); // a room I can no longer see: its calls still show, without recordings
  }
}
