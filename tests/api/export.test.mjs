// A person's data export: asked for on the API or the /me page (one in the making at a
// time), built by parley-worker into one ZIP file (profile, contacts, every conversation as
// JSON and as an escaped page, the files they uploaded, an index), announced with an
// export.ready event, downloadable by its owner alone for 7 days (then 410), deleted by the
// clean-up when expired and with the account.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  api, register, createGroup, send, assertError, openStream, sql, inputValue, metaContent, sleep, PASSWORD,
} from './lib.mjs';

// The files are checked when the media directory is on this machine (not in a container).
const dir = process.env.PARLEY_MEDIA_DIR || (process.env.PARLEY_VAR && join(process.env.PARLEY_VAR, 'media'));
const MEDIA_DIR = dir && existsSync(dir) ? dir : undefined;
const exportFile = (id) => join(MEDIA_DIR, 'exports', `${id}.zip`);

function cli(...args) {
  return execFileSync(`${process.env.BIN}/parley`, args, { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Polls the list until export id is no longer pending; returns it. */
async function whenDone(u, id, ms = 30000) {
  const until = Date.now() + ms;
  for (;;) {
    const r = await api('GET', '/api/v1/me/exports', { token: u.token });
    assert.equal(r.status, 200, r.text);
    const x = r.json.exports.find((e) => e.id === id);
    assert.ok(x, `export ${id} is listed`);
    if (x.status !== 'pending') return x;
    if (Date.now() > until) assert.fail(`export ${id} still pending after ${ms} ms`);
    await sleep(200);
  }
}

/** Every entry of a ZIP (read by Python's zipfile): {name: Buffer}. */
function unzip(buf) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-export-'));
  try {
    const file = join(dir, 'x.zip');
    writeFileSync(file, buf);
    const out = execFileSync('python3', ['-c', `
import base64, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: base64.b64encode(z.read(i)).decode() for i in z.infolist()}))
`, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    return Object.fromEntries(Object.entries(JSON.parse(out)).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function requestExport(u) {
  const r = await api('POST', '/api/v1/me/export', { token: u.token });
  assert.equal(r.status, 202, r.text);
  return r.json.export;
}

let alice, bob, stranger, g, fileBytes, fileId, deletedSeq;
before(async () => {
  [alice, bob, stranger] = await Promise.all([register(), register(), register()]);
  g = await createGroup(alice, [bob], { title: 'Plans <b>&</b>' });
  await send(alice, g.id, 'meet at <script>alert("x")</script> noon');
  await send(bob, g.id, 'bob says hello');
  deletedSeq = (await send(alice, g.id, 'a secret I took back')).seq;
  assertOk(await api('DELETE', `/api/v1/conversations/${g.id}/messages/${deletedSeq}`, { token: alice.token }), 204);
  fileBytes = randomBytes(3000);
  const up = await api('POST', `/api/v1/media?name=${encodeURIComponent('notes #1.bin')}`, {
    token: alice.token, body: fileBytes, headers: { 'Content-Type': 'application/octet-stream' },
  });
  assert.equal(up.status, 201, up.text);
  fileId = up.json.media.id;
  const m = await api('POST', `/api/v1/conversations/${g.id}/messages`, { token: alice.token, json: { body: 'the notes', media_ids: [fileId] } });
  assert.equal(m.status, 201, m.text);
});

function assertOk(r, status) {
  assert.equal(r.status, status, `${r.status} ${r.text}`);
}

describe('data export', () => {
  let ready;

  it('one at a time: a second request while one is pending is 409', async () => {
    // A pending export as the worker would find it mid-build.
    sql(`INSERT INTO exports (user_id) VALUES (${stranger.user.id})`);
    const r = await api('POST', '/api/v1/me/export', { token: stranger.token });
    assertError(r, 409, 'conflict');
    assert.match(r.json.error.message, /already being prepared/);
    const list = await api('GET', '/api/v1/me/exports', { token: stranger.token });
    assert.equal(list.json.exports.length, 1);
    assert.equal(list.json.exports[0].status, 'pending');
    assert.equal(list.json.exports[0].download_url, null);
    sql(`DELETE FROM exports WHERE user_id = ${stranger.user.id}`);
  });

  it('is built by the worker, announced by export.ready and listed with its size and expiry', async () => {
    const stream = await openStream(alice);
    try {
      const x = await requestExport(alice);
      assert.equal(x.status, 'pending');
      assert.match(x.created_at, /^\d{4}-\d\d-\d\dT/);
      const ev = await stream.waitFor((e) => e.type === 'export.ready' && e.export.id === x.id, 30000, 'export.ready');
      assert.equal(ev.export.status, 'ready');
      ready = await whenDone(alice, x.id);
    } finally {
      stream.close();
    }
    assert.equal(ready.status, 'ready');
    assert.ok(ready.size > 0);
    assert.equal(ready.download_url, `/api/v1/me/exports/${ready.id}/download`);
    const days = (Date.parse(ready.expires_at) - Date.parse(ready.created_at)) / 86400000;
    assert.ok(days > 6.9 && days < 7.1, `kept 7 days: ${days}`);
  });

  it('downloads as one ZIP with the profile, conversations (escaped), uploads and an index', async () => {
    const r = await api('GET', ready.download_url, { token: alice.token, raw: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'application/zip');
    assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="parley-export-${alice.username}-\\d{4}-\\d\\d-\\d\\d\\.zip"$`));
    assert.equal(r.buf.length, ready.size);
    const z = unzip(r.buf);
    const names = Object.keys(z);
    for (const n of ['profile.json', 'contacts.json', 'index.html', `conversations/${g.id}.json`, `conversations/${g.id}.html`]) {
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    }
    const profile = JSON.parse(z['profile.json']);
    assert.equal(profile.user.username, alice.username);
    assert.equal(profile.user.display_name, alice.display_name);
    assert.equal(profile.settings.read_receipts, true);
    assert.equal(profile.settings.two_factor, false);
    const all = Object.values(z).map((b) => b.toString('latin1')).join('\n');
    assert.doesNotMatch(all, /argon2|password_hash|"secret"|"token"/i, 'no hashes, secrets or tokens anywhere');
    assert.ok(JSON.parse(z['contacts.json']).contacts);

    const conv = JSON.parse(z[`conversations/${g.id}.json`]);
    assert.equal(conv.conversation.id, g.id);
    assert.equal(conv.conversation.title, 'Plans <b>&</b>');
    const bodies = conv.messages.map((m) => m.body);
    assert.ok(bodies.includes('meet at <script>alert("x")</script> noon'));
    assert.ok(bodies.includes('bob says hello'), 'the others\' messages too');
    const gone = conv.messages.find((m) => m.seq === deletedSeq);
    assert.equal(gone.deleted, true);
    assert.equal(gone.body, null);
    assert.doesNotMatch(z[`conversations/${g.id}.json`].toString(), /a secret I took back/);
    assert.deepEqual(conv.messages.map((m) => m.seq), conv.messages.map((_, i) => i + 1), 'every seq, in order');

    const html = z[`conversations/${g.id}.html`].toString();
    assert.match(html, /meet at &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; noon/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /<title>Plans &lt;b&gt;&amp;&lt;\/b&gt;<\/title>/);
    assert.doesNotMatch(html, /a secret I took back/);

    const media = names.filter((n) => n.startsWith('media/'));
    assert.deepEqual(media, [`media/${fileId}-notes #1.bin`]);
    assert.ok(z[media[0]].equals(fileBytes), 'the uploaded bytes');
    assert.match(html, new RegExp(`href="\\.\\./media/${fileId}-notes%20%231\\.bin">notes #1\\.bin</a>`));
    const index = z['index.html'].toString();
    assert.match(index, new RegExp(`href="conversations/${g.id}\\.html"`));
    assert.match(index, /Plans &lt;b&gt;&amp;&lt;\/b&gt;/);
    assert.match(index, new RegExp(`href="media/${fileId}-notes%20%231\\.bin"`));
  });

  it('is the owner\'s alone: anyone else gets 404', async () => {
    assertError(await api('GET', ready.download_url, { token: stranger.token }), 404, 'not_found');
    assertError(await api('GET', ready.download_url, { token: bob.token }), 404, 'not_found');
    assert.equal((await api('GET', ready.download_url)).status, 401);
    const theirs = await api('GET', '/api/v1/me/exports', { token: bob.token });
    assert.deepEqual(theirs.json.exports, []);
    assertError(await api('GET', '/api/v1/me/exports/999999999/download', { token: alice.token }), 404, 'not_found');
  });

  it('expires after 7 days (410), and the clean-up deletes the file and the row', async () => {
    sql(`UPDATE exports SET expires_at = now() - interval '1 minute' WHERE id = ${ready.id}`);
    const r = await api('GET', ready.download_url, { token: alice.token });
    assertError(r, 410, 'gone');
    assert.match(r.json.error.message, /expired/);
    const list = await api('GET', '/api/v1/me/exports', { token: alice.token });
    const x = list.json.exports.find((e) => e.id === ready.id);
    assert.equal(x.expired, true);
    assert.equal(x.download_url, null);
    if (MEDIA_DIR) assert.ok(existsSync(exportFile(ready.id)), 'the file is there until the clean-up');
    cli('jobs', 'enqueue', 'export.cleanup');
    const until = Date.now() + 20000;
    while (sql(`SELECT count(*) FROM exports WHERE id = ${ready.id}`) !== '0') {
      assert.ok(Date.now() < until, 'the clean-up deleted the row');
      await sleep(200);
    }
    if (MEDIA_DIR) assert.ok(!existsSync(exportFile(ready.id)), 'and the file');
  });

  it('goes with the account', async () => {
    const carol = await register();
    const x = await requestExport(carol);
    await whenDone(carol, x.id);
    if (MEDIA_DIR) assert.ok(existsSync(exportFile(x.id)));
    assertOk(await api('DELETE', '/api/v1/me', { token: carol.token, json: { password: PASSWORD } }), 200);
    assert.equal(sql(`SELECT count(*) FROM exports WHERE user_id = ${carol.user.id}`), '0');
    if (MEDIA_DIR) assert.ok(!existsSync(exportFile(x.id)), 'the file is deleted');
  });

  it('works from the /me page without JavaScript (CSRF-protected form, a notice, the list)', async () => {
    const dave = await register();
    const f = await api('GET', '/login');
    const login = await api('POST', '/login', {
      form: { username: dave.username, password: PASSWORD, csrf_token: inputValue(f.text, 'csrf_token') },
      cookie: { parley_csrf: f.cookies.parley_csrf.value },
    });
    assert.equal(login.status, 303);
    const cookie = { parley_session: login.cookies.parley_session.value };
    const me = await api('GET', '/me', { cookie });
    assert.match(me.text, /<form method="post" action="\/me\/export">/);
    const csrf = metaContent(me.text, 'csrf-token');
    assert.equal((await api('POST', '/me/export', { cookie, form: {} })).status, 403, 'no CSRF token: refused');
    assert.equal(sql(`SELECT count(*) FROM exports WHERE user_id = ${dave.user.id}`), '0');
    const r = await api('POST', '/me/export', { cookie, form: { csrf_token: csrf } });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/me/exports?done=requested');
    const page = await api('GET', '/me/exports?done=requested', { cookie });
    assert.equal(page.status, 200);
    assert.match(page.text, /Your export is being prepared/);
    const id = Number(sql(`SELECT id FROM exports WHERE user_id = ${dave.user.id}`));
    await whenDone(dave, id);
    const after = await api('GET', '/me/exports', { cookie });
    assert.match(after.text, new RegExp(`href="/me/exports/${id}/download"`));
    const dl = await api('GET', `/me/exports/${id}/download`, { cookie, raw: true });
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'application/zip');
    assert.ok(unzip(dl.buf)['profile.json']);
  });

  it('is rate limited: at most 5 a day', async () => {
    const erin = await register();
    for (let i = 0; i < 5; i++) {
      const x = await requestExport(erin);
      await whenDone(erin, x.id);
    }
    const r = await api('POST', '/api/v1/me/export', { token: erin.token });
    assertError(r, 429, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  });
});
