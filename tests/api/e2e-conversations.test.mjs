// End-to-end encrypted conversations on the server (docs/API.md "Encrypted conversations"):
// such a conversation takes envelopes (per-device ciphertexts, or one sender-key message),
// never a body; each reader gets only their own devices' envelopes; search, previews and
// events never carry readable content. The ciphertexts here are random bytes in the wire
// formats' shapes (cgi/e2e): the server cannot tell them from real ones, and must not try.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  api, register, assertError, createConversationRaw, uuid, sql, haveDb, openStream, listConversations,
  b64url as b64, e2eDevice as device,
} from './lib.mjs';

// A ciphertext of the wire kind (0x11 ratchet message, 0x12 prekey message, 0x13 group
// message) with n bytes after the kind byte, the given text inside (to search for later).
function wire(kind, n = 120, text = '') {
  const b = Buffer.concat([Buffer.from([kind]), Buffer.from(text), randomBytes(n)]);
  return b64(b);
}
const env = (device_id, type = 'message', ct) => ({ device_id, type, ciphertext: ct ?? wire(type === 'prekey' ? 0x12 : 0x11, 200) });

const create = (u, body) => createConversationRaw(u, body);
const sendRaw = (u, convId, json) => api('POST', `/api/v1/conversations/${convId}/messages`, { token: u.token, json });
const history = (u, convId, q = '') => api('GET', `/api/v1/conversations/${convId}/messages${q}`, { token: u.token });

async function encryptedDirect() {
  const a = await register(), b = await register();
  const [a1, a2, b1] = [await device(a), await device(a), await device(b)];
  const r = await create(a, { kind: 'direct', members: [b.user.id], e2e: true });
  assert.equal(r.status, 201, r.text);
  return { a, b, a1, a2, b1, conv: r.json.conversation };
}

describe('creating an encrypted conversation', () => {
  it('makes an encrypted direct conversation beside the plain one, and an encrypted group', async () => {
    const a = await register(), b = await register();
    const plain = await create(a, { kind: 'direct', members: [b.user.id] });
    assert.equal(plain.status, 201, plain.text);
    assert.equal(plain.json.conversation.e2e, false);
    const enc = await create(a, { kind: 'direct', members: [b.user.id], e2e: true });
    assert.equal(enc.status, 201, enc.text);
    assert.equal(enc.json.conversation.e2e, true);
    assert.notEqual(enc.json.conversation.id, plain.json.conversation.id);
    // Asking again finds the same encrypted one.
    const again = await create(b, { kind: 'direct', members: [a.user.id], e2e: true });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.conversation.id, enc.json.conversation.id);
    const g = await create(a, { kind: 'group', title: 'Secret group', members: [b.user.id], e2e: true });
    assert.equal(g.status, 201, g.text);
    assert.equal(g.json.conversation.e2e, true);
    const list = await listConversations(b);
    assert.equal(list.find((c) => c.id === g.json.conversation.id)?.e2e, true);
  });

  it('refuses an encrypted channel (400)', async () => {
    const a = await register();
    const r = await create(a, { kind: 'channel', title: 'News', members: [], e2e: true });
    assertError(r, 400, 'invalid_field', 'e2e');
  });

  it('cannot be turned off, even in the database', { skip: !haveDb && 'needs PARLEY_DB' }, async () => {
    const { conv } = await encryptedDirect();
    assert.throws(() => sql(`UPDATE conversations SET e2e = false WHERE id = ${conv.id}`), /cannot be turned back/);
  });
});

