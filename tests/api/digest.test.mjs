// Missed-message e-mail digests: after a person's delay (PARLEY_DIGEST_MINUTE=1 in the test
// stack: each "minute" lasts 1 s), ONE mail per conversation with the messages still unread
// that notify them; nothing for what they read, nothing while muted, held through
// do-not-disturb hours; a one-click unsubscribe link (RFC 8058) with a signed token. Mails
// come from the stack's test SMTP server (STACK_SMTP=1).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { api, register, openDirect, createGroup, send, hex, assertError, browserOf, BASE } from './lib.mjs';
import { MAIL_DIR, mailsTo, waitMail, noMail } from '../support/maildir.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A user with a verified address (the verification mail's link opened). */
async function verified() {
  const u = await register();
  u.email = `d-${hex(5)}@example.test`;
  const r = await api('PATCH', '/api/v1/me', { token: u.token, json: { email: u.email } });
  assert.equal(r.status, 200, r.text);
  const mail = await waitMail(u.email);
  const m = /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text);
  assert.ok(m, `a verification link: ${mail.text}`);
  const v = await api('GET', `/api/v1/verify-email?token=${m[1]}`);
  assert.equal(v.status, 200, v.text);
  return u;
}

/** Sets u's notification settings (the rest as the defaults). */
async function prefs(u, json) {
  const r = await api('PUT', '/api/v1/me/notifications', { token: u.token, json: { time_zone: 'UTC', ...json } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** The unsubscribe link of a digest: from the List-Unsubscribe header, the same in both parts. */
function unsubscribeLink(mail) {
  const h = mail.headers['list-unsubscribe']?.[0];
  const m = /^<(https?:\/\/[^>]+\/unsubscribe\/digests\?user=(\d+)&token=([0-9a-f]{64}))>$/.exec(h || '');
  assert.ok(m, `a List-Unsubscribe URL: ${h}`);
  assert.ok(m[1].startsWith(BASE), 'built from PARLEY_URL');
  assert.ok(mail.text.includes(m[1]), 'the text part has the link');
  assert.ok(mail.html.includes(m[1].replace(/&/g, '&amp;')), 'the HTML part has the link');
  return { url: m[1], path: m[1].slice(BASE.length), user: Number(m[2]), token: m[3] };
}

/** "HH:MM" of a Date in UTC. */
const hhmm = (d) => d.toISOString().slice(11, 16);

describe('e-mail digests', () => {
  before(() => {
    assert.ok(MAIL_DIR && fs.existsSync(path.join(MAIL_DIR, 'new')), 'the stack runs with STACK_SMTP=1');
  });

  it('settings: on with a 10-minute delay by default, changeable, checked', async () => {
    const u = await register();
    let r = await api('GET', '/api/v1/me/notifications', { token: u.token });
    assert.equal(r.status, 200);
    assert.equal(r.json.email_digests, true);
    assert.equal(r.json.digest_minutes, 10);
    assert.equal((await prefs(u, { email_digests: false, digest_minutes: 45 })).digest_minutes, 45);
    // a PUT without them keeps them
    const kept = await prefs(u, { keywords: 'deploy' });
    assert.equal(kept.email_digests, false);
    assert.equal(kept.digest_minutes, 45);
    for (const bad of [0, 1441, 'soon']) {
      r = await api('PUT', '/api/v1/me/notifications', { token: u.token, json: { time_zone: 'UTC', digest_minutes: bad } });
      assertError(r, 400, undefined, 'digest_minutes');
    }
    // the page's form: the box (a ticked one sends 1 before its hidden 0) and the minutes
    const web = await browserOf(u);
    r = await api('POST', '/me/notifications', {
      cookie: { parley_session: web.session },
      form: `csrf_token=${encodeURIComponent(web.csrf)}&time_zone=UTC&email_digests=1&email_digests=0&digest_minutes=45`,
    });
    assert.equal(r.status, 303, r.text);
    assert.equal((await api('GET', '/api/v1/me/notifications', { token: u.token })).json.email_digests, true);
    r = await web.postForm('/me/notifications', { time_zone: 'UTC', email_digests: '0', digest_minutes: '45' });
    assert.equal(r.status, 303, r.text);
    assert.equal((await api('GET', '/api/v1/me/notifications', { token: u.token })).json.email_digests, false);
    r = await api('GET', '/push/subscriptions', { token: u.token });
    assert.equal(r.status, 200);
    assert.match(r.text, /name="email_digests" type="checkbox" value="1"/);
    assert.match(r.text, /name="digest_minutes" type="number" min="1" max="1440" value="45"/);
  });

  it('one digest per conversation after the delay, with the unread messages, escaped', async () => {
    const a = await register();
    const b = await verified();
    await prefs(b, { digest_minutes: 3 });
    const conv = await openDirect(a, b);
    const t0 = Date.now();
    await send(a, conv.id, 'first <b>bold</b> & more');
    await send(a, conv.id, 'second one');
    const mail = await waitMail(b.email, 30000);
    assert.ok(Date.now() - t0 >= 2500, 'not before the delay (3 "minutes" of 1 s)');
    assert.equal(mail.subject, `2 new messages from ${a.display_name}`);
    assert.match(mail.text, /first <b>bold<\/b> & more/);
    assert.match(mail.text, /second one/);
    // The time as the person's pages show it: a 12-hour clock unless they chose 24.
    const h12 = (ms) => {
      const at = new Date(ms);
      return `${at.getUTCHours() % 12 || 12}:${String(at.getUTCMinutes()).padStart(2, '0')} ${at.getUTCHours() < 12 ? 'AM' : 'PM'}`;
    };
    assert.match(mail.text, /\(\d{4}-\d\d-\d\d \d{1,2}:\d\d [AP]M\):/, `a 12-hour time: ${mail.text}`);
    assert.ok([h12(t0), h12(t0 + 5000)].some((t) => mail.text.includes(`${t})`)), `the time it was sent (${h12(t0)}, UTC): ${mail.text}`);
    assert.ok(mail.text.indexOf('first') < mail.text.indexOf('second one'), 'oldest first');
    assert.ok(mail.text.includes(`${BASE}/conversations/${conv.id}`), 'a link to the conversation');
    assert.match(mail.html, /first &lt;b&gt;bold&lt;\/b&gt; &amp; more/);
    assert.ok(!mail.html.includes('<b>bold</b>'), 'the HTML part escapes the message');
    assert.equal(mail.headers['list-unsubscribe-post']?.[0], 'List-Unsubscribe=One-Click');
    assert.equal(unsubscribeLink(mail).user, b.user.id);
    await noMail(b.email, 4000);                      // one mail for both, not two
  });

  it('a person with a 24-hour clock gets 24-hour times', async () => {
    const a = await register();
    const b = await verified();
    await prefs(b, { digest_minutes: 1 });
    const c = await api('PUT', '/api/v1/me/time-zone', { token: b.token, json: { clock: '24h' } });
    assert.equal(c.status, 200, c.text);
    const conv = await openDirect(a, b);
    await send(a, conv.id, 'on the 24-hour clock');
    const mail = await waitMail(b.email, 30000);
    assert.match(mail.text, /on the 24-hour clock/);
    assert.match(mail.text, /\(\d{4}-\d\d-\d\d \d\d:\d\d\):/, `a 24-hour time: ${mail.text}`);
    assert.ok(!/ [AP]M\)/.test(mail.text), `no AM or PM: ${mail.text}`);
  });

  it('nothing for a message read within the delay; the next unread one alone', async () => {
    const a = await register();
    const b = await verified();
    await prefs(b, { digest_minutes: 5 });
    const conv = await openDirect(a, b);
    const m = await send(a, conv.id, 'read at once');
    const r = await api('POST', `/api/v1/conversations/${conv.id}/read`, { token: b.token, json: { seq: m.seq } });
    assert.equal(r.status, 200, r.text);
    await noMail(b.email, 8000);
    await send(a, conv.id, 'left unread');
    const mail = await waitMail(b.email, 30000);
    assert.equal(mail.subject, `New message from ${a.display_name}`);
    assert.match(mail.text, /left unread/);
    assert.doesNotMatch(mail.text, /read at once/);
  });

  it('nothing while the conversation is muted, nor for "nothing"; mentions-only mails mentions', async () => {
    const a = await register();
    const b = await verified();
    await prefs(b, { digest_minutes: 2 });
    const g = await createGroup(a, [b], { title: `Digest group ${hex(3)}` });
    let r = await api('PUT', `/api/v1/conversations/${g.id}/notifications`, { token: b.token, json: { level: 'default', mute_minutes: 60 } });
    assert.equal(r.status, 200, r.text);
    await send(a, g.id, 'while muted');
    await noMail(b.email, 6000);
    r = await api('PUT', `/api/v1/conversations/${g.id}/notifications`, { token: b.token, json: { level: 'mentions' } });
    assert.equal(r.status, 200, r.text);
    await send(a, g.id, 'not for b');
    await send(a, g.id, `hello @${b.username}, look`);
    const mail = await waitMail(b.email, 30000);
    assert.equal(mail.subject, `New message in ${g.title}`);
    assert.match(mail.text, /look/);
    assert.doesNotMatch(mail.text, /not for b|while muted/);
  });

  it('held through do-not-disturb hours, sent when they end', async () => {
    const a = await register();
    const b = await verified();
    // Until the next full minute (at least 20 s away), from an hour ago.
    let end = new Date(Math.ceil((Date.now() + 1) / 60000) * 60000);
    if (end - Date.now() < 20000) end = new Date(end.getTime() + 60000);
    await prefs(b, { digest_minutes: 1, dnd_start: hhmm(new Date(Date.now() - 3600000)), dnd_end: hhmm(end) });
    const conv = await openDirect(a, b);
    await send(a, conv.id, 'during the quiet hours');
    const mail = await waitMail(b.email, end - Date.now() + 30000);
    assert.ok(Date.now() >= end.getTime(), `not before do-not-disturb ends (${end.toISOString()})`);
    assert.match(mail.text, /during the quiet hours/);
  });

  it('one-click unsubscribe turns digests off without a session; a forged link is refused', async () => {
    const a = await register();
    const b = await verified();
    await prefs(b, { digest_minutes: 1 });
    const conv = await openDirect(a, b);
    await send(a, conv.id, 'a digest with a link');
    const link = unsubscribeLink(await waitMail(b.email, 30000));
    // forged: another token, another account's id, no token
    const other = link.token.slice(0, 63) + (link.token[63] === '0' ? '1' : '0');
    let r = await api('POST', `/api/v1/unsubscribe/digests?user=${link.user}&token=${other}`, { form: 'List-Unsubscribe=One-Click' });
    assertError(r, 400, undefined, 'token');
    r = await api('POST', `/api/v1/unsubscribe/digests?user=${a.user.id}&token=${link.token}`, { form: 'List-Unsubscribe=One-Click' });
    assertError(r, 400, undefined, 'token');
    r = await api('POST', `/unsubscribe/digests?user=${link.user}`, { form: 'List-Unsubscribe=One-Click' });
    assert.equal(r.status, 400);
    assert.equal((await api('GET', '/api/v1/me/notifications', { token: b.token })).json.email_digests, true);
    // the GET shows what it does and a button, and changes nothing
    r = await api('GET', link.path);
    assert.equal(r.status, 200);
    assert.match(r.text, /Turn e-mail digests off/);
    assert.ok(r.text.includes(`action="${link.path.replace(/&/g, '&amp;')}"`), 'the form posts to the link');
    assert.equal((await api('GET', '/api/v1/me/notifications', { token: b.token })).json.email_digests, true);
    // the mail client's POST (RFC 8058): no cookie, no CSRF token
    r = await api('POST', link.path, { form: 'List-Unsubscribe=One-Click' });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /E-mail digests are off/);
    assert.equal((await api('GET', '/api/v1/me/notifications', { token: b.token })).json.email_digests, false);
    r = await api('POST', `/api/v1${link.path}`, { form: 'List-Unsubscribe=One-Click' });
    assert.equal(r.status, 200, 'twice is the same');
    assert.equal(r.json.email_digests, false);
    await send(a, conv.id, 'after unsubscribing');
    await noMail(b.email, 5000);
    assert.equal(mailsTo(b.email).length, 0);
  });
});
