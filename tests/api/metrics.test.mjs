// Observability: GET /metrics in Prometheus's text format for the addresses allowed
// (PARLEY_METRICS_ALLOW, loopback by default), a 404 for everyone else; an X-Request-Id on
// every answer (the trusted proxy's own when it sends a sane one) that names the request's
// line in the access log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { api, register, sleep, sharedUsers, createGroup, send, allMessages } from './lib.mjs';

/** The samples of a Prometheus text page: [{name, labels, value}]. */
function samples(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    assert.ok(m, `a well-formed sample line: ${line}`);
    const labels = {};
    for (const [, k, v] of (m[2] || '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** /metrics as the machine itself asks (the API helper otherwise sends a fake client address). */
const scrape = () => api('GET', '/metrics', { ip: '127.0.0.1' });

const value = (all, name, labels = {}) =>
  all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('GET /metrics', () => {
  it('counts requests per route and status class, with latency histograms', async () => {
    const before = samples((await scrape()).text);
    const u = await register();
    for (let i = 0; i < 3; i++) await api('GET', '/api/v1/me', { token: u.token });
    await api('GET', '/api/v1/me');
    const r = await scrape();
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const after = samples(r.text);
    const route = 'GET /me';
    const ok = (value(after, 'parley_http_requests_total', { route, status: '2xx' }) || 0) -
      (value(before, 'parley_http_requests_total', { route, status: '2xx' }) || 0);
    const refused = (value(after, 'parley_http_requests_total', { route, status: '4xx' }) || 0) -
      (value(before, 'parley_http_requests_total', { route, status: '4xx' }) || 0);
    assert.equal(ok, 3);
    assert.equal(refused, 1);
    // The histogram: cumulative buckets, +Inf = count, a positive sum.
    const buckets = after.filter((s) => s.name === 'parley_http_request_duration_seconds_bucket' && s.labels.route === route);
    assert.ok(buckets.length > 5);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value, 'cumulative');
    assert.equal(buckets.at(-1).labels.le, '+Inf');
    assert.equal(buckets.at(-1).value, value(after, 'parley_http_request_duration_seconds_count', { route }));
    assert.ok(value(after, 'parley_http_request_duration_seconds_sum', { route }) > 0);
    assert.ok(value(after, 'parley_postgresql_call_duration_seconds_count') > 0);
    assert.ok(value(after, 'parley_redis_call_duration_seconds_count') > 0);
    assert.equal(value(after, 'parley_build_info'), 1);
    assert.ok(after.some((s) => s.name === 'parley_jobs' && s.labels.kind && s.labels.state), 'the job queue');
  });

  it('counts the sends committed together, and every one of them is stored once', async () => {
    // Sends at once in four conversations: those that found every sending place taken
    // committed in groups (tests/stack/test_dbgroup.c forms one on purpose). Whether a group
    // forms here depends on timing; what a group holds, and what history shows, do not.
    const [a, b] = await sharedUsers(2);
    const convs = await Promise.all([0, 1, 2, 3].map(() => createGroup(a, [b])));
    const before = samples((await scrape()).text);
    const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 ? a : b, convs[i % 4].id, `at once ${i}`)));
    const after = samples((await scrape()).text);
    const groups = value(after, 'parley_postgresql_groups_total') - value(before, 'parley_postgresql_groups_total');
    const grouped = value(after, 'parley_postgresql_grouped_statements_total') -
      value(before, 'parley_postgresql_grouped_statements_total');
    assert.ok(Number.isInteger(groups) && groups >= 0, 'the counter of groups');
    assert.ok(grouped >= 2 * groups && grouped <= 40, `each group holds 2 or more of the sends: ${grouped} in ${groups}`);
    for (const [k, conv] of convs.entries()) {
      const history = await allMessages(a, conv.id);
      assert.deepEqual(history.map((m) => m.seq), Array.from({ length: history.length }, (_, i) => i + 1), 'no gap');
      const mine = sent.filter((_, i) => i % 4 === k);
      const texts = history.filter((m) => m.kind === 'text');
      assert.deepEqual(texts.map((m) => m.body).sort(), mine.map((m) => m.body).sort());
      assert.deepEqual(texts.map((m) => m.seq).sort((x, y) => x - y), mine.map((m) => m.seq).sort((x, y) => x - y));
    }
  });

  it("reports each events hub's open streams and deliveries", async () => {
    // Hubs write their figures every third of PARLEY_PRESENCE_TTL; wait for one with a stream.
    const u = await register();
    const ac = new AbortController();
    const stream = fetch(`${process.env.PARLEY_URL}/api/v1/events`, { headers: { Authorization: `Bearer ${u.token}`, Accept: 'text/event-stream' }, signal: ac.signal })
      .then((res) => res.body.getReader().read()).catch(() => {});
    try {
      let seen = 0;
      for (let i = 0; i < 60 && !seen; i++) {
        const all = samples((await scrape()).text);
        seen = all.filter((s) => s.name === 'parley_events_open_streams').reduce((n, s) => n + s.value, 0);
        if (!seen) await sleep(250);
      }
      assert.ok(seen >= 1, 'an open stream is counted by some hub');
      const all = samples((await scrape()).text);
      const hubs = all.filter((s) => s.name === 'parley_events_delivered_total');
      assert.ok(hubs.length >= 1 && hubs.every((s) => /^[0-9a-f]+$/.test(s.labels.hub)));
    } finally {
      ac.abort();
      await stream;
    }
  });

  it('answers 404 to addresses not allowed', async () => {
    const r = await api('GET', '/metrics', { ip: '10.20.30.40' });
    assert.equal(r.status, 404);
    assert.doesNotMatch(r.text, /parley_/);
  });
});

describe('request ids', () => {
  it('every answer carries one, the access log names it; a trusted proxy may give its own', async () => {
    const r = await api('GET', '/api/v1/me');
    const id = r.headers.get('x-request-id');
    assert.match(id, /^[0-9a-f]{16}$/);
    const other = (await api('GET', '/api/v1/me')).headers.get('x-request-id');
    assert.notEqual(other, id);
    const given = await api('GET', '/healthz', { headers: { 'X-Request-Id': 'lb-7f3a-0001' } });
    assert.equal(given.headers.get('x-request-id'), 'lb-7f3a-0001');
    const odd = await api('GET', '/healthz', { headers: { 'X-Request-Id': 'has spaces;and=stuff' } });
    assert.match(odd.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
    if (process.env.PARLEY_VAR) {
      let line;
      for (let i = 0; i < 20 && !line; i++) {
        line = readFileSync(`${process.env.PARLEY_VAR}/log/parley.log`, 'utf8').split('\n').find((l) => l.includes(`id=${id} `));
        if (!line) await sleep(100);
      }
      assert.ok(line, 'the access log has the line');
      assert.match(line, / req id=[0-9a-f]{16} GET \/me 401 [0-9.]+ms route=\/me ip=[0-9.]+ user=0$/);
    }
  });
});
