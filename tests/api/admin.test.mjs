// Running an instance: administrators are made on the command line; everyone else gets the
// usual 404 on every admin route; deactivation ends sessions, tokens and open streams at
// once; the registration policy (open, invite-only with links, closed); the audit log.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  api, register, login, assertError, openStream, createGroup, send, messages, browserOf, locationPath, sql, PASSWORD, uname, fakeIp,
  getConversation, memberOf,
} from './lib.mjs';
import { totp } from '../support/totp.mjs';

/** `parley admin grant|revoke USERNAME` on the stack's database. */
function cli(...args) {
  return execFileSync(`${process.env.BIN}/parley`, args, { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const setRegistration = (admin, value) => api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { registration: value } });

let admin, bob, carol;
before(async () => {
  [admin, bob, carol] = await Promise.all([register(), register(), register()]);
  assert.match(cli('admin', 'grant', admin.username), /is now an administrator/);
});
after(async () => {
  await setRegistration(admin, 'open');         // other test files register freely
});

describe('administrators', () => {
  it('the command line makes one; nobody else sees the admin area (404)', async () => {
    assert.throws(() => cli('admin', 'grant', uname('nobody')), /no such user/i);
    const routes = [
      ['GET', '/api/v1/admin/users'], ['GET', '/api/v1/admin/audit'], ['GET', '/admin'],
      ['POST', `/api/v1/admin/users/${carol.user.id}/deactivate`], ['POST', `/api/v1/admin/users/${carol.user.id}/reactivate`],
      ['PATCH', '/api/v1/admin/settings', { registration: 'closed' }], ['POST', '/api/v1/admin/invites', {}],
    ];
    for (const [method, path, json] of routes) {
      const r = await api(method, path, { token: bob.token, json });
      assert.equal(r.status, 404, `${method} ${path} for a non-admin: ${r.status}`);
    }
    assert.equal((await api('GET', '/api/v1/admin/users')).status, 401, 'and without a session');
    const list = await api('GET', `/api/v1/admin/users?q=${bob.username}`, { token: admin.token });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.users.map((u) => u.username), [bob.username]);
    assert.equal(list.json.users[0].is_admin, false);
    assert.equal(list.json.users[0].deactivated_at, null);
    const page = await api('GET', '/admin', { token: admin.token });
    assert.equal(page.status, 200);
    assert.match(page.text, /Administration/);
  });

  it('deactivation ends every session, token and open stream at once; reactivation undoes it', async () => {
    const victim = await register();
    const pat = await api('POST', '/api/v1/me/tokens', { token: victim.token, json: { name: 'script' } });
    assert.equal(pat.status, 201);
    const stream = await openStream(victim);
    try {
      const d = await api('POST', `/api/v1/admin/users/${victim.user.id}/deactivate`, { token: admin.token });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.sessions_ended >= 1, true);
      assert.equal(d.json.tokens_revoked, 1);
      await stream.waitFor((e) => e.type === 'session.ended', 5000, 'the stream ends');
    } finally {
      stream.close();
    }
    assertError(await api('GET', '/api/v1/me', { token: victim.token }), 401, 'unauthorized');
    assertError(await api('GET', '/api/v1/me', { token: pat.json.secret }), 401, 'unauthorized');
    const again = await api('POST', '/api/v1/login', { json: { username: victim.username, password: PASSWORD } });
    assertError(again, 403, 'forbidden');
    assert.match(again.json.error.message, /deactivated/);
    assertError(await api('POST', '/api/v1/login', { json: { username: victim.username, password: 'wrong password!' } }), 401, 'invalid_credentials');
    assertError(await api('POST', `/api/v1/admin/users/${admin.user.id}/deactivate`, { token: admin.token }), 403, 'forbidden');
    const r = await api('POST', `/api/v1/admin/users/${victim.user.id}/reactivate`, { token: admin.token });
    assert.equal(r.status, 200);
    assert.equal(typeof (await login(victim.username, PASSWORD)), 'string');
    const audit = await api('GET', `/api/v1/admin/audit?user_id=${victim.user.id}`, { token: admin.token });
    const actions = audit.json.entries.map((e) => e.action);
    for (const a of ['admin.deactivate', 'admin.reactivate', 'signin.refused', 'signin.failed', 'signin']) {
      assert.ok(actions.includes(a), `audit has ${a}: ${actions.join(', ')}`);
    }
    const deact = audit.json.entries.find((e) => e.action === 'admin.deactivate');
    assert.equal(deact.actor.username, admin.username);
    assert.equal(deact.subject.username, victim.username);
  });

  it('registration: closed, then by invitation links with limited uses, then open', async () => {
    const fresh = () => ({ username: uname('inv'), password: PASSWORD, display_name: 'Invited' });
    try {
      assert.equal((await setRegistration(admin, 'closed')).status, 200);
      const closed = await api('POST', '/api/v1/register', { json: fresh(), ip: fakeIp() });
      assertError(closed, 403, 'forbidden');
      assert.match(closed.json.error.message, /closed/);
      assert.equal((await setRegistration(admin, 'invite')).status, 200);
      assertError(await setRegistration(admin, 'sometimes'), 400, 'invalid_field', 'registration');
      assertError(await api('POST', '/api/v1/register', { json: fresh(), ip: fakeIp() }), 403, 'forbidden', 'invite');
      const inv = await api('POST', '/api/v1/admin/invites', { token: admin.token, json: { uses: 1, days: 2 } });
      assert.equal(inv.status, 201, inv.text);
      const url = new URL(inv.json.invite.url, 'http://x');
      assert.equal(url.pathname, '/register');
      const code = url.searchParams.get('invite');
      assert.equal(inv.json.invite.uses_left, 1);
      // The page keeps the code in the form.
      const form = await api('GET', `/register?invite=${encodeURIComponent(code)}`);
      assert.match(form.text, new RegExp(`name="invite" value="${code}"`));
      const taken = fresh();
      taken.username = bob.username;                              // a failed registration keeps the use
      assertError(await api('POST', '/api/v1/register', { json: { ...taken, invite: code }, ip: fakeIp() }), 409, 'username_taken');
      const ok = await api('POST', '/api/v1/register', { json: { ...fresh(), invite: code }, ip: fakeIp() });
      assert.equal(ok.status, 201, ok.text);
      const used = await api('POST', '/api/v1/register', { json: { ...fresh(), invite: code }, ip: fakeIp() });
      assertError(used, 403, 'forbidden', 'invite');
      assert.match(used.json.error.message, /used up or has expired/);
    } finally {
      assert.equal((await setRegistration(admin, 'open')).status, 200);
    }
    assert.equal((await api('POST', '/api/v1/register', { json: fresh(), ip: fakeIp() })).status, 201);
    const audit = await api('GET', '/api/v1/admin/audit?action=admin', { token: admin.token });
    assert.ok(audit.json.entries.some((e) => e.action === 'admin.settings' && e.detail.registration === 'invite'));
    assert.ok(audit.json.entries.some((e) => e.action === 'admin.invite' && e.detail.uses === 1));
  });

  it("the server's name, its limits, and failed jobs retried from the admin area", async () => {
    const named = await api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { instance_name: 'Acme <Chat>' } });
    assert.equal(named.status, 200, named.text);
    assert.equal(named.json.settings.instance_name, 'Acme <Chat>');
    try {
      const home = await api('GET', '/login');
      assert.match(home.text, /<title>[^<]*Acme &lt;Chat&gt;<\/title>/, 'the title, escaped');
      assert.match(home.text, /class="brand"[^>]*>.*Acme &lt;Chat&gt;/s);
      assertError(await api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { instance_name: 'x'.repeat(65) } }), 400, 'invalid_field', 'instance_name');
    } finally {
      await api('PATCH', '/api/v1/admin/settings', { token: admin.token, json: { instance_name: 'Parley' } });
    }
    const page = await api('GET', '/api/v1/admin', { token: admin.token });
    assert.equal(page.status, 200);
    assert.equal(typeof page.json.limits.max_upload_bytes, 'number');
    assert.equal(page.json.limits.audit_days, 180);
    // A job out of attempts: listed with its error, retried once, then it runs.
    const id = parseInt(sql("INSERT INTO jobs (kind, state, attempts, max_attempts, last_error, finished_at) " +
      "VALUES ('cleanup', 'failed', 3, 3, 'disk full (test)', now()) RETURNING id"), 10);   // psql adds the command tag
    const failed = await api('GET', '/api/v1/admin/jobs', { token: admin.token });
    assert.equal(failed.status, 200, failed.text);
    const job = failed.json.jobs.find((j) => j.id === id);
    assert.equal(job.state, 'failed');
    assert.equal(job.last_error, 'disk full (test)');
    assert.equal(job.attempts, 3);
    assert.ok(failed.json.jobs.every((j) => j.state === 'failed'), 'failed ones only by default');
    assertError(await api('GET', '/api/v1/admin/jobs?state=done', { token: admin.token }), 400, 'invalid_field', 'state');
    assert.equal((await api('GET', '/api/v1/admin/jobs', { token: bob.token })).status, 404);
    assert.equal((await api('POST', `/api/v1/admin/jobs/${id}/retry`, { token: bob.token })).status, 404);
    const retried = await api('POST', `/api/v1/admin/jobs/${id}/retry`, { token: admin.token });
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.json.job.state, 'queued');
    let state;
    for (let i = 0; i < 50 && state !== 'done'; i++) {
      state = sql(`SELECT state FROM jobs WHERE id = ${id}`);
      if (state !== 'done') await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(state, 'done', 'the worker ran it');
    assertError(await api('POST', `/api/v1/admin/jobs/${id}/retry`, { token: admin.token }), 409, 'conflict');
    assertError(await api('POST', '/api/v1/admin/jobs/999999999/retry', { token: admin.token }), 404, 'not_found');
    const html = await api('GET', '/admin', { token: admin.token });
    assert.match(html.text, /Background jobs/);
    assert.match(html.text, /PARLEY_MAX_UPLOAD/);
  });

  it('figures about the server, and resetting a lost second factor', async () => {
    const st = await api('GET', '/api/v1/admin/stats', { token: admin.token });
    assert.equal(st.status, 200, st.text);
    for (const k of ['accounts', 'active_today', 'media_bytes', 'queue_depth', 'open_reports']) {
      assert.ok(Number.isInteger(st.json.stats[k]) && st.json.stats[k] >= 0, `${k}: ${st.json.stats[k]}`);
    }
    assert.ok(st.json.stats.accounts >= 3);
    assert.ok(Array.isArray(st.json.stats.messages_per_day));
    assert.equal((await api('GET', '/api/v1/admin/stats', { token: bob.token })).status, 404);
    const u = await register();
    const setup = await api('POST', '/api/v1/me/2fa/totp', { token: u.token });
    assert.equal((await api('POST', '/api/v1/me/2fa/totp/confirm', { token: u.token, json: { code: totp(setup.json.secret) } })).status, 200);
    assertError(await api('POST', '/api/v1/login', { json: { username: u.username, password: PASSWORD } }), 401, 'totp_required');
    assert.equal((await api('POST', `/api/v1/admin/users/${u.user.id}/reset-2fa`, { token: bob.token })).status, 404);
    const r = await api('POST', `/api/v1/admin/users/${u.user.id}/reset-2fa`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof (await login(u.username, PASSWORD)), 'string', 'the password alone again');
  });

  it('everyone sees their own security log; nobody sees another person\'s', async () => {
    const u = await register();
    const ip = fakeIp();
    assertError(await api('POST', '/api/v1/login', { json: { username: u.username, password: 'not it at all' }, ip }), 401, 'invalid_credentials');
    const tok = await api('POST', '/api/v1/me/tokens', { token: u.token, json: { name: 'backup script' } });
    assert.equal((await api('DELETE', `/api/v1/me/tokens/${tok.json.token.id}`, { token: u.token })).status, 204);
    const pw = await api('POST', '/api/v1/me/password', { token: u.token, json: { current_password: PASSWORD, new_password: 'another good password' } });
    assert.equal(pw.status, 200, pw.text);
    const log = await api('GET', '/api/v1/me/security', { token: u.token });
    assert.equal(log.status, 200);
    const actions = log.json.entries.map((e) => e.action);
    for (const a of ['register', 'signin.failed', 'token.create', 'token.revoke', 'password.change']) {
      assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`);
    }
    assert.equal(log.json.entries.find((e) => e.action === 'signin.failed').ip, ip);
    assert.ok(log.json.entries.every((e) => e.subject.id === u.user.id), 'only events about them');
    const others = await api('GET', '/api/v1/me/security', { token: bob.token });
    assert.ok(!others.json.entries.some((e) => e.subject?.id === u.user.id), 'bob sees none of them');
    const page = await api('GET', '/me/security', { token: u.token });
    assert.match(page.text, /Password changed/);
  });
});

describe('moderation: reports', () => {
  it('a member reports a message; admins see it in context and remove it; the reporter is told', async () => {
    const [rep, troll, other] = await Promise.all([register(), register(), register()]);
    const g = await createGroup(rep, [troll]);
    const before = await send(rep, g.id, 'before the trouble');
    const bad = await send(troll, g.id, 'something awful');
    await send(rep, g.id, 'after it');
    // Only what you can see: a stranger cannot report it.
    assertError(await api('POST', '/api/v1/reports', { token: other.token, json: { conversation_id: g.id, seq: bad.seq, reason: 'spam' } }), 404, 'not_found');
    assertError(await api('POST', '/api/v1/reports', { token: rep.token, json: { conversation_id: g.id, seq: bad.seq } }), 400, 'missing_field', 'reason');
    assertError(await api('POST', '/api/v1/reports', { token: rep.token, json: { reason: 'x' } }), 400, 'missing_field');
    assertError(await api('POST', '/api/v1/reports', { token: troll.token, json: { user_id: troll.user.id, reason: 'me' } }), 400, 'invalid_field');
    const r = await api('POST', '/api/v1/reports', { token: rep.token, json: { conversation_id: g.id, seq: bad.seq, reason: 'insults' } });
    assert.equal(r.status, 201, r.text);
    const id = r.json.report.id;
    assert.equal((await api('GET', '/api/v1/admin/reports', { token: rep.token })).status, 404, 'not for non-admins');
    const list = await api('GET', '/api/v1/admin/reports?state=open', { token: admin.token });
    const seen = list.json.reports.find((x) => x.id === id);
    assert.ok(seen, 'the admin sees the open report');
    assert.equal(seen.reason, 'insults');
    assert.equal(seen.reporter.username, rep.username);
    assert.equal(seen.user.username, troll.username);
    // Up to three messages on each side: here the group's creation line and the two around it.
    assert.deepEqual(seen.context.filter((m) => m.kind === 'text').map((m) => m.body), ['before the trouble', 'something awful', 'after it']);
    assert.ok(seen.context.some((m) => m.seq === before.seq));
    const stream = await openStream(rep);
    try {
      const res = await api('POST', `/api/v1/admin/reports/${id}/resolve`, { token: admin.token, json: { action: 'remove' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.report.outcome, 'removed');
      await stream.waitFor((e) => e.type === 'report.resolved' && e.report_id === id, 5000, 'the reporter is told');
    } finally {
      stream.close();
    }
    const hist = (await messages(rep, g.id)).messages.find((m) => m.seq === bad.seq);
    assert.equal(hist.deleted, true);
    assert.equal(hist.removed, true);
    assert.equal(hist.body, null);
    const page = await api('GET', `/conversations/${g.id}`, { token: rep.token });
    assert.match(page.text, /removed by an administrator/);
    assertError(await api('POST', `/api/v1/admin/reports/${id}/resolve`, { token: admin.token, json: { action: 'dismiss' } }), 409, 'conflict');
    const mine = await api('GET', '/api/v1/reports', { token: rep.token });
    assert.equal(mine.json.reports.find((x) => x.id === id).outcome, 'removed');
  });

  it('a reported person can be deactivated from the report; a bad action is refused', async () => {
    const [rep, spammer] = await Promise.all([register(), register()]);
    const r = await api('POST', '/api/v1/reports', { token: rep.token, json: { user_id: spammer.user.id, reason: 'spam everywhere' } });
    assert.equal(r.status, 201);
    const id = r.json.report.id;
    assertError(await api('POST', `/api/v1/admin/reports/${id}/resolve`, { token: admin.token, json: { action: 'ban' } }), 400, 'invalid_field', 'action');
    assertError(await api('POST', `/api/v1/admin/reports/${id}/resolve`, { token: admin.token, json: { action: 'remove' } }), 400, 'invalid_field', 'action');
    const res = await api('POST', `/api/v1/admin/reports/${id}/resolve`, { token: admin.token, json: { action: 'deactivate' } });
    assert.equal(res.status, 200, res.text);
    assertError(await api('GET', '/api/v1/me', { token: spammer.token }), 401, 'unauthorized');
    assertError(await api('POST', '/api/v1/admin/reports/999999999/resolve', { token: admin.token, json: { action: 'dismiss' } }), 404, 'not_found');
  });

  it('the pages, without JavaScript: Report under others\' messages, the form, your reports, the admin queue', async () => {
    const [rep, troll] = await Promise.all([register(), register()]);
    const g = await createGroup(rep, [troll]);
    const mine = await send(rep, g.id, 'my own words');
    const bad = await send(troll, g.id, '<b>nasty</b> words');
    const b = await browserOf(rep);
    const conv = await b.get(`/conversations/${g.id}`);
    assert.ok(conv.text.includes(`href="/reports/new?conversation_id=${g.id}&amp;seq=${bad.seq}"`), 'a Report link under their message');
    assert.ok(!conv.text.includes(`&amp;seq=${mine.seq}"`), 'none under my own');
    const form = await b.get(`/reports/new?conversation_id=${g.id}&seq=${bad.seq}`);
    assert.equal(form.status, 200);
    assert.match(form.text, /Report a message/);
    assert.match(form.text, /&lt;b&gt;nasty&lt;\/b&gt; words/, 'the message, escaped');
    // A stranger's view of the form: the message is not theirs to see.
    const stranger = await browserOf(await register());
    assert.equal((await stranger.get(`/reports/new?conversation_id=${g.id}&seq=${bad.seq}`)).status, 404);
    // An empty reason comes back to the form with the message still shown.
    const empty = await b.postForm('/reports', { conversation_id: String(g.id), seq: String(bad.seq), reason: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.text, /nasty/);
    const sent = await b.postForm('/reports', { conversation_id: String(g.id), seq: String(bad.seq), reason: 'rude' });
    assert.equal(sent.status, 303);
    assert.equal(locationPath(sent), '/reports?done=reported');
    const list = await b.get('/reports?done=reported');
    assert.match(list.text, /Thank you/);
    assert.match(list.text, /Waiting for an administrator/);
    const profile = await b.get(`/users/${troll.username}`);
    assert.ok(profile.text.includes(`href="/reports/new?user_id=${troll.user.id}"`), 'Report on a profile');

    const a = await browserOf(admin);
    const queue = await a.get('/admin/reports');
    assert.equal(queue.status, 200);
    const id = (await api('GET', '/api/v1/reports', { token: rep.token })).json.reports[0].id;
    assert.match(queue.text, new RegExp(`Report ${id}: a message by @${troll.username}`));
    assert.match(queue.text, /aria-current="true"[^>]*>.*&lt;b&gt;nasty/s, 'the reported message marked in its context');
    assert.equal((await b.get('/admin/reports')).status, 404, 'not for non-admins');
    const done = await a.postForm(`/admin/reports/${id}/resolve`, { action: 'warn' });
    assert.equal(done.status, 303);
    assert.equal(locationPath(done), '/admin/reports?done=resolved');
    assert.match((await b.get('/reports')).text, /The person was warned/);
  });
});