describe('sending into an encrypted conversation', () => {
  it('accepts envelopes for the members\' devices (201) and refuses a body (400)', async () => {
    const { a, b, a1, a2, b1, conv } = await encryptedDirect();
    const body = await sendRaw(a, conv.id, { body: 'hello in the clear', client_id: uuid() });
    const e = assertError(body, 400, 'invalid_field', 'body');
    assert.match(e.message, /end-to-end encrypted/);
    const r = await sendRaw(a, conv.id, { device_id: a1, client_id: uuid(),
      envelopes: [env(b1, 'prekey'), env(a2)] });
    assert.equal(r.status, 201, r.text);
    const m = r.json.message;
    assert.equal(m.body, null);
    assert.equal(m.html, '');
    assert.equal(m.e2e.device_id, a1);
    assert.equal(m.e2e.group, null);
    // The sender sees their own other device's envelope only.
    assert.deepEqual(m.e2e.envelopes.map((x) => x.device_id), [a2]);
    // Plain conversations refuse envelopes.
    const plain = await create(a, { kind: 'direct', members: [b.user.id] });
    assertError(await sendRaw(a, plain.json.conversation.id, { device_id: a1, envelopes: [env(b1)] }), 400,
      'invalid_field', 'envelopes');
  });

  it('checks every field strictly (400 with the field), never 500', async () => {
    const { a, b, a1, b1, conv } = await encryptedDirect();
    const stranger = await register();
    const s1 = await device(stranger);
    const cases = [
      [{ envelopes: [env(b1)] }, 'device_id'],                                   // no sending device
      [{ device_id: 'nope', envelopes: [env(b1)] }, 'device_id'],
      [{ device_id: b1, envelopes: [env(a1)] }, 'device_id'],                     // not the sender's own
      [{ device_id: a1 }, 'envelopes'],                                          // nothing to send
      [{ device_id: a1, envelopes: [] }, 'envelopes'],
      [{ device_id: a1, envelopes: 'x' }, 'envelopes'],
      [{ device_id: a1, envelopes: [env(s1)] }, 'envelopes'],                     // not a member's device
      [{ device_id: a1, envelopes: [env(uuid())] }, 'envelopes'],                 // no such device
      [{ device_id: a1, envelopes: [env(a1)] }, 'envelopes'],                     // to itself
      [{ device_id: a1, envelopes: [env(b1), env(b1)] }, 'envelopes'],            // twice
      [{ device_id: a1, envelopes: [{ device_id: b1, type: 'other', ciphertext: wire(0x11) }] }, 'envelopes'],
      [{ device_id: a1, envelopes: [env(b1, 'message', 'not base64!')] }, 'envelopes'],
      [{ device_id: a1, envelopes: [env(b1, 'message', wire(0x11) + '==')] }, 'envelopes'],   // padded
      [{ device_id: a1, envelopes: [env(b1, 'message', wire(0x12, 200))] }, 'envelopes'],     // wrong kind
      [{ device_id: a1, envelopes: [env(b1, 'message', wire(0x11, 10))] }, 'envelopes'],      // too short
      [{ device_id: a1, envelopes: [env(b1, 'message', wire(0x11, 70000))] }, 'envelopes'],   // too long
      [{ device_id: a1, group: wire(0x11, 200) }, 'group'],
      [{ device_id: a1, group: 12 }, 'group'],
      [{ device_id: a1, envelopes: [env(b1)], media_ids: [1] }, 'media_ids'],
    ];
    for (const [json, field] of cases) {
      const r = await sendRaw(a, conv.id, { client_id: uuid(), ...json });
      assertError(r, 400, undefined, field);
    }
    const many = Array.from({ length: 1001 }, () => env(uuid(), 'message', wire(0x11, 60)));
    assertError(await sendRaw(a, conv.id, { device_id: a1, envelopes: many }), 400, undefined, 'envelopes');
    // Nothing was stored by any of them.
    assert.equal((await history(a, conv.id)).json.messages.length, 0);
    assert.equal((await history(b, conv.id)).json.messages.length, 0);
  });

  it('is idempotent by client_id', async () => {
    const { a, a1, b1, conv } = await encryptedDirect();
    const json = { device_id: a1, client_id: uuid(), envelopes: [env(b1)] };
    const r1 = await sendRaw(a, conv.id, json), r2 = await sendRaw(a, conv.id, json);
    assert.equal(r1.status, 201, r1.text);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.json.message.seq, r1.json.message.seq);
  });
});

