// Small dialogs of the call: copy the invite, pick devices.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { inviteLink } from '../roomcode.js';
import { openDialog, toast } from '../ui.js';
import { deviceSelect, supportsOutputSelection } from './devices.js';
import { applyEffect, effectPicker } from './effects.js';
import { Track } from './livekit.js';
import { noiseSwitch } from './noise.js';

/** @import { Room } from './livekit.js' */

/**
 * Copies text and says so; where the clipboard is refused, shows it selected in a dialog instead.
 * @param {string} text @param {string} done what the toast says
 */
export async function copyText(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    toast(done);
  } catch {
    const input = h('input', { class: 'input', value: text, readonly: true, 'aria-label': t('room.invite_link') });
    const dialog = openDialog({
      title: t('room.invite_title'),
      testid: 'invite-dialog',
      body: input,
      actions: [
        h(
          'button',
          { class: 'button button--primary', type: 'button', onclick: () => dialog.close() },
          t('common.close'),
        ),
      ],
    });
    input.select();
  }
}

/** @param {{id: string}} info */
export function copyInvite(info) {
  copyText(inviteLink(info), t('room.link_copied'));
}

/** Device pickers that switch the call's devices at once. @param {Room} room */
export function openSettings(room) {
  const pick = (/** @type {import('./devices.js').DeviceKind} */ kind) =>
    deviceSelect(kind, {
      current: room.getActiveDevice(kind),
      onPick: (id) => room.switchActiveDevice(kind, id).catch(() => toast(t('room.device_error'), { kind: 'error' })),
    }).element;
  const dialog = openDialog({
    title: t('controls.settings'),
    testid: 'settings-dialog',
    body: h(
      'div',
      { class: 'settings' },
      pick('audioinput'),
      pick('videoinput'),
      supportsOutputSelection() ? pick('audiooutput') : null,
      noiseSwitch(room),
      effectPicker(async (name) => {
        const camera = room.localParticipant.getTrackPublication(Track.Source.Camera)?.videoTrack;
        if (!camera) return;
        try {
          await applyEffect(camera, name);
        } catch (error) {
          toast(t('effects.failed'), { kind: 'error' });
          throw error;
        }
      }),
    ),
    actions: [
      h(
        'button',
        { class: 'button button--primary', type: 'button', testid: 'settings-done', onclick: () => dialog.close() },
        t('common.done'),
      ),
    ],
  });
}
