// live.js — the tab's one connection to the events hub (/api/v1/events).
//
// Server-Sent Events by default; long-polling when SSE does not open within a few seconds
// (a buffering proxy, an old browser) or when localStorage says `parley.transport = "poll"`.
// Subscribers get every event as parsed JSON, plus two events of this module's own:
//   {type: "open"}    connected without a last event id (so without a replay): fetch what
//                     may have been missed since the page was rendered
//   {type: "resync"}  from the hub: the replay was lost, refetch everything shown
// Events are a doorbell: subscribers fetch the truth from the server.
//
// After an error the connection is re-opened with exponential backoff and jitter, carrying
// the last event id (?last_event_id= for SSE; for polling ?after=, the event the hub's last
// answer named, or ?cursor= before it named one) so the hub can replay.
// A quiet "Reconnecting…" (#live-status) shows once the connection has been down a while.
// <html data-live="up|down" data-live-transport="sse|poll"> tells tests (and CSS) the state.
// Delivery receipts (POST …/delivered) are a subscriber like the others: delivery.js.

const OPEN_TIMEOUT_MS = 5000; // SSE must open within this, or the tab falls back to polling
const DOWN_NOTICE_MS = 3000; // show "Reconnecting…" after this long without a connection
const POLL_TIMEOUT_S = 25;
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30_000;

const listeners = new Set();
let started = false;
let transport = null; // "sse" | "poll"
let lastId = null; // the last event id seen (a decimal string), shared by SSE and polling
let pollAfter = null; // the hub's `after` of the last poll: what reached it after that event is new
let source = null; // the EventSource
let sseEverOpened = false;
let attempt = 0; // failures in a row, for the backoff
let shortLived = 0; // event streams in a row that ended soon after opening, delivering nothing
let retryTimer = null;
let wake = null; // resolves the poll loop's backoff sleep early
let connected = false;
let downTimer = null;
let stopped = false;

/** Calls `fn(event)` for every event; returns a function that unsubscribes. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The transport in use ("sse" or "poll"), for tests and curious people. */
export function currentTransport() {
  return transport;
}

function dispatch(event) {
  for (const fn of [...listeners]) {
    try {
      fn(event);
    } catch (err) {
      console.error('parley live: a subscriber failed', err);
    }
  }
}

// Deliveries this tab is sure to get (its own message's message.created): an event stream
// that opened but does not deliver them (a proxy buffering the body) is given up for polling.
const expected = new Set();

/** Expects an event matching `match` within `ms`; without it, SSE is given up for polling. */
export function expectDelivery(match, ms = 8000) {
  if (transport !== 'sse') return;
  const item = { match, timer: null };
  item.timer = setTimeout(() => {
    expected.delete(item);
    if (transport !== 'sse' || !connected) return; // down anyway: the reconnect catches up
    console.info('parley live: the event stream delivered nothing in %d ms, long-polling instead', ms);
    if (source) source.close();
    source = null;
    clearTimeout(retryTimer);
    startPolling();
  }, ms);
  expected.add(item);
}

// Ids handed out lately, to drop repeats (a replay after a reconnect, a long-poll answered
// from an older cursor). Ids are created in one order and committed, so published, in
// another: an event may come after one with a higher id, and is not a repeat for that.
const RECENT_IDS = 1024;
const recentIds = new Set();

/** True when the event id `key` came before; remembers it otherwise (the oldest forgotten). */
function repeated(key) {
  if (recentIds.has(key)) return true;
  recentIds.add(key);
  if (recentIds.size > RECENT_IDS) recentIds.delete(recentIds.values().next().value);
  return false;
}

/** One event from the hub: drop repeats, remember the highest id, pass it on. */
function receive(event) {
  if (!event || typeof event.type !== 'string') return;
  for (const item of [...expected]) {
    if (item.match(event)) {
      clearTimeout(item.timer);
      expected.delete(item);
    }
  }
  if (event.id != null) {
    const key = String(event.id);
    if (event.type !== 'resync' && repeated(key)) return;
    if (lastId == null || Number(key) > Number(lastId)) lastId = key;
  }
  dispatch(event);
}