describe('reading an encrypted conversation', () => {
  it('gives each member only their own devices\' envelopes, and a stranger nothing (404)', async () => {
    const { a, b, a1, a2, b1, conv } = await encryptedDirect();
    const b2 = await device(b);
    const forB1 = wire(0x11, 100), forB2 = wire(0x12, 200), forA2 = wire(0x11, 90);
    const r = await sendRaw(a, conv.id, { device_id: a1, client_id: uuid(),
      envelopes: [env(b1, 'message', forB1), env(b2, 'prekey', forB2), env(a2, 'message', forA2)] });
    assert.equal(r.status, 201, r.text);
    const hb = await history(b, conv.id);
    assert.equal(hb.status, 200, hb.text);
    const mb = hb.json.messages.at(-1);
    assert.equal(mb.body, null);
    const got = Object.fromEntries(mb.e2e.envelopes.map((x) => [x.device_id, x]));
    assert.deepEqual(Object.keys(got).sort(), [b1, b2].sort());
    assert.equal(got[b1].ciphertext, forB1);
    assert.equal(got[b1].type, 'message');
    assert.equal(got[b2].ciphertext, forB2);
    assert.equal(got[b2].type, 'prekey');
    const ha = await history(a, conv.id);
    assert.deepEqual(ha.json.messages.at(-1).e2e.envelopes, [{ device_id: a2, type: 'message', ciphertext: forA2 }]);
    const one = await api('GET', `/api/v1/conversations/${conv.id}`, { token: b.token });
    assert.equal(one.json.messages.at(-1).e2e.envelopes.length, 2);
    // A stranger sees neither the conversation nor its messages.
    const stranger = await register();
    await device(stranger);
    assertError(await history(stranger, conv.id), 404, 'not_found');
    assertError(await api('GET', `/api/v1/conversations/${conv.id}`, { token: stranger.token }), 404, 'not_found');
  });

  it('group: one sender-key message for all plus distribution envelopes; events carry no envelopes', async () => {
    const a = await register(), b = await register(), c = await register();
    const [a1, b1, c1] = [await device(a), await device(b), await device(c)];
    const g = (await create(a, { kind: 'group', title: 'Sealed', members: [b.user.id, c.user.id], e2e: true })).json.conversation;
    const s = await openStream(b);
    try {
      const group = wire(0x13, 150);
      const r = await sendRaw(a, g.id, { device_id: a1, client_id: uuid(), group,
        envelopes: [env(b1, 'prekey'), env(c1, 'prekey')] });
      assert.equal(r.status, 201, r.text);
      const seq = r.json.message.seq;
      const ev = await s.waitFor((e) => e.type === 'message.created' && e.conversation_id === g.id && e.seq === seq, 3000, 'event');
      assert.equal(ev.message.body, null);
      assert.equal(ev.message.e2e.group, group);
      assert.equal(ev.message.e2e.device_id, a1);
      assert.equal(ev.message.e2e.envelopes, null, 'the event names no device: each fetches its own');
      const mb = (await history(b, g.id, `?after=${seq - 1}`)).json.messages[0];
      assert.equal(mb.e2e.group, group);
      assert.deepEqual(mb.e2e.envelopes.map((x) => x.device_id), [b1]);
      // Later messages need no envelopes at all.
      const r2 = await sendRaw(a, g.id, { device_id: a1, client_id: uuid(), group: wire(0x13, 150) });
      assert.equal(r2.status, 201, r2.text);
      assert.deepEqual((await history(c, g.id)).json.messages.at(-1).e2e.envelopes, []);
    } finally {
      await s.close();
    }
  });

  it('a removed member gets nothing more and cannot be addressed', async () => {
    const a = await register(), b = await register(), c = await register();
    const [a1, b1, c1] = [await device(a), await device(b), await device(c)];
    const g = (await create(a, { kind: 'group', title: 'Shrinking', members: [b.user.id, c.user.id], e2e: true })).json.conversation;
    assert.equal((await sendRaw(a, g.id, { device_id: a1, envelopes: [env(b1), env(c1)] })).status, 201);
    const rm = await api('DELETE', `/api/v1/conversations/${g.id}/members/${c.user.id}`, { token: a.token });
    assert.ok([200, 204].includes(rm.status), rm.text);
    assertError(await sendRaw(a, g.id, { device_id: a1, envelopes: [env(b1), env(c1)] }), 400, undefined, 'envelopes');
    const s = await openStream(c);
    try {
      const r = await sendRaw(a, g.id, { device_id: a1, group: wire(0x13, 150), envelopes: [env(b1)] });
      assert.equal(r.status, 201, r.text);
      await new Promise((res) => setTimeout(res, 1000));
      assert.equal(s.events.filter((e) => e.conversation_id === g.id && e.type === 'message.created').length, 0);
    } finally {
      await s.close();
    }
    assertError(await history(c, g.id), 404, 'not_found');
  });
});

