// backup-roundtrip.mjs — the two halves of check-backup.sh's round trip, against the stack at
// PARLEY_URL:
//   node backup-roundtrip.mjs seed STATE     people, a group, messages and files; what a member
//                                            sees is written to the JSON file STATE
//   node backup-roundtrip.mjs verify STATE   after the restore: the same people sign in again
//                                            and see the same history and the same file bytes
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { api, register, login, createGroup, send, allMessages } from '../api/lib.mjs';
import { png } from './media-files.mjs';

const sha = (b) => createHash('sha256').update(b).digest('hex');
const [phase, stateFile] = process.argv.slice(2);

async function uploadOk(u, bytes, name) {
  const r = await api('POST', `/api/v1/media?name=${encodeURIComponent(name)}`, {
    token: u.token, body: bytes, headers: { 'Content-Type': 'application/octet-stream' }, timeout: 60000,
  });
  assert.equal(r.status, 201, `upload ${name}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.json.media;
}

// A photo is shown to others once the worker made its clean copy (503 until then).
async function download(u, url) {
  let d;
  for (let i = 0; i < 60; i++) {
    d = await api('GET', url, { token: u.token, raw: true });
    if (d.status !== 503) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.equal(d.status, 200, `download ${url}: ${d.status}`);
  return d.buf;
}

// What a member sees of a message: who, what, when, and the files' names and sizes.
const view = (m) => ({
  seq: m.seq, body: m.body, sender: m.sender?.username ?? m.sender_id, created_at: m.created_at,
  attachments: (m.attachments || []).map((a) => ({ id: a.id, name: a.name, size: a.size, url: a.url })),
});

if (phase === 'seed') {
  const [alice, bob] = await Promise.all([register(), register()]);
  const g = await createGroup(alice, [bob], { title: 'Backups ✓' });
  await send(alice, g.id, 'first: before the backup');
  await send(bob, g.id, 'déjà vu — ünïcödé 🎉');
  const file = randomBytes(150000);
  const pic = png(40, 30, { gradient: true });
  const m1 = await uploadOk(alice, file, 'ledger.bin');
  const m2 = await uploadOk(alice, pic, 'photo.png');
  const r = await api('POST', `/api/v1/conversations/${g.id}/messages`, {
    token: alice.token, json: { body: 'two files', media_ids: [m1.id, m2.id] },
  });
  assert.equal(r.status, 201, `send with files: ${r.status} ${r.text.slice(0, 200)}`);
  const history = (await allMessages(bob, g.id)).map(view);
  assert.ok(history.length >= 3, `history: ${JSON.stringify(history)}`);
  const files = {};
  for (const m of [m1, m2]) files[m.url] = sha(await download(bob, m.url));
  assert.equal(files[m1.url], sha(file));
  writeFileSync(stateFile, JSON.stringify({
    alice: { username: alice.username, password: alice.password, token: alice.token },
    bob: { username: bob.username, password: bob.password, token: bob.token },
    group: g.id, history, files,
  }, null, 2));
  console.log(`seeded: group ${g.id}, ${history.length} messages, ${Object.keys(files).length} files`);
} else if (phase === 'verify') {
  const s = JSON.parse(readFileSync(stateFile, 'utf8'));
  // Sessions live in Redis, not in a backup. This stack kept its Redis (with its append-only
  // file) through the wipe and the restore, so the old session still names the same, restored
  // account; the passwords work as well.
  const old = await api('GET', '/api/v1/me', { token: s.bob.token });
  assert.equal(old.status, 200, `an old session after the restore: ${old.status}`);
  assert.equal(old.json.user.username, s.bob.username);
  const bob = { ...s.bob, token: await login(s.bob.username, s.bob.password) };
  const alice = { ...s.alice, token: await login(s.alice.username, s.alice.password) };
  const history = (await allMessages(bob, s.group)).map(view);
  assert.deepEqual(history, s.history, 'the history after the restore');
  for (const [url, want] of Object.entries(s.files)) {
    assert.equal(sha(await download(bob, url)), want, `the bytes of ${url} after the restore`);
  }
  // The conversation goes on where it stopped: the next message takes the next seq.
  const next = await send(alice, s.group, 'after the restore');
  assert.equal(next.seq, s.history.at(-1).seq + 1, 'seq continues after the restore');
  console.log(`verified: ${history.length} messages identical, ${Object.keys(s.files).length} files byte-identical, seq continues at ${next.seq}`);
} else {
  console.error('usage: node backup-roundtrip.mjs seed|verify STATE');
  process.exit(2);
}
