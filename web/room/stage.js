// The video stage: one tile per camera and per screen share; a shared screen goes large with the cameras in a strip.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { avatar } from '../ui.js';
import { Track } from './livekit.js';

/** @import { Participant, Room, Track as MediaTrack } from './livekit.js' */
/** @typedef {{cols: number, rows: number, w: number, h: number}} Grid */

const ASPECT = 16 / 9;

/** @param {Participant} participant */
export function participantName(participant) {
  return participant.name || participant.identity;
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
  /** @param {Room} room @param {{onMore?: () => void}} [options] onMore: the "+N" tile was pressed */
  constructor(room, { onMore } = {}) {
    this.room = room;
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
        new Tile(spec.participant, spec.source, spec.participant === this.room.localParticipant, () =>
          this.togglePin(key),
        );
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

  layout() {
    const tiles = [...this.tiles.values()];
    const screens = tiles.filter((tile) => tile.isScreen);
    const cameras = tiles.filter((tile) => !tile.isScreen);
    const pinned = this.pinned && this.tiles.get(this.pinned);
    // Something is large: a pinned tile, else shared screens; everyone else goes to the strip.
    const focus = pinned ? [pinned] : screens;
    const presenting = focus.length > 0;
    this.element.classList.toggle('stage--presenting', presenting);
    const main = presenting ? focus : cameras;
    const strip = presenting ? tiles.filter((tile) => !focus.includes(tile)) : [];
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

/** One person's camera, or one shared screen. */
class Tile {
  /**
   * @param {Participant} participant
   * @param {Track.Source} source camera or screen share
   * @param {boolean} local
   * @param {() => void} onPin
   */
  constructor(participant, source, local, onPin) {
    this.participant = participant;
    this.source = source;
    this.isScreen = source === Track.Source.ScreenShare;
    /** @type {MediaTrack | null} */
    this.track = null;
    this.local = local;
    this.video = h('video', {
      class: 'tile__video',
      autoplay: true,
      playsInline: true,
      muted: true,
      testid: this.isScreen ? 'screen-video' : 'tile-video',
    });
    this.name = h('span', { class: 'tile__name' });
    this.mic = h('span', { class: 'tile__mic', role: 'img' }, icon('micOff'));
    this.quality = h(
      'span',
      { class: 'tile__quality', role: 'img', testid: 'poor-connection', hidden: true },
      icon('signal'),
    );
    this.placeholder = h('div', { class: 'tile__placeholder' });
    this.pin = h(
      'button',
      { class: 'tile__pin', type: 'button', testid: 'pin-tile', 'aria-pressed': 'false', onclick: onPin },
      icon('pin'),
    );
    this.element = h(
      'figure',
      {
        class: `tile ${this.isScreen ? 'tile--screen' : ''}`,
        testid: this.isScreen ? 'screen-tile' : 'tile',
        dataset: {
          identity: participant.identity,
          source: this.isScreen ? 'screen_share' : 'camera',
          local: String(this.local),
        },
      },
      this.video,
      this.placeholder,
      h('figcaption', { class: 'tile__caption' }, this.mic, this.quality, this.name),
      this.pin,
    );
    this.element.addEventListener('dblclick', onPin);
  }

  /** @param {boolean} on */
  setPinned(on) {
    this.pin.setAttribute('aria-pressed', String(on));
    this.element.classList.toggle('tile--pinned', on);
    this.update();
  }

  /** Shows the track (or the avatar), the name, and the microphone and connection state. */
  update() {
    const participant = this.participant;
    const publication = participant.getTrackPublication(this.source);
    const track = publication && !publication.isMuted && publication.track ? publication.track : null;
    if (track !== this.track) {
      this.track?.detach(this.video);
      this.track = track;
      track?.attach(this.video);
    }
    this.label(participantName(participant));
    this.state(participant, Boolean(track));
  }

  /** @param {string} name */
  label(name) {
    const label = this.isScreen ? t('room.screen_of', { name }) : this.local ? t('room.you', { name }) : name;
    this.name.textContent = label;
    this.element.setAttribute('aria-label', label);
    const pinLabel = t(this.pin.getAttribute('aria-pressed') === 'true' ? 'room.unpin' : 'room.pin', { name: label });
    this.pin.setAttribute('aria-label', pinLabel);
    this.pin.title = pinLabel;
    if (this.placeholder.dataset.name !== name) {
      this.placeholder.dataset.name = name;
      this.placeholder.replaceChildren(avatar(name, 'avatar--xl'));
    }
  }

  /** @param {Participant} participant @param {boolean} video */
  state(participant, video) {
    const quality = String(participant.connectionQuality || '');
    this.quality.hidden = this.isScreen || !['poor', 'lost'].includes(quality);
    this.quality.setAttribute('aria-label', t(quality === 'lost' ? 'room.connection_lost' : 'room.connection_poor'));
    this.quality.title = this.quality.getAttribute('aria-label') || '';
    const micMuted = !participant.isMicrophoneEnabled;
    this.mic.hidden = this.isScreen || !micMuted;
    this.mic.setAttribute('aria-label', t('room.muted'));
    this.element.dataset.muted = String(micMuted);
    this.element.dataset.video = String(video);
    this.element.classList.toggle('tile--novideo', !video);
    this.element.classList.toggle('tile--mirror', this.local && !this.isScreen);
    this.element.classList.toggle('tile--speaking', !this.isScreen && participant.isSpeaking);
  }

  destroy() {
    this.track?.detach(this.video);
    this.track = null;
    this.element.remove();
  }
}
