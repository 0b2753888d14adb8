// The video stage: one tile per camera and per screen share, in one of three layouts: grid (a shared screen or a
// pinned tile goes large with the cameras in a strip), speaker (whoever speaks goes large), spotlight (one tile only).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { Track } from './livekit.js';
import { Tile } from './tile.js';

export { participantName } from './tile.js';

/** @import { Participant, Room } from './livekit.js' */
/** @import { TileHooks } from './tile.js' */
/** @typedef {{cols: number, rows: number, w: number, h: number}} Grid */
/** @typedef {'grid' | 'speaker' | 'spotlight'} LayoutMode */
/**
 * @typedef {object} StageHooks
 * @property {() => void} [onMore] the "+N" tile was pressed
 * @property {TileHooks['menuFor']} menuFor
 * @property {TileHooks['handOf']} handOf
 */

const ASPECT = 16 / 9;
const LAYOUT_KEY = 'conference.layout';
export const LAYOUTS = /** @type {const} */ (['grid', 'speaker', 'spotlight']);

/** @returns {LayoutMode} */
function savedLayout() {
  const saved = localStorage.getItem(LAYOUT_KEY);
  return LAYOUTS.find((mode) => mode === saved) ?? 'grid';
}

/** The role the server put in the token's metadata. @param {Participant} participant */
export function participantRole(participant) {
  try {
    return JSON.parse(participant.metadata || '{}').role || '';
  } catch {
    return '';
  }
}

/**
 * The grid (columns, tile size) that makes n 16:9 tiles largest in a width x height box.
 * @param {number} n @param {number} width @param {number} height @param {number} gap
 * @returns {Grid}
 */
function bestGrid(n, width, height, gap) {
  // On a phone held upright square tiles waste less of the screen than 16:9 ones.
  const aspect = height > width * 1.2 ? 1 : ASPECT;
  let best = { cols: 1, rows: n, w: 0, h: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const w = Math.min((width - gap * (cols - 1)) / cols, ((height - gap * (rows - 1)) / rows) * aspect);
    if (w > best.w + 0.5) best = { cols, rows, w, h: w / aspect };
  }
  return best;
}

/**
 * How many camera tiles fit before the rest fold into a "+N" tile (a saved preference may lower it).
 * @param {boolean} narrow @param {boolean} presenting
 */
function tileLimit(narrow, presenting) {
  const saved = Number(localStorage.getItem('conference.maxTiles')) || Infinity;
  return Math.max(2, Math.min(saved, presenting ? (narrow ? 3 : 8) : narrow ? 6 : 16));
}

/**
 * Who stays visible when not everyone fits: me, then whoever spoke most recently, then who came first.
 * @param {Tile} a @param {Tile} b
 */
function relevance(a, b) {
  if (a.local !== b.local) return a.local ? -1 : 1;
  const spoke = (/** @type {Tile} */ tile) => tile.participant.lastSpokeAt?.getTime?.() || 0;
  if (spoke(a) !== spoke(b)) return spoke(b) - spoke(a);
  return (a.participant.joinedAt?.getTime?.() || 0) - (b.participant.joinedAt?.getTime?.() || 0);
}

export class Stage {
  /** @param {Room} room @param {StageHooks} hooks */
  constructor(room, hooks) {
    const { onMore } = hooks;
    this.room = room;
    this.hooks = hooks;
    /** @type {LayoutMode} */
    this.mode = savedLayout();
    /** @type {string | null} the identity that spoke last (the speaker layout shows them large) */
    this.speaker = null;
    this.more = h('button', {
      class: 'tile tile--more',
      type: 'button',
      testid: 'more-tile',
      onclick: () => onMore?.(),
    });
    /** @type {Map<string, Tile>} by "<identity>|camera" or "<identity>|screen" */
    this.tiles = new Map();
    /** @type {string | null} */
    this.pinned = null;
    this.hiddenCount = 0;
    this.main = h('div', { class: 'stage__main', testid: 'stage-main' });
    this.strip = h('div', { class: 'stage__strip', testid: 'stage-strip' });
    this.element = h(
      'section',
      { class: 'stage', testid: 'stage', 'aria-label': t('room.stage') },
      this.main,
      this.strip,
    );
    this.resize = new ResizeObserver(() => this.layout());
    this.resize.observe(this.element);
  }

  /** @returns {Participant[]} */
  participants() {
    return [this.room.localParticipant, ...this.room.remoteParticipants.values()];
  }

  /** Makes the tiles match who is here and what they share. */
  sync() {
    /** @type {Map<string, {participant: Participant, source: Track.Source}>} */
    const wanted = new Map();
    for (const participant of this.participants()) {
      wanted.set(`${participant.identity}|camera`, { participant, source: Track.Source.Camera });
      const screen = participant.getTrackPublication(Track.Source.ScreenShare);
      if (screen) wanted.set(`${participant.identity}|screen`, { participant, source: Track.Source.ScreenShare });
    }
    for (const [key, tile] of this.tiles) {
      if (wanted.get(key)?.participant === tile.participant) continue;
      tile.destroy();
      this.tiles.delete(key);
      if (this.pinned === key) this.pinned = null;
    }
    for (const [key, spec] of wanted) {
      const tile =
        this.tiles.get(key) ??
        new Tile(spec.participant, spec.source, spec.participant === this.room.localParticipant, {
          onPin: () => this.togglePin(key),
          menuFor: this.hooks.menuFor,
          handOf: this.hooks.handOf,
        });
      this.tiles.set(key, tile);
      tile.update();
    }
    this.layout();
  }

