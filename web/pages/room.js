// /r/<room-id>: look the room up, pre-join (preview), join through the API (maybe via the waiting room), then the call.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { get, post, api, updateStoredUser } from '../api.js';
import { realtime } from '../realtime.js';
import { normalizeRoomId, sameRoom } from '../roomcode.js';
import { errorText } from '../ui.js';
import { prejoin } from '../room/prejoin.js';
import { startCall } from '../room/call.js';
import { renderOutcome } from '../room/outcome.js';

const OUTCOME_FOR_ERROR = { not_found: 'not_found', room_full: 'full', room_ended: 'ended', removed: 'removed', room_locked: 'locked' };

export async function render(root, ctx) {
  const roomId = normalizeRoomId(ctx.params[0]);
  const view = h('div', { class: 'room-page' });
  root.replaceChildren(view);
  let stopPreview = null;
  let call = null;
  let waitingOff = null;
  let gone = false;

  const showOutcome = (reason, detail) => {
    if (gone) return;
    call = null;
    renderOutcome(view, { reason, detail, vars: { id: roomId }, onRejoin: () => ctx.rerender() });
  };
  const outcomeForError = (error) => OUTCOME_FOR_ERROR[error?.code] || (error?.status === 404 ? 'not_found' : null);

  function loading(text) {
    view.replaceChildren(h('main', { class: 'outcome', testid: 'room-loading', 'aria-busy': 'true' },
      h('div', { class: 'outcome__card' }, h('span', { class: 'spinner spinner--large', 'aria-hidden': 'true' }), h('p', { role: 'status' }, text))));
  }

  async function enter(join, tracks = []) {
    if (gone) return;
    call = await startCall(view, { join, tracks, user: ctx.user, onOutcome: showOutcome });
    if (gone) call.leave();
  }

  // POST /join; a waiting room answers 202 and we wait for lobby.admitted / lobby.denied.
  async function joinRoom(room, tracks) {
    const answer = await post(`/rooms/${encodeURIComponent(room.id)}/join`);
    if (answer?.status === 'waiting') return waitInLobby(room, tracks);
    return enter({ ...answer, room: answer.room || room }, tracks);
  }

  function waitInLobby(room, tracks) {
    view.replaceChildren(h('main', { class: 'outcome', testid: 'waiting-room' },
      h('div', { class: 'outcome__card' }, h('span', { class: 'spinner spinner--large', 'aria-hidden': 'true' }),
        h('h1', { class: 'outcome__title', testid: 'room-status' }, t('waiting.title')),
        h('p', { class: 'outcome__text' }, t('waiting.text', { name: room.name || room.id })),
        h('a', { class: 'button', href: '/', 'data-link': '', testid: 'waiting-cancel' }, t('common.cancel')))));
    return new Promise((resolve) => {
      const offs = [
        realtime.on('lobby.admitted', async (data) => {
          if (!sameRoom(data.room_id ?? data.room?.id, room.id)) return;
          stop();
          try {
            if (data.token && data.livekit_url) resolve(await enter({ ...data, room: data.room || room, role: data.role || 'participant' }, tracks));
            else resolve(await joinRoom(room, tracks));
          } catch (error) {
            tracks.forEach((track) => track?.stop());
            showOutcome(outcomeForError(error) || 'error', errorText(error));
            resolve();
          }
        }),
        realtime.on('room.ended', (data) => {
          if (!sameRoom(data.room_id, room.id)) return;
          stop();
          tracks.forEach((track) => track?.stop());
          showOutcome('ended');
          resolve();
        }),
        realtime.on('lobby.denied', (data) => {
          if (!sameRoom(data.room_id, room.id)) return;
          stop();
          tracks.forEach((track) => track?.stop());
          showOutcome('denied');
          resolve();
        }),
      ];
      const stop = () => {
        offs.forEach((off) => off());
        waitingOff = null;
      };
      waitingOff = () => {
        stop();
        tracks.forEach((track) => track?.stop());
        // Leaving the waiting screen withdraws the request to join.
        post(`/rooms/${encodeURIComponent(room.id)}/leave`).catch(() => {});
      };
    });
  }

  async function start() {
    const direct = ctx.state.directJoin;
    const autoJoin = ctx.state.autoJoin;
    // A call's one-time hand-over: a reload later should show the pre-join screen, not reuse it.
    if (direct || autoJoin) history.replaceState({}, '', location.pathname);
    if (direct?.token) {
      // An accepted direct call: the token came with the accept answer, skip the preview.
      loading(t('room.connecting'));
      const room = await get(`/rooms/${encodeURIComponent(direct.room_id || roomId)}`).catch(() => ({ id: direct.room_id || roomId }));
      return enter({ ...direct, room: { ...room, id: room.id || direct.room_id || roomId }, role: direct.role || 'participant', autoMedia: true });
    }
    loading(t('room.looking_up'));
    let room;
    try {
      room = await get(`/rooms/${encodeURIComponent(roomId)}`);
    } catch (error) {
      return showOutcome(outcomeForError(error) || 'error', outcomeForError(error) ? null : errorText(error));
    }
    if (gone) return;
    if (room.status === 'ended') return showOutcome('ended');
    if (room.id && room.id !== ctx.params[0]) history.replaceState(history.state, '', `/r/${encodeURIComponent(room.id)}`);
    if (autoJoin) {
      loading(t('room.connecting'));
      try {
        const answer = await post(`/rooms/${encodeURIComponent(room.id)}/join`);
        return await enter({ ...answer, room: answer.room || room, autoMedia: true });
      } catch (error) {
        return showOutcome(outcomeForError(error) || 'error', errorText(error));
      }
    }
    stopPreview = prejoin(view, {
      room,
      user: ctx.user,
      onBack: () => ctx.navigate('/'),
      onJoin: async ({ displayName, videoTrack, audioTrack }) => {
        if (ctx.user && displayName !== (ctx.user.display_name || ctx.user.login)) {
          try {
            const updated = await api('PATCH', '/users/me', { display_name: displayName });
            updateStoredUser(updated);
            ctx.user = updated;
          } catch {
            /* the name is a nicety; join anyway */
          }
        }
        try {
          await joinRoom(room, [audioTrack, videoTrack]);
        } catch (error) {
          const outcome = outcomeForError(error);
          if (outcome) {
            videoTrack?.stop();
            audioTrack?.stop();
            return showOutcome(outcome);
          }
          throw new Error(error?.status ? errorText(error) : t('error.media_connect'));
        }
      },
    });
  }

  start().catch((error) => showOutcome(outcomeForError(error) || 'error', errorText(error)));

  return async () => {
    gone = true;
    stopPreview?.();
    waitingOff?.();
    if (call) {
      const leaving = call;
      call = null;
      await leaving.leave();
      post(`/rooms/${encodeURIComponent(roomId)}/leave`).catch(() => {});
    }
  };
}