function pollForced() {
  try {
    return localStorage.getItem('parley.transport') === 'poll';
  } catch {
    return false;
  }
}

function backoff() {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
  attempt += 1;
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2)); // "equal jitter"
}

// ---- the status line ------------------------------------------------------------------------

function statusElement() {
  let el = document.getElementById('live-status');
  if (!el) {
    el = document.createElement('p');
    el.id = 'live-status';
    el.className = 'live-status';
    el.setAttribute('role', 'status');
    el.hidden = true;
    el.textContent = 'Reconnecting…';
    document.body.append(el);
  }
  return el;
}

/** Connected. `fresh`: without a last event id, so nothing was replayed: subscribers fetch
 *  what they may have missed (with an id the hub replays, or sends a resync). */
function markUp(fresh) {
  const wasDown = !connected;
  connected = true;
  clearTimeout(downTimer);
  downTimer = null;
  statusElement().hidden = true;
  document.documentElement.dataset.live = 'up';
  if (wasDown && fresh) dispatch({ type: 'open', transport });
}

function markDown() {
  connected = false;
  document.documentElement.dataset.live = 'down';
  if (downTimer) return;
  downTimer = setTimeout(() => {
    statusElement().hidden = false;
  }, DOWN_NOTICE_MS);
}

// ---- the session ended ------------------------------------------------------------------------

// A form submitted for real (not handled in place) leaves the page: when it is the logout
// that ended the session, its answer is where the person goes, not the login form.
let leaving = false;
window.addEventListener('submit', (e) => {
  if (!e.defaultPrevented) leaving = true;
});

// Logged out here or elsewhere, the password changed, the session revoked: the hub ended the
// stream. Stop, and go to the login form, which brings the person back here afterwards.
function sessionEnded() {
  stopped = true;
  clearTimeout(retryTimer);
  if (source) source.close();
  source = null;
  transport = null;
  if (!leaving) location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

// ---- Server-Sent Events -----------------------------------------------------------------------

function openSSE() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) source.close();
  const fresh = lastId == null;
  const url = fresh ? '/api/v1/events' : `/api/v1/events?last_event_id=${encodeURIComponent(lastId)}`;
  const es = new EventSource(url);
  source = es;
  let opened = false;
  let openedAt = 0;
  let delivered = false;
  let refused = false; // failed before opening (a server without a stream answers 501)
  const watchdog = setTimeout(() => {
    // Never opened in this tab: SSE does not get through here. Poll instead.
    if (!opened && (source === es || (refused && source === null)) && !sseEverOpened) {
      console.info('parley live: no event stream after %d ms, long-polling instead', OPEN_TIMEOUT_MS);
      es.close();
      source = null;
      startPolling();
    }
  }, OPEN_TIMEOUT_MS);
  es.onopen = () => {
    if (source !== es) return;
    opened = true;
    openedAt = Date.now();
    sseEverOpened = true;
    clearTimeout(watchdog);
    markUp(fresh);
  };
  es.onmessage = (msg) => {
    if (source !== es) return;
    let event;
    try {
      event = JSON.parse(msg.data);
    } catch {
      return;
    }
    if (event.id == null && msg.lastEventId) event.id = msg.lastEventId;
    delivered = true;
    attempt = 0;
    shortLived = 0;
    receive(event);
  };
  es.addEventListener('session.ended', () => {
    if (source === es) sessionEnded();
  });
  // The server cut this stream because this tab fell behind reading it (a slow link, a
  // suspended laptop): come straight back from the last event we have, which it replays.
  es.addEventListener('stream.resume', () => {
    if (source !== es) return;
    es.close();
    source = null;
    scheduleSSE(0);
  });
  es.onerror = () => {
    if (source !== es) return;
    // The browser would retry on its own at the server's fixed `retry:`; we close and
    // retry with backoff instead, keeping the last id in the URL for the replay.
    es.close();
    source = null;
    markDown();
    if (!opened && !sseEverOpened) {
      refused = true;
      return; // the watchdog decides between SSE and polling
    }
    clearTimeout(watchdog);
    if (opened && Date.now() - openedAt >= 10_000) attempt = 0; // it worked for a while
    // Streams that end right after opening, with nothing in them (a proxy that cuts them
    // off), three times in a row: polling gets through such proxies.
    shortLived = opened && !delivered && Date.now() - openedAt < 5000 ? shortLived + 1 : 0;
    if (shortLived >= 3) {
      console.info('parley live: the event stream keeps ending at once, long-polling instead');
      startPolling();
      return;
    }
    scheduleSSE();
  };
}

