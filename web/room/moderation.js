// What can be done to a person in the call (their menu on the tile and in the list), what hosts do to everyone,
// and what the server tells me about it: who muted what, a request to unmute, a new role.
import { h } from '../dom.js';
import { participants } from '../endpoints.js';
import { t } from '../i18n.js';
import { realtime } from '../realtime.js';
import { sameRoom } from '../roomcode.js';
import { confirmDialog, errorText, openDialog, toast } from '../ui.js';
import { openDirectMessage } from './direct.js';
import { Track } from './livekit.js';
import { participantName } from './tile.js';

/** @import { Role } from '../endpoints.js' */
/** @import { Hands } from './hands.js' */
/** @import { Participant, Room } from './livekit.js' */
/** @import { MenuItem } from './menu.js' */
/**
 * @typedef {object} ModerationContext
 * @property {Room} room
 * @property {string} roomId
 * @property {string | null | undefined} ownerId the room's owner: nobody moderates them
 * @property {string | undefined} me my user id
 * @property {() => boolean} isHost whether I am a host now (roles change mid-call)
 * @property {Hands} hands
 */

/** @param {unknown} error */
const complain = (error) => toast(errorText(error), { kind: 'error' });

/** The role the server put in the token's metadata (kept up to date by LiveKit). @param {Participant} participant */
export function participantRole(participant) {
  try {
    return JSON.parse(participant.metadata || '{}').role || '';
  } catch {
    return '';
  }
}

/** @type {Record<string, string>} what was muted, as the person muted reads it */
const MUTED_WHAT = { audio: 'moderation.what_audio', video: 'moderation.what_video', screen: 'moderation.what_screen' };

/**
 * A host's mute items: only for what the person is sending now.
 * @param {ModerationContext} ctx @param {Participant} p
 * @returns {MenuItem[]}
 */
function muteItems(ctx, p) {
  const mute = (/** @type {'audio' | 'video' | 'screen'} */ kind) => () =>
    participants.mute(ctx.roomId, p.identity, kind).catch(complain);
  const sharing = Boolean(p.getTrackPublication(Track.Source.ScreenShare));
  /** @type {(MenuItem | false)[]} */
  const items = [
    p.isMicrophoneEnabled && {
      label: t('moderation.mute_audio'),
      testid: 'mute-audio',
      icon: 'micOff',
      onPick: mute('audio'),
    },
    p.isCameraEnabled && {
      label: t('moderation.mute_video'),
      testid: 'mute-video',
      icon: 'camOff',
      onPick: mute('video'),
    },
    sharing && { label: t('moderation.mute_screen'), testid: 'mute-screen', icon: 'screen', onPick: mute('screen') },
  ];
  return items.filter((item) => item !== false);
}

/**
 * The menu of one person: a private message for anyone; hosts also mute, change the role, lower the hand, remove.
 * @param {ModerationContext} ctx @param {Participant} p
 * @returns {MenuItem[]}
 */
export function personMenu(ctx, p) {
  const mine = p.identity === ctx.me;
  /** @type {MenuItem[]} */
  const items = [];
  if (!mine && ctx.me) {
    const person = { id: p.identity, login: '', display_name: participantName(p) };
    items.push({
      label: t('moderation.message'),
      testid: 'message-person',
      icon: 'message',
      onPick: () => openDirectMessage(ctx.me || '', person),
    });
  }
  if (ctx.hands.isRaised(p.identity) && (mine || ctx.isHost())) {
    items.push({
      label: t(mine ? 'hands.lower_mine' : 'hands.lower'),
      testid: 'lower-hand',
      icon: 'hand',
      onPick: () => ctx.hands.lower(p.identity),
    });
  }
  if (mine || !ctx.isHost() || p.identity === ctx.ownerId) return items;
  const role = participantRole(p) || 'participant';
  const setRole = (/** @type {Role} */ to) => () => participants.setRole(ctx.roomId, p.identity, to).catch(complain);
  return [
    ...items,
    ...muteItems(ctx, p),
    { label: t('moderation.role'), heading: true },
    { label: t('moderation.make_host'), testid: 'role-host', checked: role === 'host', onPick: setRole('host') },
    {
      label: t('moderation.make_participant'),
      testid: 'role-participant',
      checked: role === 'participant',
      onPick: setRole('participant'),
    },
    {
      label: t('moderation.make_viewer'),
      testid: 'role-viewer',
      checked: role === 'viewer',
      onPick: setRole('viewer'),
    },
    {
      label: t('people.remove_short'),
      testid: 'remove-participant',
      icon: 'close',
      danger: true,
      onPick: () => removePerson(ctx, p),
    },
  ];
}

