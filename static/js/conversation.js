// conversation.js — the conversation page made live.
//
// Messages are never rendered here: on an event the page fetches its own HTML again
// (/conversations/<id>?after=… , ?around=… , ?before=…) and moves the server-rendered <li
// id="m<seq>"> elements in. The list stays in seq order with every seq once.
//
// A GET of the conversation page marks what it shows as read (a person looking at the page
// has read it), so a hidden tab does not fetch: it catches up when it is shown again.
//
// This module finds the page's parts and wires the pieces together, with the state they
// share passed in explicitly (`conv`):
//   conversation-log.js       the message list: seqs, day separators, pages fetched again
//   conversation-read.js      the read position posted to the server
//   conversation-history.js   newer messages appended, one re-rendered, older ones on scroll
//   conversation-receipts.js  "✓", "✓✓", "Read" of own messages, refetched on read/delivered
//   conversation-typing.js    "… is typing", shown and sent
//   conversation-composer.js  sending without a reload (with attach.js: files, voice notes)
//   composer-pickers.js       the composer's emoji picker and `@`/`:` autocomplete
//   conversation-draft.js     the composer's text kept in the browser until it is sent
//   conversation-actions.js   react, reply, edit (inline; Up arrow) and delete in place
//   conversation-unread.js    opening at the "New messages" line; "Jump to latest"
//   conversation-media.js     attachments re-rendered when the worker has processed them
//   media-view.js             photos opened full size, with next and previous
//   conversation-e2e.js       end-to-end encrypted ones: encrypting, decrypting, the lock
//   conversation-header.js    the header's title, member count and description kept current

import { seqOf, messageItems } from './conversation-log.js';
import { initReadPosition } from './conversation-read.js';
import { initHistory } from './conversation-history.js';
import { initReceipts } from './conversation-receipts.js';
import { initTyping } from './conversation-typing.js';
import { initComposer } from './conversation-composer.js';
import { initHeader } from './conversation-header.js';
import { initComposerPickers } from './composer-pickers.js';
import { initDraft } from './conversation-draft.js';
import { initActions } from './conversation-actions.js';
import { initUnreadLine } from './conversation-unread.js';
import { initMedia } from './conversation-media.js';
import { initViewer } from './media-view.js';
import { fetchDocument } from './net.js';
import { initE2E } from './conversation-e2e.js';

/**
 * Makes the conversation on the page live; returns a function that stops it again (its
 * event subscription and document listeners), for the shell (shell.js) to call before it
 * swaps in another conversation. Without a conversation on the page, returns null.
 */
