// delivery.js — tells the server which messages reached this client, for the senders'
// "✓✓" (delivered): a message.created from someone else (any conversation) is acknowledged
// with POST …/delivered {"seq"}, at most once per conversation every DELIVERED_DEBOUNCE_MS
// with the highest seq seen; after a fresh connection or a resync, unread ones too.

import { postJSON } from './net.js';

const DELIVERED_DEBOUNCE_MS = 300;

const deliveries = new Map(); // conversation id → {seq, timer, posted}

function ackDelivery(event) {
  if (event.type !== 'message.created' || event.conversation_id == null) return;
  const seq = Number(event.seq);
  const sender = event.message && event.message.sender ? String(event.message.sender.id) : '';
  if (!seq || !sender || sender === document.body.dataset.me) return;
  const key = String(event.conversation_id);
  let entry = deliveries.get(key);
  if (!entry) {
    entry = { seq: 0, timer: null, posted: 0 };
    deliveries.set(key, entry);
  }
  if (seq <= entry.posted) return;
  entry.seq = Math.max(entry.seq, seq);
  if (entry.timer) return;
  entry.timer = setTimeout(async () => {
    entry.timer = null;
    const upTo = entry.seq;
    entry.posted = Math.max(entry.posted, upTo);
    try {
      const response = await postJSON(`/api/v1/conversations/${encodeURIComponent(key)}/delivered`, { seq: upTo });
      if (!response.ok && response.status >= 500) entry.posted = 0; // a later message retries
    } catch {
      entry.posted = 0;
    }
  }, DELIVERED_DEBOUNCE_MS);
}

/** On a fresh connection (or a resync), messages that came while this person had no tab
 *  open are acknowledged too: every conversation with unread messages is delivered up to its
 *  last message. */
async function ackMissed(event) {
  if (event.type !== 'open' && event.type !== 'resync') return;
  try {
    const response = await fetch('/api/v1/conversations', { credentials: 'same-origin' });
    if (!response.ok) return;
    const { conversations } = await response.json();
    for (const c of conversations || []) {
      const last = c.last_message;
      if (!c.unread || !last || !last.sender) continue;
      ackDelivery({ type: 'message.created', conversation_id: c.id, seq: c.last_seq, message: { sender: last.sender } });
    }
  } catch {
    /* the next message acknowledges again */
  }
}

export function initDeliveryReceipts(live) {
  live.subscribe(ackDelivery);
  live.subscribe(ackMissed);
}
