// Direct calls: rings for incoming calls on every page (dialog, sound, Notification) and the outgoing "calling…" dialog.
import { h } from './dom.js';
import { t } from './i18n.js';
import { post } from './api.js';
import { realtime } from './realtime.js';
import { openDialog, toast, errorText, avatar } from './ui.js';

const callId = (data) => String(data.call_id ?? data.id ?? '');
const personOf = (data) => data.caller || data.from || data.user || data.callee || {};
const nameOf = (person) => person.display_name || person.login || t('common.someone');

let navigateTo = () => {};
const ringing = new Map();

function beep() {
  // A short two-tone ring made with WebAudio, so no sound file is needed.
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
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

function showIncoming(data) {
  const id = callId(data);
  if (!id || ringing.has(id)) return;
  const person = personOf(data);
  const name = nameOf(person);
  const note = notify(t('call.incoming_title'), t('call.incoming', { name }));
  const title = document.title;
  let flip = false;
  const timer = setInterval(() => {
    beep();
    flip = !flip;
    document.title = flip ? t('call.incoming', { name }) : title;
  }, 2000);
  beep();
  const stop = () => {
    clearInterval(timer);
    document.title = title;
    note?.close();
    ringing.delete(id);
  };
  const answer = async (accept) => {
    dialog.close();
    try {
      if (!accept) return await post(`/calls/${encodeURIComponent(id)}/decline`);
      const joined = await post(`/calls/${encodeURIComponent(id)}/accept`);
      const roomId = joined.room_id || data.room_id;
      navigateTo(`/r/${encodeURIComponent(roomId)}`, { state: { directJoin: joined } });
    } catch (error) {
      toast(errorText(error), { kind: 'error' });
    }
  };
  const dialog = openDialog({
    title: t('call.incoming_title'),
    testid: 'incoming-call',
    dismissable: false,
    onClose: stop,
    body: h('div', { class: 'call-card' }, avatar(name, 'avatar--large'), h('p', { class: 'call-card__text' }, t('call.incoming', { name }))),
    actions: [
      h('button', { class: 'button button--danger', type: 'button', testid: 'call-decline', 'aria-label': t('call.decline'), onclick: () => answer(false) }, t('call.decline')),
      h('button', { class: 'button button--success', type: 'button', testid: 'call-accept', 'aria-label': t('call.accept'), onclick: () => answer(true) }, t('call.accept')),
    ],
  });
  ringing.set(id, dialog);
  if (data.expires_at) setTimeout(() => dialog.close(), Math.max(0, new Date(data.expires_at) - Date.now()));
  else setTimeout(() => dialog.close(), 35000);
}

function endRing(data) {
  ringing.get(callId(data))?.close();
}

// Calls a contact and waits for the answer; on accept the caller joins the call's room.
export async function callUser(user) {
  const name = nameOf(user);
  let call;
  try {
    call = await post('/calls', { user_id: user.id });
  } catch (error) {
    toast(errorText(error), { kind: 'error' });
    return;
  }
  const id = String(call.id);
  const unsubscribe = [];
  const finish = () => unsubscribe.forEach((off) => off());
  const dialog = openDialog({
    title: t('call.calling_title'),
    testid: 'outgoing-call',
    dismissable: false,
    onClose: finish,
    body: h('div', { class: 'call-card' }, avatar(name, 'avatar--large'), h('p', { class: 'call-card__text' }, t('call.calling', { name }))),
    actions: [
      h('button', {
        class: 'button button--danger', type: 'button', testid: 'call-cancel',
        onclick: () => {
          dialog.close();
          post(`/calls/${encodeURIComponent(id)}/cancel`).catch(() => {});
        },
      }, t('call.cancel')),
    ],
  });
  const mine = (data) => callId(data) === id || (data.room_id && data.room_id === call.room_id);
  unsubscribe.push(realtime.on('call.accepted', (data) => {
    if (!mine(data)) return;
    dialog.close();
    navigateTo(`/r/${encodeURIComponent(data.room_id || call.room_id)}`, { state: { autoJoin: true } });
  }));
  unsubscribe.push(realtime.on('call.declined', (data) => {
    if (!mine(data)) return;
    dialog.close();
    toast(t('call.declined', { name }));
  }));
  unsubscribe.push(realtime.on('call.cancelled', (data) => {
    if (!mine(data)) return;
    dialog.close();
    toast(t('call.missed', { name }));
  }));
  setTimeout(() => {
    if (dialog.element.isConnected) {
      dialog.close();
      toast(t('call.no_answer', { name }));
    }
  }, 35000);
}

export function startRinger({ navigate }) {
  navigateTo = navigate;
  realtime.on('call.ring', showIncoming);
  realtime.on('call.cancelled', endRing);
  realtime.on('call.accepted', endRing);
  realtime.on('call.declined', endRing);
}