export function initConversation(live) {
  const chat = document.querySelector('.chat[data-conversation-id]');
  if (!chat) return null;
  const log = chat.querySelector('.chat-log');
  const list = () => log.querySelector('.msg-list');
  const conv = {
    id: chat.dataset.conversationId,
    me: document.body.dataset.me,
    chat,
    log,
    scroller: chat.querySelector('.chat-scroll'),
    // A page further back in history has a gap to the newest messages: it does not grow live.
    atNewest: log.dataset.hasNewer !== '1',
    list,
    firstSeq() {
      const items = messageItems(list());
      return items.length ? seqOf(items[0]) : 0;
    },
    lastSeq() {
      const items = messageItems(list());
      return items.length ? seqOf(items[items.length - 1]) : 0;
    },
  };
  const { id, me } = conv;

  // "Reconnecting…" shows just below the chat's header rather than over the page.
  const status = document.getElementById('live-status');
  const head = chat.querySelector('.chat-head');
  if (status && head) head.append(status);

  const read = initReadPosition(conv);
  const history = initHistory(conv, { markRead: read.markRead });
  const receipts = initReceipts(conv, { catchingUp: history.catchingUp });
  const typing = initTyping(conv);
  const media = initMedia(conv, { refresh: history.refresh });
  const actions = initActions(conv, { refresh: history.refresh });
  initUnreadLine(conv);
  initViewer(log);

  // A hidden tab fetches nothing: what waited is done when it is shown again.
  const onVisible = () => {
    if (document.hidden) return;
    history.resume();
    receipts.resume();
    read.markRead();
  };
  document.addEventListener('visibilitychange', onVisible);

  const header = initHeader(chat, id, me, { onMyRole: () => swapComposer() });
  const unsubscribe = live.subscribe((ev) => {
    header(ev);
    switch (ev.type) {
      case 'open':
      case 'resync':
        history.catchUp();
        receipts.refreshReceipts();
        media.reconnected();
        break;
      case 'media.ready':
        media.mediaReady(ev);
        break;
      case 'read':
      case 'delivered':
        if (String(ev.conversation_id) !== id || String(ev.user_id) === me) break;
        receipts.refreshReceipts(Number(ev.type === 'read' ? ev.read_seq : ev.delivered_seq) || Infinity);
        break;
      case 'message.created':
        if (String(ev.conversation_id) !== id) break;
        if (ev.message && ev.message.sender) typing.typingStopped(ev.message.sender.id);
        if (ev.seq > conv.lastSeq()) history.catchUp();
        break;
      case 'message.edited':
      case 'message.deleted':
      case 'reaction':
        if (String(ev.conversation_id) !== id) break;
        if (ev.seq > conv.lastSeq()) history.catchUp();
        else history.refresh(ev.seq);
        break;
      case 'message.preview':
        // A preview is often ready while the message itself is still being fetched: that
        // fetch may predate the preview, so the message is drawn again after it.
        if (String(ev.conversation_id) !== id) break;
        Promise.resolve(ev.seq > conv.lastSeq() ? history.catchUp() : null).then(() => history.refresh(ev.seq));
        break;
      case 'typing':
        if (String(ev.conversation_id) === id && ev.user && String(ev.user.id) !== me) typing.typingStarted(ev.user);
        break;
      case 'member.muted':
      case 'member.unmuted':
        if (String(ev.conversation_id) === id && String(ev.user_id) === me) swapComposer();
        break;
      default:
    }
  });

  function startComposer(form) {
    const textarea = form.querySelector('textarea[name="body"]');
    const draft = initDraft(conv, textarea);
    initComposer(conv, form, { live, catchUp: history.catchUp, onSent: draft.sync, editLast: actions.editLast });
    initComposerPickers(conv, form);
    typing.reportTyping(textarea);
  }

  // My own mute began or ended: the server draws the composer as it now stands (closed, with
  // until when; or open again). If that fails, the next send says why.
  async function swapComposer() {
    try {
      const doc = await fetchDocument(location.pathname);
      const fresh = doc.getElementById('composer');
      const old = chat.querySelector('#composer');
      if (!fresh || !old) return;
      old.replaceWith(fresh);
      const form = fresh.querySelector('form.composer-form');
      if (form) startComposer(form);
    } catch {
      /* offline or logged out: nothing to redraw */
    }
  }

  const form = chat.querySelector('form.composer-form');
  if (form) startComposer(form);
  // An end-to-end encrypted one: this browser encrypts, decrypts and draws its own composer.
  if (chat.dataset.e2e === '1') initE2E(conv, { catchUp: history.catchUp, reportTyping: typing.reportTyping });

  // Opening a conversation is to write in it: the composer has the focus (not on touch
  // screens, where that would cover the messages with the keyboard; not when the address
  // points at a message).
  if (form && !location.hash && window.matchMedia('(pointer: fine)').matches) {
    form.querySelector('textarea[name="body"]').focus({ preventScroll: true });
  }

  return function stop() {
    if (conv.flushDeletes) {               // a delete waiting for its undo is sent now
      conv.flushDeletes();
      window.removeEventListener('pagehide', conv.flushDeletes);
    }
    unsubscribe();
    document.removeEventListener('visibilitychange', onVisible);
    history.stop();
    // "Reconnecting…" goes back under <main>, where the next conversation finds it.
    const main = document.getElementById('main');
    if (status && main && chat.contains(status)) main.after(status);
  };
}