describe('what the server shows of encrypted messages', () => {
  it('search never finds them; previews say "Encrypted message"; edits refused; reactions, receipts, deletes work', async () => {
    const { a, b, a1, b1, conv } = await encryptedDirect();
    const word = `zebra${Date.now()}`;
    const r = await sendRaw(a, conv.id, { device_id: a1, envelopes: [env(b1, 'message', wire(0x11, 60, word))] });
    assert.equal(r.status, 201, r.text);
    const seq = r.json.message.seq;
    const found = await api('GET', `/api/v1/search?q=${word}`, { token: b.token });
    assert.equal(found.status, 200, found.text);
    assert.equal(found.json.messages.length, 0);
    // The same word in a plain conversation is found: the search itself works.
    const plain = (await create(a, { kind: 'direct', members: [b.user.id] })).json.conversation;
    assert.equal((await sendRaw(a, plain.id, { body: `plain ${word}` })).status, 201);
    const again = await api('GET', `/api/v1/search?q=${word}`, { token: b.token });
    assert.deepEqual(again.json.messages.map((m) => m.conversation_id ?? m.conversation?.id), [plain.id]);
    const list = await listConversations(b);
    assert.equal(list.find((x) => x.id === conv.id).last_message.excerpt, 'Encrypted message');
    assertError(await api('PATCH', `/api/v1/conversations/${conv.id}/messages/${seq}`, { token: a.token, json: { body: 'x' } }),
      400, undefined);
    const re = await api('POST', `/api/v1/conversations/${conv.id}/messages/${seq}/reactions`, { token: b.token, json: { emoji: '👍' } });
    assert.equal(re.status, 200, re.text);
    assert.equal(re.json.message.reactions[0].emoji, '👍');
    const rd = await api('POST', `/api/v1/conversations/${conv.id}/read`, { token: b.token, json: { seq } });
    assert.equal(rd.status, 200, rd.text);
    assert.equal(rd.json.read_seq, seq);
    const mine = (await history(a, conv.id)).json.messages.at(-1);
    assert.equal(mine.receipt.state, 'read');
    const del = await api('DELETE', `/api/v1/conversations/${conv.id}/messages/${seq}`, { token: a.token });
    assert.equal(del.status, 204, del.text);
    const gone = (await history(b, conv.id)).json.messages.at(-1);
    assert.equal(gone.deleted, true);
    assert.deepEqual(gone.e2e.envelopes, []);
    if (haveDb) assert.equal(sql(`SELECT count(*) FROM e2e_envelopes WHERE conversation_id = ${conv.id}`).trim(), '0');
  });

  it('the page says plainly that it needs JavaScript', async () => {
    const { b, conv } = await encryptedDirect();
    const r = await api('GET', `/conversations/${conv.id}`, { token: b.token, headers: { accept: 'text/html' } });
    assert.equal(r.status, 200);
    assert.match(r.text, /end-to-end encrypted/i);
    assert.match(r.text, /needs JavaScript/);
  });
});

describe('a data export of an encrypted conversation', () => {
  it('says "Encrypted message" where the text would be, and holds no envelope', async () => {
    const { a, b, a1, b1, conv } = await encryptedDirect();
    const ct = wire(0x11, 80);
    assert.equal((await sendRaw(a, conv.id, { device_id: a1, envelopes: [env(b1, 'message', ct)] })).status, 201);
    const x = await api('POST', '/api/v1/me/export', { token: b.token });
    assert.equal(x.status, 202, x.text);
    let done;
    for (const until = Date.now() + 30000; Date.now() < until; await new Promise((r) => setTimeout(r, 200))) {
      done = (await api('GET', '/api/v1/me/exports', { token: b.token })).json.exports.find((e) => e.id === x.json.export.id);
      if (done.status !== 'pending') break;
    }
    assert.equal(done.status, 'ready');
    const zip = await api('GET', done.download_url, { token: b.token, raw: true });
    assert.equal(zip.status, 200);
    const html = execFileSync('python3', ['-c', `
import sys, zipfile, io
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
sys.stdout.write(z.read('conversations/${conv.id}.html').decode())
`], { input: zip.buf, encoding: 'utf8' });
    assert.match(html, /Encrypted message/);
    assert.ok(!html.includes(ct), 'no ciphertext in the export');
  });
});

describe('all_devices: the sender says it wrote to every device', () => {
  it('names a member\'s device without an envelope (409), so the sender can fetch bundles again', async () => {
    const { a, b, a1, a2, b1, conv } = await encryptedDirect();
    // Its own other device is a recipient too.
    let r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, envelopes: [env(b1)] });
    assertError(r, 409, 'conflict', 'envelopes');
    assert.ok(r.json.error.message.includes(a2), r.json.error.message);
    assert.ok(!r.json.error.message.includes(b1) && !r.json.error.message.includes(a1), r.json.error.message);
    assert.equal((await history(b, conv.id)).json.messages.length, 0, 'nothing was stored');
    r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, envelopes: [env(b1), env(a2)] });
    assert.equal(r.status, 201, r.text);
    // A device Ben registers afterwards is named, until the sender includes it.
    const b2 = await device(b);
    r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, envelopes: [env(b1), env(a2)] });
    assertError(r, 409, 'conflict', 'envelopes');
    assert.ok(r.json.error.message.includes(b2), r.json.error.message);
    r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, envelopes: [env(b1), env(a2), env(b2, 'prekey')] });
    assert.equal(r.status, 201, r.text);
    // Without all_devices a partial list is still taken (a sender may skip a device on purpose).
    r = await sendRaw(a, conv.id, { device_id: a1, envelopes: [env(b1)] });
    assert.equal(r.status, 201, r.text);
    assert.equal((await history(b, conv.id)).json.messages.length, 3);
  });
});

