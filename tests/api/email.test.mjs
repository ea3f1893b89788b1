// E-mail: an address per account verified by a mailed link, and password reset by mail.
// The stack's test SMTP server (STACK_SMTP=1: tests/support/smtp-sink.py) writes every mail
// the worker sends as one file to $PARLEY_MAIL_DIR/new; these tests read them there.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { MAIL_DIR, decodeWords, mailsTo, noMail, waitMail } from '../support/maildir.mjs';
import {
  api, register, login, loginRaw, hex, uname, fakeIp, assertError, browserOf, inputValue, locationPath, sql, lit,
  BASE, PASSWORD, stack,
} from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/** A fresh address nobody else uses. */
const addr = (p = 'a') => `${p}-${hex(5)}@example.test`;

// ---- reading the sink's mails ---------------------------------------------------------------

/** The link of a mail's text part that starts with BASE + prefix. */
function linkIn(mail, prefix) {
  const m = new RegExp(`${BASE.replace(/[.:/]/g, '\\$&')}${prefix}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  assert.ok(m, `a ${prefix} link in the text part: ${mail.text}`);
  assert.ok(mail.html.includes(m[0]), 'the HTML part has the same link');
  return { url: m[0], path: m[0].slice(BASE.length), token: m[1] };
}

/** Sets u's address and returns the verification mail's link. */
async function setAddress(u, email) {
  const r = await api('PATCH', '/api/v1/me', { token: u.token, json: { email } });
  assert.equal(r.status, 200, r.text);
  return linkIn(await waitMail(email), '/verify-email');
}

/** A user with a verified address. */
async function verified(opts = {}) {
  const u = await register(opts);
  u.email = addr('v');
  const link = await setAddress(u, u.email);
  const r = await api('GET', `/api/v1${link.path}`);
  assert.equal(r.status, 200, r.text);
  return u;
}

describe('e-mail', () => {
  before(() => {
    assert.ok(MAIL_DIR, 'PARLEY_MAIL_DIR is set: start the stack with STACK_SMTP=1 (the test scripts do)');
    assert.ok(fs.existsSync(path.join(MAIL_DIR, 'new')), `${MAIL_DIR}/new exists`);
  });

  describe('an address, verified by a link', () => {
    it('PATCH /me stores it unverified, mails a link, and the link verifies it once', async () => {
      const u = await register({ display_name: 'Zoë <script>alert(1)</script>' });
      const email = addr('Zoe');
      const r = await api('PATCH', '/api/v1/me', { token: u.token, json: { email: `  ${email}  ` } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.user.email, email, 'trimmed, as typed');
      assert.equal(r.json.user.email_verified, false);
      assert.equal(r.json.mail_configured, true);
      const pub = await api('GET', `/api/v1/users/${u.username}`);
      assert.ok(!('email' in pub.json.user) && !pub.text.includes(email), 'never in the public profile');

      const mail = await waitMail(email);
      const link = linkIn(mail, '/verify-email');
      // only the token's SHA-256 is stored, bound to the address
      const row = sql(`SELECT token_hash, purpose, email, expires_at > now() + interval '23 hours' FROM email_tokens WHERE user_id = ${u.user.id}`);
      assert.equal(row, `${sha256(link.token)}|verify|${email}|t`);
      assert.ok(!sql(`SELECT t::text FROM email_tokens t`).includes(link.token), 'the token itself is stored nowhere');
      assert.ok(!sql(`SELECT payload::text FROM jobs WHERE kind = 'mail.send'`).includes(link.token), 'nor in the job');

      const page = await api('GET', link.path);
      assert.equal(page.status, 200, page.text);
      assert.match(page.headers.get('content-type'), /^text\/html/);
      assert.match(page.text, /E-mail address verified/);
      assert.ok(page.text.includes(email));
      const me = await api('GET', '/api/v1/me', { token: u.token });
      assert.equal(me.json.user.email_verified, true);
      assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'email.verify' AND subject_id = ${u.user.id}`)), 1);

      // used: refused, as a page and as JSON
      const again = await api('GET', link.path);
      assert.equal(again.status, 400);
      assert.match(again.text, /already used, has expired/);
      assertError(await api('GET', `/api/v1${link.path}`), 400, 'invalid_field', 'token');
    });

    it('the mail: headers, MIME parts, CRLF, the display name encoded and escaped', async () => {
      const name = 'Zoë <script>alert(1)</script> "Q"';
      const u = await register({ display_name: name });
      const email = addr('hdr');
      const t0 = Date.now();
      await api('PATCH', '/api/v1/me', { token: u.token, json: { email } });
      const m = await waitMail(email);
      const h = m.headers;
      for (const k of ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type'])
        assert.equal(h[k]?.length, 1, `exactly one ${k}: ${JSON.stringify(h[k])}`);
      assert.ok(!/(^|[^\r])\n/.test(m.raw), 'every line ends with CRLF');
      assert.ok(m.raw.split('\r\n').every((l) => l.length <= 998), 'no line over 998 characters');
      assert.ok(/^[\x00-\x7f]*$/.test(m.raw.slice(0, m.raw.indexOf('\r\n\r\n'))), 'the head is ASCII');
      const from = /<([^>]+)>\s*$/.exec(h.from[0]);
      assert.ok(from, `From: ${h.from[0]}`);
      assert.equal(from[1], (/<([^>]+)>/.exec(process.env.PARLEY_MAIL_FROM || '') || [null, 'parley@example.test'])[1]);
      assert.equal(h.to[0].match(/<([^>]+)>$/)[1], email);
      assert.equal(decodeWords(h.to[0].replace(/\s*<[^>]+>$/, '')), name, 'the display name, RFC 2047 encoded');
      assert.match(h.to[0], /=\?UTF-8\?B\?/);
      assert.equal(h.subject[0], 'Confirm your e-mail address for Parley');
      const date = Date.parse(h.date[0]);
      assert.match(h.date[0], /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000$/);
      assert.ok(Math.abs(date - t0) < 60000, `Date is now: ${h.date[0]}`);
      assert.match(h['message-id'][0], /^<[A-Za-z0-9_-]{20,}@example\.test>$/);
      assert.equal(h['mime-version'][0], '1.0');
      assert.match(h['content-type'][0], /^multipart\/alternative; boundary=/);
      assert.deepEqual(m.parts.map((p) => p.type), ['text/plain', 'text/html']);
      for (const p of m.parts) assert.match(p.headers['content-type'][0], /charset=utf-8/);
      // the text part says the name as it is; the HTML part escapes it
      assert.ok(m.text.includes(`Hello ${name},`), m.text);
      assert.ok(!m.html.includes('<script>'), 'no script tag in the HTML part');
      assert.ok(m.html.includes('Zoë &lt;script&gt;alert(1)&lt;/script&gt; &quot;Q&quot;'), m.html);
    });

    it('refuses what is not an address with 400, and a server without mail says so', async () => {
      const u = await register();
      for (const bad of ['nobody', 'a@b', 'a@@b.test', '.a@b.test', 'a..b@c.test', 'a@-b.test', 'zoë@example.test', `${'x'.repeat(65)}@b.test`]) {
        assertError(await api('PATCH', '/api/v1/me', { token: u.token, json: { email: bad } }), 400, 'invalid_field', 'email');
      }
      // CR/LF cannot reach a header: refused at the edge
      assertError(await api('PATCH', '/api/v1/me', { token: u.token, json: { email: 'a@b.test\r\nBcc: c@d.test' } }), 400, undefined, 'email');
      const me = await api('GET', '/api/v1/me', { token: u.token });
      assert.equal(me.json.user.email, null);
    });

    it('a wrong, used or expired link is refused with 400; changing the address verifies again', async () => {
      assertError(await api('GET', `/api/v1/verify-email?token=${'A'.repeat(43)}`), 400, 'invalid_field', 'token');
      assertError(await api('GET', '/api/v1/verify-email?token=short'), 400, 'invalid_field', 'token');
      assertError(await api('GET', '/api/v1/verify-email'), 400, 'missing_field', 'token');
      const wrongPage = await api('GET', `/verify-email?token=${'B'.repeat(43)}`);
      assert.equal(wrongPage.status, 400);
      assert.match(wrongPage.text, /This verification link does not work/);

      const u = await register();
      const email = addr('exp');
      const link = await setAddress(u, email);
      sql(`UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = ${u.user.id}`);
      assertError(await api('GET', `/api/v1${link.path}`), 400, 'invalid_field', 'token');
      assert.equal((await api('GET', '/api/v1/me', { token: u.token })).json.user.email_verified, false);

      // setting it again sends a new link; a verified address changed is unverified again
      const link2 = await setAddress(u, email);
      assert.equal((await api('GET', `/api/v1${link2.path}`)).status, 200);
      const other = addr('new');
      const link3 = await setAddress(u, other);
      const me = await api('GET', '/api/v1/me', { token: u.token });
      assert.equal(me.json.user.email, other);
      assert.equal(me.json.user.email_verified, false);
      // the same verified address again changes nothing and sends nothing
      assert.equal((await api('GET', `/api/v1${link3.path}`)).status, 200);
      const same = await api('PATCH', '/api/v1/me', { token: u.token, json: { email: other } });
      assert.equal(same.json.user.email_verified, true);
      await noMail(other, 1500);
      // "" removes it
      const gone = await api('PATCH', '/api/v1/me', { token: u.token, json: { email: '' } });
      assert.equal(gone.status, 200, gone.text);
      assert.equal(gone.json.user.email, null);
      assert.equal(gone.json.user.email_verified, false);
    });

    it('a link sent to an old address does not verify the new one', async () => {
      const u = await register();
      const first = await setAddress(u, addr('old'));
      await api('PATCH', '/api/v1/me', { token: u.token, json: { email: addr('newer') } });
      await waitMail((await api('GET', '/api/v1/me', { token: u.token })).json.user.email);
      assertError(await api('GET', `/api/v1${first.path}`), 400, 'invalid_field', 'token');
      assert.equal((await api('GET', '/api/v1/me', { token: u.token })).json.user.email_verified, false);
    });

    it('the /me page has the form (CSRF), and it works without JavaScript', async () => {
      const u = await register();
      const b = await browserOf(u);
      const page = await b.get('/me');
      assert.match(page.text, /<form class="form" method="post" action="\/me\/email">/);
      const email = addr('form');
      const r = await b.postForm('/me/email', { email });
      assert.equal(r.status, 303, r.text);
      assert.equal(locationPath(r), '/me?done=email');
      const after = await b.get('/me?done=email');
      assert.ok(after.text.includes(email) && /not verified yet/.test(after.text));
      const link = linkIn(await waitMail(email), '/verify-email');
      assert.equal((await api('GET', link.path)).status, 200);
      assert.match((await b.get('/me')).text, /is verified\./);
      // a bad address comes back on the form with its message
      const bad = await b.postForm('/me/email', { email: 'no at sign' });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /one @/);
      // with a wrong CSRF token: refused, nothing changes
      const forged = await b.postForm('/me/email', { email: addr('forged'), csrf_token: 'x'.repeat(43) });
      assert.equal(forged.status, 403, forged.text);
      assert.equal((await api('GET', '/api/v1/me', { token: u.token })).json.user.email, email);
    });
  });

  describe('password reset by e-mail', () => {
    it('answers the same 202 for an unknown or unverified address, and sends nothing', async () => {
      const unknown = addr('nobody');
      const r1 = await api('POST', '/api/v1/password/forgot', { json: { email: unknown } });
      assert.equal(r1.status, 202, r1.text);
      const u = await register();
      const unverifiedAddr = addr('unv');
      await setAddress(u, unverifiedAddr);
      const r2 = await api('POST', '/api/v1/password/forgot', { json: { email: unverifiedAddr } });
      assert.equal(r2.status, 202, r2.text);
      const v = await verified();
      const r3 = await api('POST', '/api/v1/password/forgot', { json: { email: v.email } });
      assert.equal(r3.status, 202, r3.text);
      assert.deepEqual(r1.json, r3.json, 'the same answer whether or not the address has an account');
      assert.deepEqual(r2.json, r3.json);
      await waitMail(v.email);
      await noMail(unknown, 1000);
      await noMail(unverifiedAddr, 500);
      assertError(await api('POST', '/api/v1/password/forgot', { json: { email: 'not-an-address' } }), 400, 'invalid_field', 'email');
      assertError(await api('POST', '/api/v1/password/forgot', { json: {} }), 400, 'missing_field', 'email');
    });

    it('the link sets a new password once, ends every session and token, and login works with it', async () => {
      const v = await verified({ display_name: 'Reset <b>me</b>' });
      const other = await login(v.username, PASSWORD);
      const pat = await api('POST', '/api/v1/me/tokens', { token: v.token, json: { name: 'script' } });
      assert.equal(pat.status, 201, pat.text);
      assert.equal((await api('GET', '/api/v1/me', { token: pat.json.secret })).status, 200, 'the API token works before');
      sql(`UPDATE users SET must_change_password = true WHERE id = ${v.user.id}`);
      // the address as typed in another case finds it; signed in, an account that must change
      // its password may still ask (the links act on the link's account)
      const r = await api('POST', '/api/v1/password/forgot', { json: { email: v.email.toUpperCase() }, token: v.token });
      assert.equal(r.status, 202, r.text);
      const mail = await waitMail(v.email);
      assert.equal(mail.headers.subject[0], 'Reset your Parley password');
      assert.ok(mail.html.includes('Reset &lt;b&gt;me&lt;/b&gt;'), 'the name is escaped in HTML');
      const link = linkIn(mail, '/password/reset');
      assert.equal(sql(`SELECT purpose, expires_at <= now() + interval '30 minutes' FROM email_tokens WHERE token_hash = ${lit(sha256(link.token))}`), 'reset|t');

      // the page: a form for the new password with the token
      const page = await api('GET', link.path, { cookie: { parley_session: v.token } });
      assert.equal(page.status, 200, page.text);
      assert.equal(inputValue(page.text, 'token'), link.token);
      assert.equal((await api('GET', `/api/v1${link.path}`, { token: v.token })).json.valid, true);
      assert.ok(inputValue(page.text, 'csrf_token'), 'the form carries a CSRF token');

      assertError(await api('POST', '/api/v1/password/reset', { json: { token: link.token, password: 'short' } }), 400, undefined, 'password');
      const newPassword = `new ${hex(6)} password`;
      const done = await api('POST', '/api/v1/password/reset', { json: { token: link.token, password: newPassword } });
      assert.equal(done.status, 200, done.text);
      assert.equal(done.json.password_reset, true);
      assert.ok(done.json.sessions_ended >= 2, `sessions ended: ${done.text}`);
      assert.equal(done.json.tokens_revoked, 1);
      for (const t of [v.token, other, pat.json.secret]) {
        assertError(await api('GET', '/api/v1/me', { token: t }), 401, 'unauthorized');
      }
      assertError(await loginRaw(v.username, PASSWORD), 401, 'invalid_credentials');
      const fresh = await login(v.username, newPassword);
      const me = await api('GET', '/api/v1/me', { token: fresh });
      assert.equal(me.json.user.must_change_password, false, 'the new password meets an administrator\'s request');
      assert.equal(Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'password.reset' AND subject_id = ${v.user.id}`)), 1);
      // once only
      assertError(await api('POST', '/api/v1/password/reset', { json: { token: link.token, password: 'another password' } }), 400, 'invalid_field', 'token');
      assert.equal((await api('GET', link.path)).status, 400);
      await login(v.username, newPassword);
    });

    it('an expired link (30 minutes) is refused, and two-factor sign-in still applies', async () => {
      const v = await verified();
      await api('POST', '/api/v1/password/forgot', { json: { email: v.email } });
      const link = linkIn(await waitMail(v.email), '/password/reset');
      sql(`UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = ${lit(sha256(link.token))}`);
      assertError(await api('GET', `/api/v1${link.path}`), 400, 'invalid_field', 'token');
      const r = await api('POST', '/api/v1/password/reset', { json: { token: link.token, password: 'a new password' } });
      assertError(r, 400, 'invalid_field', 'token');
      assert.match(r.json.error.message, /30 minutes/);
      await login(v.username, PASSWORD);
    });

    it('works through the pages without JavaScript', async () => {
      const v = await verified();
      const f = await api('GET', '/password/forgot');
      assert.equal(f.status, 200);
      const csrf = inputValue(f.text, 'csrf_token');
      assert.ok(csrf);
      const cookie = { parley_csrf: f.cookies.parley_csrf.value };
      const sent = await api('POST', '/password/forgot', { form: { csrf_token: csrf, email: v.email }, cookie });
      assert.equal(sent.status, 303, sent.text);
      assert.equal(locationPath(sent), '/password/forgot?done=reset_sent');
      assert.match((await api('GET', '/password/forgot?done=reset_sent')).text, /on its way/);
      // without the CSRF token: refused
      const forged = await api('POST', '/password/forgot', { form: { email: v.email } });
      assert.equal(forged.status, 403);
      const link = linkIn(await waitMail(v.email), '/password/reset');
      const form = await api('GET', link.path);
      const c2 = { parley_csrf: form.cookies.parley_csrf?.value || f.cookies.parley_csrf.value };
      const set = await api('POST', '/password/reset', {
        form: { csrf_token: inputValue(form.text, 'csrf_token'), token: inputValue(form.text, 'token'), password: 'page password 1' },
        cookie: c2,
      });
      assert.equal(set.status, 303, set.text);
      assert.equal(locationPath(set), '/login?done=password_reset');
      await login(v.username, 'page password 1');
    });

    it('is rate limited per address and per client address', async () => {
      const email = addr('rl');
      const ip = fakeIp();
      for (let i = 0; i < 5; i++) {
        assert.equal((await api('POST', '/api/v1/password/forgot', { json: { email }, ip: fakeIp() })).status, 202);
      }
      const over = await api('POST', '/api/v1/password/forgot', { json: { email }, ip: fakeIp() });
      assertError(over, 429, 'rate_limited');
      assert.ok(Number(over.headers.get('retry-after')) > 0, 'Retry-After');
      for (let i = 0; i < 20; i++) {
        assert.equal((await api('POST', '/api/v1/password/forgot', { json: { email: addr('ip') }, ip })).status, 202);
      }
      assertError(await api('POST', '/api/v1/password/forgot', { json: { email: addr('ip') }, ip }), 429, 'rate_limited');
    });
  });

  describe('other mails', () => {
    it('a finished data export is announced by mail too (a sign-in link, no token), escaped', async () => {
      const u = await verified({ display_name: 'Exporter <b>' });
      const r = await api('POST', '/api/v1/me/export', { token: u.token });
      assert.equal(r.status, 202, r.text);
      const mail = await waitMail(u.email, 60000);
      assert.equal(mail.headers.subject[0], 'Your Parley data is ready to download');
      assert.ok(mail.text.includes(`${BASE}/me/exports`), mail.text);
      assert.doesNotMatch(mail.text, /token=/);
      assert.match(mail.html, /Exporter &lt;b&gt;/);
      const list = await api('GET', '/api/v1/me/exports', { token: u.token });
      assert.equal(list.json.exports[0].status, 'ready');
      // Without a verified address: the event only, no mail.
      const quiet = await register();
      assert.equal((await api('POST', '/api/v1/me/export', { token: quiet.token })).status, 202);
    });
  });

  describe('delivery', () => {
    it('a refused delivery fails the job, which is retried with backoff and shows in the job list', async () => {
      const u = await register();
      const email = `reject-${hex(5)}@example.test`;
      assert.equal((await api('PATCH', '/api/v1/me', { token: u.token, json: { email } })).status, 200);
      let row = '';
      for (let i = 0; i < 100 && !/\|1\|/.test(row); i++) {
        await sleep(100);
        row = sql(`SELECT state, attempts, last_error, run_after > now() FROM jobs WHERE kind = 'mail.send' AND payload->>'to' = ${lit(email)}`);
      }
      const [state, attempts, error, later] = row.split('|');
      assert.equal(state, 'queued', row);
      assert.equal(attempts, '1');
      assert.match(error, /SMTP.*550/);
      assert.equal(later, 't', 'the retry waits');
      assert.equal(sql(`SELECT count(*) FROM email_tokens WHERE user_id = ${u.user.id}`), '0', 'the unsent link is gone');
      const list = spawnSync(`${process.env.BIN}/parley`, ['jobs', 'list'], { env: process.env, encoding: 'utf8' });
      assert.equal(list.status, 0, list.stderr);
      assert.match(list.stdout, /mail\.send/);
    });

    it('STARTTLS is required on smtp:// unless PARLEY_SMTP_TLS=none: nothing is sent in the clear', async () => {
      // The stack's workers stop; one of ours requires TLS of the (plain) test relay.
      stack('worker', 'stop');
      let w;
      try {
        const u = await register();
        const email = addr('tls');
        assert.equal((await api('PATCH', '/api/v1/me', { token: u.token, json: { email } })).status, 200);
        w = spawn(`${process.env.BIN}/parley-worker`, [], {
          env: { ...process.env, PARLEY_SMTP_TLS: 'required', PARLEY_JOB_BACKOFF: '1', PARLEY_WORKER_THREADS: '1' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let log = '';
        w.stderr.on('data', (d) => { log += d; });
        let row = '';
        for (let i = 0; i < 150 && !row; i++) {
          await sleep(100);
          row = sql(`SELECT last_error FROM jobs WHERE kind = 'mail.send' AND payload->>'to' = ${lit(email)} AND attempts >= 1 AND last_error IS NOT NULL`);
        }
        assert.match(row, /SMTP: .*(STARTTLS|SSL|TLS)/i, `the job failed for want of TLS: ${row} ${log.slice(-500)}`);
        assert.equal(mailsTo(email).length, 0, 'nothing was delivered');
        w.kill('SIGTERM');
        await new Promise((r) => w.on('exit', r));
        w = null;
        // The stack's workers (PARLEY_SMTP_TLS=none) deliver it on the retry.
        stack('worker', 'start');
        linkIn(await waitMail(email, 15000), '/verify-email');
      } finally {
        if (w) w.kill('SIGKILL');
        stack('worker', 'start');
      }
    });

    it('without PARLEY_SMTP_URL the routes answer 503 mail_not_configured', () => {
      const cgi = (method, uri, body, extra = {}) => {
        const env = {
          ...process.env, PARLEY_LISTEN: '', PARLEY_SMTP_URL: '', GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: method,
          REQUEST_URI: uri, REMOTE_ADDR: '127.0.0.1', CONTENT_TYPE: 'application/json',
          CONTENT_LENGTH: String(Buffer.byteLength(body)), HTTP_X_FORWARDED_FOR: fakeIp(), ...extra,
        };
        const r = spawnSync(`${process.env.BIN}/parley.fcgi`, [], { env, input: body, timeout: 20000 });
        assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}`);
        const [head, ...rest] = r.stdout.toString().split('\r\n\r\n');
        return { head, json: JSON.parse(rest.join('\r\n\r\n') || 'null') };
      };
      const name = uname('nomail');
      const reg = cgi('POST', '/api/v1/register', JSON.stringify({ username: name, password: PASSWORD, display_name: 'No mail' }));
      assert.match(reg.head, /^Status: 201/);
      const auth = { HTTP_AUTHORIZATION: `Bearer ${reg.json.token}` };
      const set = cgi('PATCH', '/api/v1/me', JSON.stringify({ email: addr('x') }), auth);
      assert.match(set.head, /^Status: 503/);
      assert.equal(set.json.error.code, 'mail_not_configured');
      assert.match(set.json.error.message, /does not send e-mail/);
      const me = cgi('GET', '/api/v1/me', '', auth);
      assert.equal(me.json.mail_configured, false);
      const forgot = cgi('POST', '/api/v1/password/forgot', JSON.stringify({ email: addr('x') }));
      assert.match(forgot.head, /^Status: 503/);
      assert.equal(forgot.json.error.code, 'mail_not_configured');
      const page = spawnSync(`${process.env.BIN}/parley.fcgi`, [], {
        env: { ...process.env, PARLEY_LISTEN: '', PARLEY_SMTP_URL: '', GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', REQUEST_URI: '/password/forgot', REMOTE_ADDR: '127.0.0.1' },
        timeout: 20000,
      });
      assert.match(page.stdout.toString(), /This server does not send e-mail/);
    });
  });
});
