// tsan-load.mjs — drives parley.fcgi's worker threads concurrently through every kind of
// request (sessions, tokens, templates, rate limits, errors) so that ThreadSanitizer sees
// any state the threads share. Exits non-zero if a request gets an unexpected status.
const BASE = process.env.PARLEY_URL;
const CLIENTS = 8, ROUNDS = 15;

async function call(method, path, { token, json, ip } = {}) {
  const headers = { 'X-Forwarded-For': ip || '10.66.0.1' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json) headers['Content-Type'] = 'application/json';
  const r = await fetch(BASE + path, { method, headers, body: json ? JSON.stringify(json) : undefined, redirect: 'manual' });
  await r.arrayBuffer();
  return r.status;
}

function expect(what, got, ...want) {
  if (!want.includes(got)) throw new Error(`${what}: got ${got}, want ${want.join(' or ')}`);
}

// Holds an SSE stream until `until` resolves. Returns {opened, done}: opened resolves once
// the stream's first bytes arrived (the hub holds it: events from then on reach it), done
// with how many events arrived.
const counts = [];
function sse(token, until, slot) {
  let opened;
  const openedP = new Promise((res) => { opened = res; });
  const done = (async () => {
    const ctl = new AbortController();
    const r = await fetch(`${BASE}/api/v1/events`, {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` }, signal: ctl.signal,
    });
    expect('events stream', r.status, 200);
    let events = 0;
    const reader = r.body.getReader();
    const pump = (async () => {
      const dec = new TextDecoder();
      try {
        for (;;) {
          const { value, done: end } = await reader.read();
          if (end) break;
          opened();
          events += (dec.decode(value).match(/^data: /gm) || []).length;
          counts[slot] = events;
        }
      } catch { /* aborted */ }
      opened();
    })();
    await until;
    ctl.abort();
    await pump;
    return events;
  })();
  done.catch(() => opened());
  return { opened: openedP, done };
}

async function client(i) {
  const ip = `10.66.${i}.1`;
  const username = `tsan${i}${Math.random().toString(16).slice(2, 8)}`;
  const reg = await fetch(`${BASE}/api/v1/register`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
    body: JSON.stringify({ username, password: 'tsan password', display_name: `T${i}` }),
  });
  expect('register', reg.status, 201);
  const { token } = await reg.json();
  const tok = await fetch(`${BASE}/api/v1/me/tokens`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'load' }),
  });
  expect('token', tok.status, 201);
  const { secret } = await tok.json();
  const g = await fetch(`${BASE}/api/v1/conversations`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ kind: 'group', title: `load ${i}` }),
  });
  expect('group', g.status, 201);
  const conv = (await g.json()).conversation.id;
  let finish;
  counts[i] = 0;
  const stream = sse(token, new Promise((res) => { finish = res; }), i);
  await stream.opened;
  await new Promise((res) => setTimeout(res, 100));          // parked by now
  // A long-poll that asks `after` the event its last answer named (the hub's arrival order).
  let after = null;
  const poll = async () => {
    const q = after == null ? 'timeout=1' : `timeout=1&after=${after}`;
    const r = await fetch(`${BASE}/api/v1/events?${q}`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': ip } });
    const body = await r.json().catch(() => ({}));
    if (r.status === 200 && body.after) after = body.after;
    return r.status;
  };
  for (let r = 0; r < ROUNDS; r++) {
    const results = await Promise.all([
      call('GET', '/api/v1/me', { token, ip }),
      call('GET', '/api/v1/me', { token: secret, ip }),
      call('GET', '/', { ip }),
      call('GET', `/users/${username}`, { ip }),
      call('GET', '/api/v1/me/sessions', { token, ip }),
      call('PATCH', '/api/v1/me', { token, ip, json: { status_text: `round ${r}` } }),
      call('POST', '/api/v1/login', { ip, json: { username, password: 'wrong password' } }),
      call('GET', '/no/such/page', { ip }),
      call('POST', `/api/v1/conversations/${conv}/messages`, { token, ip, json: { body: `m${r}` } }),
      poll(),
      // Sends at once, so that some find every sending place taken and commit in a group.
      ...['b', 'c', 'd'].map((k) => call('POST', `/api/v1/conversations/${conv}/messages`, { token, ip, json: { body: `m${r}${k}` } })),
    ]);
    expect('me', results[0], 200); expect('me by token', results[1], 200);
    expect('home', results[2], 200); expect('profile page', results[3], 200);
    expect('sessions', results[4], 200); expect('patch', results[5], 200);
    expect('wrong login', results[6], 401, 429); expect('404', results[7], 404);
    expect('send', results[8], 201); expect('long-poll', results[9], 200);
    for (const k of [10, 11, 12]) expect('send at once', results[k], 201);
  }
  // The last events may still be on their way: wait for them (at most 10 s).
  for (let waited = 0; counts[i] < ROUNDS && waited < 10000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  finish();
  const got = await stream.done;
  if (got < ROUNDS) throw new Error(`client ${i}: the stream carried ${got} events, want at least ${ROUNDS}`);
  await endedWithRevoke(token, ip, i);
}

// A stream opened with a fresh personal token ends when the token is revoked (the hub's
// path for ended credentials, while its re-check thread runs every second).
async function endedWithRevoke(token, ip, i) {
  const tok = await fetch(`${BASE}/api/v1/me/tokens`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'short-lived' }),
  });
  expect('second token', tok.status, 201);
  const made = await tok.json();
  const ctl = new AbortController();
  const guard = setTimeout(() => ctl.abort(), 10000);
  const r = await fetch(`${BASE}/api/v1/events`, {
    headers: { Accept: 'text/event-stream', Authorization: `Bearer ${made.secret}` }, signal: ctl.signal,
  });
  expect('second stream', r.status, 200);
  await new Promise((res) => setTimeout(res, 100));
  expect('revoke', await call('DELETE', `/api/v1/me/tokens/${made.token.id}`, { token, ip }), 204);
  const text = await r.text().catch((e) => { throw new Error(`client ${i}: the stream did not end with its token (${e.name})`); });
  clearTimeout(guard);
  if (!text.includes('session.ended')) throw new Error(`client ${i}: the stream ended without session.ended`);
}

await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
console.log(`tsan-load: ${CLIENTS} clients × ${ROUNDS} rounds × 13 requests, with event streams, done`);
