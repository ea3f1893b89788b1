// conversation-media.js — attachments that change after they are shown. A photo or video is
// "processing" until the worker has made its thumbnails (and stripped its metadata); then a
// `media.ready` event names it, and every message showing it here is rendered again by the
// server (history.refresh), which swaps the "Processing…" box or the uploader's original for
// the thumbnail, at the size already reserved. A message that arrives after its media.ready
// event (fetched a moment before) is refreshed when it is moved in; a reconnect refreshes
// the messages still waiting, since their event may have come while this tab was away.
//
// initMedia(conv, {refresh}) → {mediaReady(event), reconnected()}.

import { seqOf } from './conversation-log.js';

const PENDING = '.att[data-state="processing"]';
const RECHECK = 10; // messages re-rendered at most after a reconnect

export function initMedia(conv, { refresh }) {
  const ready = new Set(); // ids of media.ready events seen, for messages moved in later

  /** The seqs of the messages here that show media `id` (and still wait for it). */
  function seqsShowing(id, onlyPending) {
    const seqs = new Set();
    for (const att of conv.log.querySelectorAll(`.att[data-media-id="${CSS.escape(String(id))}"]`)) {
      if (onlyPending && att.dataset.state !== 'processing') continue;
      const li = att.closest('li.msg');
      const seq = li && seqOf(li);
      if (seq !== null && seq !== undefined) seqs.add(seq);
    }
    return seqs;
  }

  /** Re-renders message seq, after its playing video or audio (if any) has stopped. */
  function rerender(seq) {
    const li = document.getElementById(`m${seq}`);
    const playing = li && [...li.querySelectorAll('video, audio')].find((m) => !m.paused && !m.ended);
    if (playing) {
      playing.addEventListener('pause', () => rerender(seq), { once: true });
      return;
    }
    refresh(seq);
  }

  conv.log.addEventListener('parley:content', (ev) => {
    const root = ev.target;
    if (!(root instanceof Element) || !ready.size) return;
    for (const att of root.querySelectorAll(PENDING)) {
      if (!ready.has(att.dataset.mediaId)) continue;
      ready.delete(att.dataset.mediaId); // once: never a loop of refreshes
      const li = att.closest('li.msg');
      const seq = li && seqOf(li);
      if (seq !== null && seq !== undefined) rerender(seq);
    }
  });

  return {
    mediaReady(ev) {
      const m = ev.media;
      if (!m || m.id === undefined) return;
      ready.add(String(m.id));
      for (const seq of seqsShowing(m.id, false)) rerender(seq);
    },
    reconnected() {
      const seqs = new Set();
      for (const att of conv.log.querySelectorAll(PENDING)) {
        for (const seq of seqsShowing(att.dataset.mediaId, true)) seqs.add(seq);
      }
      // The newest few: older ones waiting this long are not waiting for a missed event.
      for (const seq of [...seqs].sort((a, b) => b - a).slice(0, RECHECK)) rerender(seq);
    },
  };
}