/** @param {ModerationContext} ctx @param {Participant} p */
async function removePerson(ctx, p) {
  const sure = await confirmDialog({
    title: t('people.remove_title'),
    message: t('people.remove_confirm', { name: participantName(p) }),
    confirm: t('people.remove_short'),
    danger: true,
  });
  if (sure) participants.remove(ctx.roomId, p.identity).catch(complain);
}

/** A host's actions on everyone (in the "more" menu and the people panel). @param {ModerationContext} ctx @returns {MenuItem[]} */
export function everyoneItems(ctx) {
  if (!ctx.isHost()) return [];
  /** @type {(MenuItem | null)[]} */
  const items = [
    { label: t('moderation.everyone'), heading: true },
    { label: t('moderation.mute_all'), testid: 'mute-all', icon: 'micOff', onPick: () => muteEveryone(ctx) },
    { label: t('moderation.ask_unmute'), testid: 'ask-unmute', icon: 'mic', onPick: () => askEveryone(ctx) },
    ctx.hands.items.length
      ? { label: t('hands.lower_all'), testid: 'lower-all-hands', icon: 'hand', onPick: () => ctx.hands.lowerAll() }
      : null,
  ];
  return items.filter((item) => item !== null);
}

/** @param {ModerationContext} ctx */
async function muteEveryone(ctx) {
  try {
    const answer = await participants.muteAll(ctx.roomId, 'audio');
    toast(t('moderation.muted_all', { count: answer.muted.length }));
  } catch (error) {
    complain(error);
  }
}

/** @param {ModerationContext} ctx */
async function askEveryone(ctx) {
  try {
    const answer = await participants.askUnmute(ctx.roomId);
    toast(t('moderation.asked_all', { count: answer.asked.length }));
  } catch (error) {
    complain(error);
  }
}

/** The name of whoever did it, when they are in the call. @param {Room} room @param {string} identity */
function nameOf(room, identity) {
  const who = room.remoteParticipants.get(identity);
  return who ? participantName(who) : '';
}

/**
 * Tells me what hosts did to me: muted something, asked me to unmute, changed my role.
 * @param {ModerationContext} ctx @returns {(() => void)[]} unsubscribers
 */
export function watchModeration(ctx) {
  const mine = (/** @type {string} */ roomId) => sameRoom(roomId, ctx.roomId);
  return [
    realtime.on('participant.muted', (data) => {
      if (!mine(data.room_id) || data.user_id !== ctx.me) return;
      const name = nameOf(ctx.room, data.by);
      const what = t(MUTED_WHAT[data.kind] || MUTED_WHAT.audio);
      toast(name ? t('moderation.muted_you_by', { name, what }) : t('moderation.muted_you', { what }), {
        timeout: 6000,
      });
    }),
    realtime.on('unmute.requested', (data) => {
      if (mine(data.room_id) && !ctx.room.localParticipant.isMicrophoneEnabled)
        askToUnmute(ctx.room, data.by.display_name || data.by.login);
    }),
    realtime.on('participant.updated', (data) => {
      if (mine(data.room_id) && data.user.id === ctx.me) toast(t(`moderation.now_${data.role}`), { timeout: 6000 });
    }),
  ];
}

/** A host asks: I decide (nobody is unmuted by force). @param {Room} room @param {string} name */
function askToUnmute(room, name) {
  const dialog = openDialog({
    title: t('moderation.unmute_title'),
    testid: 'unmute-request',
    body: h('p', {}, t('moderation.unmute_text', { name })),
    actions: [
      h(
        'button',
        { class: 'button', type: 'button', testid: 'unmute-later', onclick: () => dialog.close() },
        t('moderation.stay_muted'),
      ),
      h(
        'button',
        {
          class: 'button button--primary',
          type: 'button',
          testid: 'unmute-now',
          onclick: () => {
            dialog.close();
            room.localParticipant
              .setMicrophoneEnabled(true)
              .catch(() => toast(t('controls.mic_failed'), { kind: 'error' }));
          },
        },
        t('moderation.unmute'),
      ),
    ],
  });
}