describe('attachments in an encrypted conversation', () => {
  const upload = (u, bytes, q) => api('POST', `/api/v1/media?name=encrypted${q}`, {
    token: u.token, body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });

  it('takes blobs uploaded as opaque, refuses a plain upload (400), and lets members download the blob', async () => {
    const { a, b, a1, a2, b1, conv } = await encryptedDirect();
    // A PNG's bytes uploaded plainly would be sniffed and processed: refused here.
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
      '1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082', 'hex');
    const plain = await upload(a, png, '');
    assert.equal(plain.status, 201, plain.text);
    const r1 = await sendRaw(a, conv.id, { device_id: a1, envelopes: [env(b1), env(a2)], media_ids: [plain.json.media.id] });
    assertError(r1, 400, 'invalid_field', 'media_ids');
    assert.match(r1.json.error.message, /opaque=1/);
    // A sealed blob (random bytes, as far as the server can tell) is attached as it is.
    const blob = randomBytes(5000);
    const up = await upload(a, blob, '&opaque=1');
    assert.equal(up.status, 201, up.text);
    assert.equal(up.json.media.kind, 'opaque');
    const r2 = await sendRaw(a, conv.id, { device_id: a1, envelopes: [env(b1), env(a2)], media_ids: [up.json.media.id] });
    assert.equal(r2.status, 201, r2.text);
    const m = (await history(b, conv.id)).json.messages.at(-1);
    assert.deepEqual(m.attachments.map((x) => [x.id, x.kind]), [[up.json.media.id, 'opaque']]);
    const got = await api('GET', `/api/v1/media/${up.json.media.id}`, { token: b.token, raw: true });
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'application/octet-stream');
    assert.ok(got.buf.equals(blob), 'the blob comes back byte for byte');
    // Another person's opaque blob cannot be attached; a stranger cannot download it.
    const c = await register();
    const theirs = await upload(c, randomBytes(100), '&opaque=1');
    assertError(await sendRaw(a, conv.id, { device_id: a1, envelopes: [env(b1), env(a2)], media_ids: [theirs.json.media.id] }),
      400, 'invalid_field', 'media_ids');
    assertError(await api('GET', `/api/v1/media/${up.json.media.id}`, { token: c.token }), 404, 'not_found');
  });
});

describe('all_devices with a sender-key message', () => {
  it('counts a device as covered once the sender gave it an envelope here; a new one is named (409)', async () => {
    const a = await register(), b = await register();
    const [a1, a2, b1] = [await device(a), await device(a), await device(b)];
    const g = await create(a, { kind: 'group', title: 'Keys', members: [b.user.id], e2e: true });
    assert.equal(g.status, 201, g.text);
    const conv = g.json.conversation;
    const group = () => wire(0x13, 120);
    // The first carries the sender key to both other devices; then the group message alone.
    assertError(await sendRaw(a, conv.id, { device_id: a1, all_devices: true, group: group(), envelopes: [env(b1)] }),
      409, 'conflict', 'envelopes');
    let r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, group: group(), envelopes: [env(b1), env(a2)] });
    assert.equal(r.status, 201, r.text);
    r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, group: group() });
    assert.equal(r.status, 201, r.text);
    // Ben's new device has had nothing from a1: named until it gets an envelope.
    const b2 = await device(b);
    r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, group: group() });
    assertError(r, 409, 'conflict', 'envelopes');
    assert.ok(r.json.error.message.includes(b2) && !r.json.error.message.includes(b1), r.json.error.message);
    r = await sendRaw(a, conv.id, { device_id: a1, all_devices: true, group: group(), envelopes: [env(b2, 'prekey')] });
    assert.equal(r.status, 201, r.text);
    // Another sending device has given nobody its key yet.
    assertError(await sendRaw(a, conv.id, { device_id: a2, all_devices: true, group: group() }), 409, 'conflict', 'envelopes');
    assert.equal((await history(b, conv.id)).json.messages.filter((x) => x.e2e).length, 3);
  });
});
