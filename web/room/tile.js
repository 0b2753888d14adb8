// One tile of the stage: a person's camera (or avatar) or a shared screen, with the name, microphone state,
// connection-quality bars, a raised hand with its place in the queue, a pin button and the person's menu.
import { h, icon } from '../dom.js';
import { t } from '../i18n.js';
import { avatar } from '../ui.js';
import { Track } from './livekit.js';
import { menuButton } from './menu.js';

/** @import { Participant, Track as MediaTrack } from './livekit.js' */
/** @import { MenuItem } from './menu.js' */
/**
 * What a tile asks the call about its person.
 * @typedef {object} TileHooks
 * @property {() => void} onPin
 * @property {(participant: Participant) => MenuItem[]} menuFor the person's menu (empty: no menu button)
 * @property {(identity: string) => number} handOf the place of their raised hand, 0 when it is down
 */

/** @param {Participant} participant */
export function participantName(participant) {
  return participant.name || participant.identity;
}

const QUALITY_BARS = { excellent: 3, good: 2, poor: 1, lost: 0 };

/** Three bars, as many lit as the connection is good. */
function qualityBars() {
  return h(
    'span',
    { class: 'quality', role: 'img', testid: 'tile-quality' },
    [1, 2, 3].map((n) => h('span', { class: `quality__bar quality__bar--${n}` })),
  );
}

export class Tile {
  /**
   * @param {Participant} participant
   * @param {Track.Source} source camera or screen share
   * @param {boolean} local
   * @param {TileHooks} hooks
   */
  constructor(participant, source, local, hooks) {
    this.participant = participant;
    this.source = source;
    this.hooks = hooks;
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
    this.mic = h('span', { class: 'tile__mic', role: 'img', testid: 'tile-mic' });
    this.quality = qualityBars();
    this.hand = h('span', { class: 'tile__hand', role: 'img', testid: 'tile-hand', hidden: true });
    this.placeholder = h('div', { class: 'tile__placeholder' });
    this.pin = h(
      'button',
      { class: 'tile__button', type: 'button', testid: 'pin-tile', 'aria-pressed': 'false', onclick: hooks.onPin },
      icon('pin'),
    );
    this.menu = this.isScreen
      ? null
      : menuButton(
          {
            testid: 'tile-menu',
            label: t('people.menu', { name: participantName(participant) }),
            shape: 'more',
            className: 'tile__button',
            placement: 'down',
            menuTestid: 'person-menu',
          },
          () => hooks.menuFor(participant),
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
      this.hand,
      h('figcaption', { class: 'tile__caption' }, this.mic, this.name, this.quality),
      h('div', { class: 'tile__actions' }, this.menu?.element, this.pin),
    );
    this.element.addEventListener('dblclick', hooks.onPin);
  }

  /** @param {boolean} on */
  setPinned(on) {
    this.pin.setAttribute('aria-pressed', String(on));
    this.element.classList.toggle('tile--pinned', on);
    this.update();
  }

  /** Shows the track (or the avatar), the name, and the microphone, connection and hand state. */
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
    this.showHand(this.isScreen ? 0 : this.hooks.handOf(participant.identity));
    if (this.menu) this.menu.element.hidden = !this.hooks.menuFor(participant).length;
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

  /** @param {number} place 0: hand down */
  showHand(place) {
    this.hand.hidden = !place;
    this.element.dataset.hand = String(place);
    if (!place) return;
    const label = t('hands.raised_place', { place });
    this.hand.replaceChildren(icon('hand'), h('span', {}, String(place)));
    this.hand.setAttribute('aria-label', label);
    this.hand.title = label;
  }

  /** @param {Participant} participant @param {boolean} video */
  state(participant, video) {
    const quality = String(participant.connectionQuality || 'unknown');
    const bars = QUALITY_BARS[/** @type {keyof typeof QUALITY_BARS} */ (quality)] ?? 3;
    this.quality.dataset.quality = quality;
    this.quality.dataset.bars = String(bars);
    this.quality.hidden = this.isScreen;
    const qualityLabel = t(`room.connection_${quality in QUALITY_BARS ? quality : 'unknown'}`);
    this.quality.setAttribute('aria-label', qualityLabel);
    this.quality.title = qualityLabel;
    const micMuted = !participant.isMicrophoneEnabled;
    this.mic.hidden = this.isScreen;
    this.mic.replaceChildren(icon(micMuted ? 'micOff' : 'mic'));
    this.mic.classList.toggle('tile__mic--off', micMuted);
    this.mic.setAttribute('aria-label', t(micMuted ? 'room.muted' : 'room.unmuted'));
    this.element.dataset.muted = String(micMuted);
    // LiveKit's word on whether this person's media arrives end-to-end encrypted.
    this.element.dataset.encrypted = String(participant.isEncrypted);
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
