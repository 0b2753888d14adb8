// Direct calls: rings for incoming calls on every page (dialog, sound, Notification) and the outgoing "calling…" dialog.
import { h } from './dom.js';
import { calls } from './endpoints.js';
import { t } from './i18n.js';
import { realtime } from './realtime.js';
import { avatar, errorText, openDialog, toast } from './ui.js';

/** @import { DirectCall, Person } from './endpoints.js' */
/** @import { Dialog } from './ui.js' */
/** @import { NavigateOptions } from './app.js' */
/** @typedef {(path: string, options?: NavigateOptions) => void} Navigate */

const RING_FALLBACK_MS = 35000;

/** @param {{display_name?: string | null, login?: string | null} | null} person null: the account is gone */
const nameOf = (person) => person?.display_name || person?.login || t('common.someone');

/** @type {Navigate} */
let navigateTo = () => {};
/** @type {Map<string, Dialog>} calls ringing here, by call id */
const ringing = new Map();

function beep() {
  // A short two-tone ring made with WebAudio, so no sound file is needed.
  try {
    const audio = new AudioContext();
    const gain = audio.createGain();
    gain.gain.value = 0.05;
    gain.connect(audio.destination);
    [0, 0.25].forEach((offset, i) => {
      const osc = audio.createOscillator();
      osc.frequency.value = i ? 660 : 880;
      osc.connect(gain);
      osc.start(audio.currentTime + offset);
      osc.stop(audio.currentTime + offset + 0.2);
    });
    setTimeout(() => audio.close(), 800);
  } catch {
    /* sound is a nicety */
  }
}

export function askNotificationPermission() {
  if ('Notification' in window && Notification.permission === 'default') {
    Notification.requestPermission().catch(() => {});
  }
}

/** @param {string} title @param {string} body */
function notify(title, body) {
  if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return null;
  try {
    const note = new Notification(title, { body, tag: 'conference-call', requireInteraction: true });
    note.onclick = () => {
      window.focus();
      note.close();
    };
    return note;
  } catch {
    return null;
  }
}

/**
 * Rings (sound, blinking title, Notification) until stop() is called.
 * @param {string} name who calls
 */
function ring(name) {
  const note = notify(t('call.incoming_title'), t('call.incoming', { name }));
  const title = document.title;
  let flip = false;
  const timer = setInterval(() => {
    beep();
    flip = !flip;
    document.title = flip ? t('call.incoming', { name }) : title;
  }, 2000);
  beep();
  return () => {
    clearInterval(timer);
    document.title = title;
    note?.close();
  };
}

/** @param {string} name @param {string} text */
function callCard(name, text) {
  return h('div', { class: 'call-card' }, avatar(name, 'avatar--large'), h('p', { class: 'call-card__text' }, text));
}

/** @param {string} testid @param {string} kind @param {string} label @param {() => void} onclick */
function callButton(testid, kind, label, onclick) {
  return h('button', { class: `button ${kind}`, type: 'button', testid, 'aria-label': label, onclick }, label);
}

/**
 * The callee's side: accept opens the call's room with the grant of the accept answer.
 * @param {DirectCall} call
 * @param {boolean} accept
 */
async function answer(call, accept) {
  try {
    if (accept) {
      const grant = await calls.accept(call.id);
      navigateTo(`/r/${encodeURIComponent(grant.room_id)}`, { state: { directJoin: grant } });
    } else {
      await calls.decline(call.id);
    }
  } catch (error) {
    toast(errorText(error), { kind: 'error' });
  }
}

/** @param {DirectCall} call */
function showIncoming(call) {
  if (ringing.has(call.id)) return;
  const name = nameOf(call.caller);
  const stopRinging = ring(name);
  /** @param {boolean} accept */
  const choose = (accept) => {
    dialog.close();
    answer(call, accept);
  };
  const dialog = openDialog({
    title: t('call.incoming_title'),
    testid: 'incoming-call',
    dismissable: false,
    onClose: () => {
      stopRinging();
      ringing.delete(call.id);
    },
    body: callCard(name, t('call.incoming', { name })),
    actions: [
      callButton('call-decline', 'button--danger', t('call.decline'), () => choose(false)),
      callButton('call-accept', 'button--success', t('call.accept'), () => choose(true)),
    ],
  });
  ringing.set(call.id, dialog);
  const left = call.expires_at ? new Date(call.expires_at).getTime() - Date.now() : RING_FALLBACK_MS;
  setTimeout(() => dialog.close(), Math.max(0, left));
}

/** @param {DirectCall} call */
function endRing(call) {
  ringing.get(call.id)?.close();
}

/**
 * Calls a contact and waits for the answer; on accept the caller joins the call's room.
 * @param {Person} user
 */
export async function callUser(user) {
  const name = nameOf(user);
  let call;
  try {
    call = await calls.start(user.id);
  } catch (error) {
    toast(errorText(error), { kind: 'error' });
    return;
  }
  const { id, room_id: roomId } = call;
  /** @type {(() => void)[]} */
  const unsubscribe = [];
  const cancel = () => {
    dialog.close();
    calls.cancel(id).catch(() => {});
  };
  const dialog = openDialog({
    title: t('call.calling_title'),
    testid: 'outgoing-call',
    dismissable: false,
    onClose: () => {
      for (const off of unsubscribe) off();
    },
    body: callCard(name, t('call.calling', { name })),
    actions: [
      h(
        'button',
        { class: 'button button--danger', type: 'button', testid: 'call-cancel', onclick: cancel },
        t('call.cancel'),
      ),
    ],
  });
  /** @param {'call.accepted' | 'call.declined' | 'call.cancelled'} type @param {() => void} then */
  const when = (type, then) =>
    unsubscribe.push(
      realtime.on(type, (data) => {
        if (data.id !== id) return;
        dialog.close();
        then();
      }),
    );
  when('call.accepted', () => navigateTo(`/r/${encodeURIComponent(roomId)}`, { state: { autoJoin: true } }));
  when('call.declined', () => toast(t('call.declined', { name })));
  when('call.cancelled', () => toast(t('call.missed', { name })));
  setTimeout(() => {
    if (!dialog.element.isConnected) return;
    dialog.close();
    toast(t('call.no_answer', { name }));
  }, RING_FALLBACK_MS);
}

/** @param {{navigate: Navigate}} app */
export function startRinger({ navigate }) {
  navigateTo = navigate;
  realtime.on('call.ring', showIncoming);
  realtime.on('call.cancelled', endRing);
  realtime.on('call.accepted', endRing);
  realtime.on('call.declined', endRing);
}
