// The toolbar's "more" menu: the layout, settings and shortcuts; on a phone (where the toolbar has no room for
// them) screen sharing and reactions; for hosts, what they do to everyone.
import { t } from '../i18n.js';
import { PHONE } from './controls.js';
import { openSettings } from './dialogs.js';
import { everyoneItems } from './moderation.js';
import { REACTIONS } from './reactions.js';
import { openShortcutHelp } from './shortcuts.js';
import { LAYOUTS } from './stage.js';

/** @import { Room } from './livekit.js' */
/** @import { MenuItem } from './menu.js' */
/** @import { ModerationContext } from './moderation.js' */
/** @import { Stage } from './stage.js' */

/**
 * @param {{room: Room, stage: Stage, moderation: ModerationContext, onShare: () => void, onReact: (emoji: string) => void}} call
 * @returns {MenuItem[]}
 */
export function moreItems({ room, stage, moderation, onShare, onReact }) {
  const phone = matchMedia(PHONE).matches;
  /** @type {MenuItem[]} */
  const items = [{ label: t('layout.title'), heading: true }];
  for (const mode of LAYOUTS) {
    items.push({
      label: t(`layout.${mode}`),
      testid: `layout-${mode}`,
      checked: stage.mode === mode,
      onPick: () => stage.setMode(mode),
    });
  }
  items.push({
    label: t('controls.settings'),
    testid: 'open-settings',
    icon: 'settings',
    onPick: () => openSettings(room),
  });
  items.push({
    label: t('shortcuts.title'),
    testid: 'open-shortcuts',
    icon: 'keyboard',
    onPick: () => openShortcutHelp(),
  });
  if (phone && room.localParticipant.permissions?.canPublish !== false) {
    items.push({
      label: t(room.localParticipant.isScreenShareEnabled ? 'controls.screen_stop' : 'controls.screen_start'),
      testid: 'more-share',
      icon: 'screen',
      onPick: () => onShare(),
    });
  }
  if (phone) {
    items.push({ label: t('controls.react'), heading: true });
    for (const emoji of REACTIONS)
      items.push({ label: emoji, testid: 'send-reaction', compact: true, onPick: () => onReact(emoji) });
  }
  return [...items, ...everyoneItems(moderation)];
}
