// What an administrator may require of accounts before they do anything else: a new password
// (one person, e.g. after a leak) and two-factor sign-in (administrators, or everyone). Until
// they comply, the API answers 403 with a code saying what to do, and pages lead to the one
// form that lets them through.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { api, register, login, assertError, locationPath, PASSWORD } from './lib.mjs';
import { totp } from '../support/totp.mjs';

const cli = (...args) => execFileSync(`${process.env.BIN}/parley`, args, { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const settings = (admin, json) => api('PATCH', '/api/v1/admin/settings', { token: admin.token, json });

/** Turns on two-factor sign-in for u; returns its secret. */
async function enable2fa(u) {
  const setup = await api('POST', '/api/v1/me/2fa/totp', { token: u.token });
  assert.equal(setup.status, 200, setup.text);
  const on = await api('POST', '/api/v1/me/2fa/totp/confirm', { token: u.token, json: { code: totp(setup.json.secret) } });
  assert.equal(on.status, 200, on.text);
  return setup.json.secret;
}

let admin;
before(async () => {
  admin = await register();
  assert.match(cli('admin', 'grant', admin.username), /is now an administrator/);
});
after(async () => {
  if (admin.secret) await settings(admin, { require_2fa: 'off' });   // other files sign in freely
});

describe('a new password, required by an administrator', () => {
  it('blocks everything but the password form until it is changed, then nothing', async () => {
    const bob = await register();
    const other = await register();
    assertError(await api('POST', `/api/v1/admin/users/${bob.user.id}/require-password-change`, { token: other.token }), 404, 'not_found');
    const r = await api('POST', `/api/v1/admin/users/${bob.user.id}/require-password-change`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.must_change_password, true);

    // The API says what to do; GET /me still answers, with the reason.
    assertError(await api('GET', '/api/v1/conversations', { token: bob.token }), 403, 'password_change_required');
    assertError(await api('GET', '/api/v1/events?timeout=1', { token: bob.token }), 403, 'password_change_required');
    assertError(await api('POST', '/api/v1/conversations', { token: bob.token, json: { kind: 'group', title: 'x' } }), 403, 'password_change_required');
    const me = await api('GET', '/api/v1/me', { token: bob.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.must_change_password, true);
    // Pages lead to the form, which says why.
    const page = await api('GET', '/conversations', { token: bob.token });
    assert.equal(page.status, 303);
    assert.equal(locationPath(page), '/me');
    const form = await api('GET', '/me', { token: bob.token });
    assert.equal(form.status, 200);
    assert.match(form.text, /An administrator asked you to choose a new password/);
    // The admin page shows it.
    const list = await api('GET', `/api/v1/admin/users?q=${bob.username}`, { token: admin.token });
    assert.equal(list.json.users[0].must_change_password, true);

    // The same password again is not a new one.
    assertError(await api('POST', '/api/v1/me/password', { token: bob.token, json: { current_password: PASSWORD, new_password: PASSWORD } }),
      400, 'invalid_field', 'new_password');
    const changed = await api('POST', '/api/v1/me/password', { token: bob.token, json: { current_password: PASSWORD, new_password: 'a brand new passphrase' } });
    assert.equal(changed.status, 200, changed.text);
    const after = await api('GET', '/api/v1/conversations', { token: bob.token });
    assert.equal(after.status, 200, after.text);
    assert.equal((await api('GET', '/api/v1/me', { token: bob.token })).json.user.must_change_password, false);
    await login(bob.username, 'a brand new passphrase');

    const audit = await api('GET', `/api/v1/admin/audit?user_id=${bob.user.id}`, { token: admin.token });
    const actions = audit.json.entries.map((e) => e.action);
    assert.ok(actions.includes('admin.require_password_change'), actions.join());
    assert.ok(actions.includes('password.change'), actions.join());
  });
});

describe('two-factor sign-in, required by an administrator', () => {
  it('cannot be required by an admin who has none; bad values are refused', async () => {
    assertError(await settings(admin, { require_2fa: 'admins' }), 409, 'conflict', 'require_2fa');
    assertError(await settings(admin, { require_2fa: 'sometimes' }), 400, 'invalid_field', 'require_2fa');
    assertError(await settings(admin, {}), 400, 'missing_field');
    const plain = await register();
    assertError(await api('PATCH', '/api/v1/admin/settings', { token: plain.token, json: { require_2fa: 'off' } }), 404, 'not_found');
  });

  it('for everyone: those without it are sent to set it up, and can once they have', async () => {
    admin.secret = await enable2fa(admin);
    const carol = await register();
    const r = await settings(admin, { require_2fa: 'everyone' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.settings, { registration: 'open', require_2fa: 'everyone', message_retention_days: null, instance_name: 'Parley' });

    assertError(await api('GET', '/api/v1/conversations', { token: carol.token }), 403, 'two_factor_setup_required');
    assertError(await api('GET', '/api/v1/events?timeout=1', { token: carol.token }), 403, 'two_factor_setup_required');
    assert.equal((await api('GET', '/api/v1/me', { token: carol.token })).json.user.two_factor_setup_required, true);
    const page = await api('GET', '/contacts', { token: carol.token });
    assert.equal(page.status, 303);
    assert.equal(locationPath(page), '/me/2fa');
    const setupPage = await api('GET', '/me/2fa', { token: carol.token });
    assert.equal(setupPage.status, 200);
    assert.match(setupPage.text, /This server requires two-factor sign-in/);
    // The admin, who has it, goes on as before.
    assert.equal((await api('GET', '/api/v1/conversations', { token: admin.token })).status, 200);

    await enable2fa(carol);
    const log = await api('GET', '/api/v1/me/security', { token: carol.token });
    assert.ok(log.json.entries.some((e) => e.action === 'two_factor.enable'), 'the audit log records it');
    assert.equal((await api('GET', '/api/v1/conversations', { token: carol.token })).status, 200);
    assert.equal((await api('GET', '/api/v1/me', { token: carol.token })).json.user.two_factor_setup_required, false);
  });

  it('for administrators only: others are not asked; an admin without it is', async () => {
    const r = await settings(admin, { require_2fa: 'admins' });
    assert.equal(r.status, 200, r.text);
    const dave = await register();
    assert.equal((await api('GET', '/api/v1/conversations', { token: dave.token })).status, 200);
    const admin2 = await register();
    cli('admin', 'grant', admin2.username);
    assertError(await api('GET', '/api/v1/admin/users', { token: admin2.token }), 403, 'two_factor_setup_required');
    // Signing in works (so it can be set up); what follows is gated the same way.
    const token = await login(admin2.username, PASSWORD);
    assertError(await api('GET', '/api/v1/conversations', { token }), 403, 'two_factor_setup_required');
    const off = await settings(admin, { require_2fa: 'off' });
    assert.equal(off.status, 200);
    assert.equal((await api('GET', '/api/v1/admin/users', { token: admin2.token })).status, 200);
    const audit = await api('GET', '/api/v1/admin/audit?action=admin.settings', { token: admin.token });
    assert.ok(audit.json.entries.some((e) => e.detail && e.detail.require_2fa === 'admins'), JSON.stringify(audit.json.entries.slice(0, 3)));
  });
});

describe('the acting user, cached by each page server for a few seconds', () => {
  // parley.fcgi keeps the rows of the people its threads served lately (users_by_id_cached),
  // checked against a version in Redis on every request: a change must show at the very next
  // request, whichever thread serves it. 24 requests at once reach every thread.
  const everyThread = (u, path = '/api/v1/me') => Promise.all(Array.from({ length: 24 }, () => api('GET', path, { token: u.token })));

  it('a new name, a required password change and deactivation apply at once', async () => {
    const bob = await register();
    for (const r of await everyThread(bob)) assert.equal(r.json.user.display_name, bob.user.display_name);

    assert.equal((await api('PATCH', '/api/v1/me', { token: bob.token, json: { display_name: 'Renamed Bob' } })).status, 200);
    for (const r of await everyThread(bob)) assert.equal(r.json.user.display_name, 'Renamed Bob', 'no thread shows the old name');

    assert.equal((await api('POST', `/api/v1/admin/users/${bob.user.id}/require-password-change`, { token: admin.token })).status, 200);
    for (const r of await everyThread(bob, '/api/v1/conversations')) assertError(r, 403, 'password_change_required');

    assert.equal((await api('POST', `/api/v1/admin/users/${bob.user.id}/deactivate`, { token: admin.token })).status, 200);
    for (const r of await everyThread(bob)) assert.equal(r.status, 401, `deactivated: ${r.status}`);
  });

  it('the command line makes an administrator, and every thread knows at once', async () => {
    const carol = await register();
    for (const r of await everyThread(carol, '/api/v1/admin/users')) assert.equal(r.status, 404);
    assert.match(cli('admin', 'grant', carol.username), /is now an administrator/);
    for (const r of await everyThread(carol, '/api/v1/admin/users')) assert.equal(r.status, 200, 'an administrator now');
    assert.match(cli('admin', 'revoke', carol.username), /is no longer an administrator/);
    for (const r of await everyThread(carol, '/api/v1/admin/users')) assert.equal(r.status, 404, 'not any more');
  });
});