function scheduleSSE(delay = backoff()) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(openSSE, delay);
}

// ---- long-polling -----------------------------------------------------------------------------

function sleep(ms) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(t);
      resolve();
    };
  });
}

function startPolling() {
  if (transport === 'poll') return;
  transport = 'poll';
  document.documentElement.dataset.liveTransport = 'poll';
  pollAfter = null; // from the last id seen, until the hub names its own place
  pollLoop();
}

async function pollLoop() {
  while (transport === 'poll' && !stopped) {
    // Without a cursor, ask briefly for one first: subscribers catch up once the hub knows
    // where this tab stands, so nothing falls between the page and the first event.
    const fresh = lastId == null;
    // `after` rather than the cursor once the hub named it: an event committed late, with an
    // id below the last one seen, is still new, and `after` gets it (docs/API.md).
    const from = pollAfter != null ? `after=${encodeURIComponent(pollAfter)}` : `cursor=${encodeURIComponent(lastId)}`;
    const query = !fresh ? `${from}&timeout=${POLL_TIMEOUT_S}` : 'timeout=1';
    const ctrl = new AbortController();
    const guard = setTimeout(() => ctrl.abort(), (POLL_TIMEOUT_S + 10) * 1000);
    try {
      const response = await fetch(`/api/v1/events?${query}`, {
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { Accept: 'application/json' },
        signal: ctrl.signal,
      });
      if (response.status === 401) {
        sessionEnded();
        return;
      }
      if (response.status === 403) {
        // An administrator requires something of this account first (a new password, a
        // second factor): nothing is live until then, and the page says what to do.
        stopped = true;
        transport = null;
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const data = await response.json();
      attempt = 0;
      for (const event of data.events || []) receive(event);
      if (data.cursor != null && data.cursor !== '') {
        if (lastId == null || Number(data.cursor) > Number(lastId)) lastId = String(data.cursor);
      }
      if (data.after != null && data.after !== '') pollAfter = String(data.after);
      markUp(fresh);
    } catch (err) {
      markDown();
      await sleep(backoff());
    } finally {
      clearTimeout(guard);
    }
  }
}

// ---- start and wake-ups -----------------------------------------------------------------------

/** Connects now if waiting to retry (the network came back, the page was restored). */
function reconnectNow() {
  attempt = 0;
  shortLived = 0;
  if (transport === 'sse' && !source) openSSE();
  else if (transport === 'poll' && wake) wake();
}

/** Opens the connection (once per tab). */
export function start() {
  if (started) return;
  started = true;
  if (pollForced() || typeof EventSource === 'undefined') {
    startPolling();
  } else {
    transport = 'sse';
    document.documentElement.dataset.liveTransport = 'sse';
    openSSE();
  }
  window.addEventListener('online', reconnectNow);
  window.addEventListener('offline', () => {
    markDown();
    if (transport === 'sse' && source) {
      source.close();
      source = null;
      scheduleSSE();
    }
  });
  window.addEventListener('pageshow', (ev) => {
    if (!ev.persisted) return; // back from the back/forward cache: the stream is gone
    if (source && source.readyState === EventSource.CLOSED) source = null;
    connected = false;
    reconnectNow();
  });
}