  /** @param {string} key */
  togglePin(key) {
    this.pinned = this.pinned === key ? null : key;
    for (const [k, tile] of this.tiles) tile.setPinned(k === this.pinned);
    this.layout();
  }

  /** @param {LayoutMode} mode */
  setMode(mode) {
    this.mode = mode;
    localStorage.setItem(LAYOUT_KEY, mode);
    this.element.dataset.layout = mode;
    this.layout();
  }

  /** The camera tile of a person (reactions float over it). @param {string} identity */
  tileOf(identity) {
    return this.tiles.get(`${identity}|camera`)?.element ?? null;
  }

  /**
   * What goes large: a pinned tile, else shared screens, else (speaker and spotlight layouts) whoever spoke last.
   * @param {Tile[]} tiles @param {Tile[]} screens
   */
  focusOf(tiles, screens) {
    const pinned = this.pinned && this.tiles.get(this.pinned);
    if (pinned) return [pinned];
    if (screens.length) return this.mode === 'spotlight' ? screens.slice(0, 1) : screens;
    if (this.mode === 'grid') return [];
    const remote = tiles.filter((tile) => !tile.local && !tile.isScreen);
    const speaking = this.speaker ? this.tiles.get(`${this.speaker}|camera`) : null;
    const chosen = speaking ?? remote[0] ?? tiles[0];
    return chosen ? [chosen] : [];
  }

  layout() {
    const tiles = [...this.tiles.values()];
    const screens = tiles.filter((tile) => tile.isScreen);
    const cameras = tiles.filter((tile) => !tile.isScreen);
    const focus = this.focusOf(tiles, screens);
    const presenting = focus.length > 0;
    this.element.classList.toggle('stage--presenting', presenting);
    this.element.dataset.layout = this.mode;
    const main = presenting ? focus : cameras;
    const strip = presenting && this.mode !== 'spotlight' ? tiles.filter((tile) => !focus.includes(tile)) : [];
    // When not everyone fits, the least relevant fold into a "+N" tile that opens the list.
    const crowd = presenting ? strip : main;
    const limit = tileLimit(this.element.clientWidth < 600, presenting);
    const shown = new Set(crowd.length > limit ? [...crowd].sort(relevance).slice(0, limit - 1) : crowd);
    this.hiddenCount = crowd.length - shown.size;
    const visible = (/** @type {Tile[]} */ list) =>
      list.filter((tile) => list !== crowd || shown.has(tile)).map((tile) => tile.element);
    const mainEls = visible(main);
    const stripEls = visible(strip);
    if (this.hiddenCount) {
      this.more.textContent = `+${this.hiddenCount}`;
      this.more.setAttribute('aria-label', t('room.more', { count: this.hiddenCount }));
      (presenting ? stripEls : mainEls).push(this.more);
    }
    placeAll(this.main, mainEls);
    placeAll(this.strip, stripEls);
    this.strip.hidden = !stripEls.length;
    const box = this.main.getBoundingClientRect();
    const grid = bestGrid(Math.max(1, mainEls.length), box.width || 640, box.height || 360, 10);
    this.main.style.setProperty('--cols', String(grid.cols));
    this.main.style.setProperty('--rows', String(grid.rows));
    // Presenting: the screen takes the whole area; otherwise tiles keep 16:9 and sit centred.
    this.main.style.setProperty('--tile-w', presenting ? '1fr' : `${Math.floor(grid.w)}px`);
    this.main.style.setProperty('--tile-h', presenting ? '1fr' : `${Math.floor(grid.h)}px`);
    this.element.dataset.count = String(cameras.length);
  }

  /** @param {Participant[]} speakers */
  setSpeakers(speakers) {
    const ids = new Set(speakers.map((p) => p.identity));
    const loudest = speakers.find((p) => p !== this.room.localParticipant);
    if (loudest && loudest.identity !== this.speaker) {
      this.speaker = loudest.identity;
      if (this.mode !== 'grid') this.layout();
    }
    // Someone folded into "+N" started talking: bring them into view.
    if (this.hiddenCount && speakers.some((p) => !this.tiles.get(`${p.identity}|camera`)?.element.isConnected))
      this.layout();
    for (const tile of this.tiles.values())
      tile.element.classList.toggle('tile--speaking', !tile.isScreen && ids.has(tile.participant.identity));
  }

  destroy() {
    this.resize.disconnect();
    for (const tile of this.tiles.values()) tile.destroy();
    this.tiles.clear();
  }
}

/**
 * Keeps children in order without re-inserting nodes that are already in place (re-inserting restarts video).
 * @param {HTMLElement} parent @param {HTMLElement[]} elements
 */
function placeAll(parent, elements) {
  elements.forEach((el, i) => {
    if (parent.children[i] !== el) parent.insertBefore(el, parent.children[i] || null);
  });
  while (parent.children.length > elements.length) parent.lastElementChild?.remove();
}