describe("a person's data", () => {
  it('deleting your account: the password (and code) needed; others keep the history', async () => {
    const [gone, stays] = await Promise.all([register(), register()]);
    const g = await createGroup(gone, [stays]);
    const said = await send(gone, g.id, 'remember me');
    assertError(await api('DELETE', '/api/v1/me', { token: gone.token, json: { password: 'not my password' } }), 403, 'wrong_password');
    const r = await api('DELETE', '/api/v1/me', { token: gone.token, json: { password: PASSWORD } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.deleted, true);
    assertError(await api('GET', '/api/v1/me', { token: gone.token }), 401, 'unauthorized');
    assertError(await api('POST', '/api/v1/login', { json: { username: gone.username, password: PASSWORD } }), 401, 'invalid_credentials');
    const hist = (await messages(stays, g.id)).messages.find((m) => m.seq === said.seq);
    assert.equal(hist.body, 'remember me');
    assert.equal(hist.sender.display_name, 'Deleted account');
    assert.equal((await api('GET', `/api/v1/users/${gone.username}`, { token: stays.token })).status, 404);
  });

  it('deleting your account hands your groups on: the longest-standing admin, else member, becomes owner', async () => {
    const [gone, first, admin] = await Promise.all([register(), register(), register()]);
    const g = await createGroup(gone, [first, admin]);
    const solo = await createGroup(gone, [first]);
    const role = async (viewer, conv, who) => memberOf((await getConversation(viewer, conv)).conversation, who)?.role;
    const setRole = (conv, who, r) => api('PATCH', `/api/v1/conversations/${conv}/members/${who.user.id}`,
      { token: gone.token, json: { role: r } });
    assert.equal((await setRole(g.id, admin, 'admin')).status, 200);
    assert.equal((await api('DELETE', '/api/v1/me', { token: gone.token, json: { password: PASSWORD } })).status, 200);
    // The admin, though the first member joined before them; in the other group the member.
    assert.equal(await role(first, g.id, admin), 'owner');
    assert.equal(await role(first, g.id, first), 'member');
    assert.equal(await role(first, solo.id, first), 'owner');
    // The new owner has an owner's rights: only owners make owners.
    const r = await api('PATCH', `/api/v1/conversations/${g.id}/members/${first.user.id}`, { token: admin.token, json: { role: 'owner' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await role(admin, g.id, first), 'owner');
  });

  it('with two-factor sign-in on, deleting needs a code too', async () => {
    const u = await register();
    const setup = await api('POST', '/api/v1/me/2fa/totp', { token: u.token });
    await api('POST', '/api/v1/me/2fa/totp/confirm', { token: u.token, json: { code: totp(setup.json.secret) } });
    assertError(await api('DELETE', '/api/v1/me', { token: u.token, json: { password: PASSWORD } }), 401, 'invalid_credentials', 'totp');
    const ok = await api('DELETE', '/api/v1/me', { token: u.token, json: { password: PASSWORD, totp: totp(setup.json.secret, Date.now() / 1000 + 30) } });
    assert.equal(ok.status, 200, ok.text);
  });
});
