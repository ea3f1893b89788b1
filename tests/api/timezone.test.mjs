// Times on pages without JavaScript, in the reader's time zone (notify_prefs.time_zone, set on
// /me or the Notifications page): today's as "3:00 PM", this year's as "Mar 8", older ones as
// "2025-03-05", the full ISO time kept in <time datetime>; across a daylight-saving change.
// The JSON API keeps ISO times in UTC.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, createGroup, send, sql, assertError, messages, metaContent } from './lib.mjs';

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n) => String(n).padStart(2, '0');

/** The second Sunday of March of year y: when New York moves its clocks forward (at 07:00Z). */
function usDstDay(y) {
  const first = new Date(Date.UTC(y, 2, 1)).getUTCDay();
  return 1 + ((7 - first) % 7) + 7;
}

/** The <time> element of message seq in a conversation page: {datetime, title, text}. */
function messageTime(html, seq) {
  const li = html.indexOf(`id="m${seq}"`);
  assert.ok(li >= 0, `message ${seq} is on the page`);
  const m = /<time datetime="([^"]+)" title="([^"]*)" data-format="time">([^<]*)<\/time>/.exec(html.slice(li));
  assert.ok(m, `message ${seq} has a <time>`);
  return { datetime: m[1], title: m[2], text: m[3] };
}

/** The day separators of a conversation page, in order. */
function days(html) {
  return [...html.matchAll(/<li class="day-sep"><span>([^<]*)<\/span><\/li>/g)].map((m) => m[1]);
}

/** Today's clock text ("3:05 PM") of an ISO time in zone, as the server writes it. */
function clock(iso, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit', hour12: true })
      .formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute} ${parts.dayPeriod.toUpperCase()}`;
}

/** The calendar date (YYYY-MM-DD) of an instant in zone. */
function dateIn(d, zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

describe('times in the reader\'s time zone, without JavaScript', () => {
  it('renders message times, day separators and titles in New York and in Tokyo, across the DST change', async () => {
    assert.ok(process.env.PARLEY_DB, 'this test sets message times in PostgreSQL (PARLEY_DB)');
    const a = await register();
    const conv = await createGroup(a, [], { title: 'Zones' });
    const now = new Date();
    const y = now.getUTCFullYear();
    const d = usDstDay(y);
    // Four messages: last year, just before and just after New York's change, and now.
    const times = [`${y - 1}-03-05T15:00:00Z`, `${y}-03-${pad(d)}T06:30:00Z`, `${y}-03-${pad(d)}T07:30:00Z`];
    const sent = [];
    for (const t of times) sent.push(await send(a, conv.id, `at ${t}`));
    const fresh = await send(a, conv.id, 'now');
    for (let i = 0; i < times.length; i++)
      sql(`UPDATE messages SET created_at = '${times[i]}' WHERE conversation_id = ${conv.id} AND seq = ${sent[i].seq}`);

    const page = async () => {
      const r = await api('GET', `/conversations/${conv.id}`, { cookie: { parley_session: a.token } });
      assert.equal(r.status, 200, `the page: ${r.status}`);
      return r.text;
    };
    const setZone = async (zone) => {
      const r = await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { time_zone: zone } });
      assert.equal(r.status, 200, `time zone ${zone}: ${r.status} ${r.text}`);
      assert.equal(r.json.user.time_zone, zone);
    };

    // UTC (nothing set yet): the old ISO-cut times are gone, dates follow the rules.
    let html = await page();
    assert.equal(messageTime(html, sent[0].seq).text, `${y - 1}-03-05`);
    assert.equal(messageTime(html, sent[1].seq).text, `Mar ${d}`);
    assert.equal(messageTime(html, sent[1].seq).title, `Mar ${d}, ${y}, 6:30 AM`);

    await setZone('America/New_York');
    html = await page();
    let t = sent.map((m) => messageTime(html, m.seq));
    assert.equal(t[0].text, `${y - 1}-03-05`, 'older than this year: the date');
    assert.equal(t[0].datetime, times[0], 'the ISO time (UTC) stays in datetime');
    assert.equal(t[1].text, `Mar ${d}`, 'this year: month and day');
    assert.equal(t[1].title, `Mar ${d}, ${y}, 1:30 AM`, 'before the change: EST (UTC−5)');
    assert.equal(t[2].title, `Mar ${d}, ${y}, 3:30 AM`, 'an hour later, after the change: EDT (UTC−4)');
    assert.equal(t[2].datetime, times[2]);
    const f = messageTime(html, fresh.seq);
    assert.equal(f.text, clock(fresh.created_at, 'America/New_York'), 'today: the clock time');
    assert.match(f.text, /^\d{1,2}:\d\d [AP]M$/);
    // The group's creation notice (seq 1, today) comes first, then the messages' days.
    const nyToday = dateIn(new Date(fresh.created_at), 'America/New_York');
    assert.deepEqual(days(html), [nyToday, `${y - 1}-03-05`, `${y}-03-${pad(d)}`, nyToday]);

    await setZone('Asia/Tokyo');
    html = await page();
    t = sent.map((m) => messageTime(html, m.seq));
    assert.equal(t[0].text, `${y - 1}-03-06`, '15:00Z is past midnight in Tokyo: the next day');
    assert.equal(t[1].title, `Mar ${d}, ${y}, 3:30 PM`, 'Tokyo has no DST: UTC+9');
    assert.equal(t[2].title, `Mar ${d}, ${y}, 4:30 PM`);
    assert.equal(messageTime(html, fresh.seq).text, clock(fresh.created_at, 'Asia/Tokyo'));
    const tokyoToday = dateIn(new Date(fresh.created_at), 'Asia/Tokyo');
    assert.deepEqual(days(html), [tokyoToday, `${y - 1}-03-06`, `${y}-03-${pad(d)}`, tokyoToday]);

    // The JSON API: ISO times in UTC, whatever the zone.
    const list = (await messages(a, conv.id)).messages;
    const byseq = Object.fromEntries(list.map((m) => [m.seq, m]));
    for (let i = 0; i < times.length; i++) assert.equal(byseq[sent[i].seq].created_at, times[i]);
    assert.match(byseq[fresh.seq].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('is one setting: the Notifications page and /me/time-zone read and write the same zone', async () => {
    const a = await register();
    let r = await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { time_zone: 'Europe/Berlin' } });
    assert.equal(r.status, 200, r.text);
    r = await api('GET', '/api/v1/me/notifications', { token: a.token });
    assert.equal(r.json.time_zone, 'Europe/Berlin');
    // Setting only the zone keeps the do-not-disturb hours and keywords.
    r = await api('PUT', '/api/v1/me/notifications', {
      token: a.token, json: { time_zone: 'Europe/Berlin', dnd_start: '22:00', dnd_end: '07:00', keywords: 'deploy' },
    });
    assert.equal(r.status, 200, r.text);
    r = await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { time_zone: 'America/Sao_Paulo' } });
    assert.equal(r.status, 200, r.text);
    r = await api('GET', '/api/v1/me/notifications', { token: a.token });
    assert.equal(r.json.time_zone, 'America/Sao_Paulo');
    assert.deepEqual(r.json.dnd, { start: '22:00', end: '07:00' });
    assert.deepEqual(r.json.keywords, ['deploy']);
    r = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(r.json.user.time_zone, 'America/Sao_Paulo');
    // The zone set on the Notifications page is the one pages use at once.
    r = await api('PUT', '/api/v1/me/notifications', { token: a.token, json: { time_zone: 'Asia/Kolkata' } });
    assert.equal(r.status, 200, r.text);
    const page = await api('GET', '/me', { cookie: { parley_session: a.token } });
    assert.match(page.text, /<input id="time_zone" name="time_zone" [^>]*value="Asia\/Kolkata"/);
    const created = /Member since <time datetime="([^"]+)">([^<]*)<\/time>/.exec(page.text);
    assert.ok(created, 'the profile shows when the account was made');
    const when = new Date(created[1]);
    const local = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Kolkata', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit', hour12: true }).format(when);
    assert.equal(created[2], local.replace(' at ', ', ').replace('\u202f', ' '), 'in Kolkata (UTC+5:30)');
  });

  it('refuses an unknown zone with 400 and a clear message, in the API and in the form', async () => {
    const a = await register();
    for (const bad of ['Mars/Olympus_Mons', '../../etc/passwd', 'Europe/Berlin ', 'x'.repeat(65)]) {
      let r = await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { time_zone: bad } });
      assertError(r, 400, 'invalid_field', 'time_zone');
      r = await api('PUT', '/api/v1/me/notifications', { token: a.token, json: { time_zone: bad } });
      assertError(r, 400, 'invalid_field', 'time_zone');
    }
    const me = await api('GET', '/me', { cookie: { parley_session: a.token } });
    const csrf = metaContent(me.text, 'csrf-token');
    const r = await api('POST', '/me/time-zone', {
      cookie: { parley_session: a.token }, form: { time_zone: 'Mars/Olympus_Mons', csrf_token: csrf },
    });
    assert.equal(r.status, 400);
    assert.match(r.text, /Name a time zone like Europe\/Berlin or America\/New_York\./);
    assert.match(r.text, /<input id="time_zone" name="time_zone" [^>]*value="Mars\/Olympus_Mons"[^>]*aria-invalid="true"/);
    // The form's success: back on /me with a notice, the zone saved.
    const ok = await api('POST', '/me/time-zone', {
      cookie: { parley_session: a.token }, form: { time_zone: 'Asia/Tokyo', csrf_token: csrf },
    });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/me?done=time_zone#time-zone-title');
    const after = await api('GET', '/api/v1/me', { token: a.token });
    assert.equal(after.json.user.time_zone, 'Asia/Tokyo');
  });

  it('a 24-hour clock: "15:05" on every page, set on /me or by the API; the zone stays', async () => {
    assert.ok(process.env.PARLEY_DB, 'this test sets a message time in PostgreSQL (PARLEY_DB)');
    const a = await register();
    const conv = await createGroup(a, [], { title: 'Clocks' });
    const y = new Date().getUTCFullYear();
    const m = await send(a, conv.id, 'in the evening');
    sql(`UPDATE messages SET created_at = '${y}-01-15T20:05:00Z' WHERE conversation_id = ${conv.id} AND seq = ${m.seq}`);
    const page = async () => (await api('GET', `/conversations/${conv.id}`, { cookie: { parley_session: a.token } })).text;
    let r = await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { time_zone: 'Europe/Berlin' } });
    assert.equal(r.json.user.clock, '12h', 'a 12-hour clock unless chosen');
    assert.equal(messageTime(await page(), m.seq).title, `Jan 15, ${y}, 9:05 PM`);
    // Only the clock: the zone is kept.
    r = await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { clock: '24h' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.clock, '24h');
    assert.equal(r.json.user.time_zone, 'Europe/Berlin');
    assert.equal(messageTime(await page(), m.seq).title, `Jan 15, ${y}, 21:05`);
    const fresh = await send(a, conv.id, 'now');
    assert.match(messageTime(await page(), fresh.seq).text, /^\d\d:\d\d$/, "today's time on the 24-hour clock");
    // Only the zone: the clock is kept.
    r = await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { time_zone: 'Asia/Tokyo' } });
    assert.equal(r.json.user.clock, '24h');
    assert.equal(messageTime(await page(), m.seq).title, `Jan 16, ${y}, 05:05`);
    assertError(await api('PUT', '/api/v1/me/time-zone', { token: a.token, json: { clock: '25h' } }), 400, 'invalid_field', 'clock');
    // The form on /me, without JavaScript: both in one save, the choice shown checked.
    const me = await api('GET', '/me', { cookie: { parley_session: a.token } });
    assert.match(me.text, /<input type="radio" name="clock" value="24h" checked>/);
    const csrf = metaContent(me.text, 'csrf-token');
    const ok = await api('POST', '/me/time-zone', {
      cookie: { parley_session: a.token }, form: { time_zone: 'Europe/Berlin', clock: '12h', csrf_token: csrf },
    });
    assert.equal(ok.status, 303);
    const after = (await api('GET', '/api/v1/me', { token: a.token })).json.user;
    assert.deepEqual([after.time_zone, after.clock], ['Europe/Berlin', '12h']);
    assert.equal(messageTime(await page(), m.seq).title, `Jan 15, ${y}, 9:05 PM`);
  });
});
