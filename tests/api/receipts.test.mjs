// Receipts: delivered and read positions per member, the per-message receipt state of your
// own messages, and the setting that keeps your read position private.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, register, assertError } from './lib.mjs';

const json = (token, body) => ({ token, json: body });

async function direct(a, b) {
  const r = await api('POST', '/api/v1/conversations', json(a.token, { kind: 'direct', members: [b.user.id] }));
  assert.ok(r.status === 201 || r.status === 200, r.text);
  return r.json.conversation.id;
}

async function send(who, conv, body) {
  const r = await api('POST', `/api/v1/conversations/${conv}/messages`, json(who.token, { body }));
  assert.equal(r.status, 201, r.text);
  return r.json.message.seq;
}

async function receiptOf(who, conv, seq) {
  const r = await api('GET', `/api/v1/conversations/${conv}/messages?around=${seq}`, { token: who.token });
  assert.equal(r.status, 200, r.text);
  return r.json.messages.find((m) => m.seq === seq).receipt;
}

describe('receipts', () => {
  it('a direct message goes sent → delivered → read', async () => {
    const a = await register(), b = await register();
    const conv = await direct(a, b);
    const seq = await send(a, conv, 'hello');
    assert.deepEqual(await receiptOf(a, conv, seq), { state: 'sent', read_by: 0, delivered_to: 0, of: 1, readers: [] });

    const d = await api('POST', `/api/v1/conversations/${conv}/delivered`, json(b.token, { seq }));
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.delivered_seq, seq);
    assert.equal((await receiptOf(a, conv, seq)).state, 'delivered');

    const r = await api('POST', `/api/v1/conversations/${conv}/read`, json(b.token, { seq }));
    assert.equal(r.status, 200, r.text);
    const rc = await receiptOf(a, conv, seq);
    assert.equal(rc.state, 'read');
    assert.deepEqual(rc.readers, [b.user.display_name]);
    // Only your own messages carry receipts.
    assert.equal(await receiptOf(b, conv, seq), undefined);
  });

  it('delivered never moves backwards or past the last message', async () => {
    const a = await register(), b = await register();
    const conv = await direct(a, b);
    const seq = await send(a, conv, 'one');
    const far = await api('POST', `/api/v1/conversations/${conv}/delivered`, json(b.token, { seq: 999 }));
    assert.equal(far.json.delivered_seq, seq);
    const back = await api('POST', `/api/v1/conversations/${conv}/delivered`, json(b.token, { seq: 0 }));
    assert.equal(back.json.delivered_seq, seq);
    assertError(await api('POST', `/api/v1/conversations/${conv}/delivered`, json(b.token, {})), 400, 'missing_field');
  });

  it('groups count readers ("read by n of m"); a reader who turned receipts off does not count', async () => {
    const a = await register(), b = await register(), c = await register();
    const g = await api('POST', '/api/v1/conversations', json(a.token, { kind: 'group', title: 'R', members: [b.user.id, c.user.id] }));
    assert.equal(g.status, 201, g.text);
    const conv = g.json.conversation.id;
    const seq = await send(a, conv, 'all read this');
    await api('POST', `/api/v1/conversations/${conv}/read`, json(b.token, { seq }));
    let rc = await receiptOf(a, conv, seq);
    assert.equal(rc.read_by, 1);
    assert.equal(rc.of, 2);
    assert.equal(rc.state, 'delivered');

    const off = await api('PATCH', '/api/v1/me', json(b.token, { read_receipts: false }));
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.user.read_receipts, false);
    await api('POST', `/api/v1/conversations/${conv}/read`, json(c.token, { seq }));
    rc = await receiptOf(a, conv, seq);
    assert.equal(rc.read_by, 1, 'only C counts now');
    assert.deepEqual(rc.readers, [c.user.display_name]);

    // B, with receipts off, sees none on their own messages.
    const own = await send(b, conv, 'from b');
    assert.equal(await receiptOf(b, conv, own), undefined);
  });

  it('strangers cannot post receipts', async () => {
    const a = await register(), b = await register(), s = await register();
    const conv = await direct(a, b);
    assertError(await api('POST', `/api/v1/conversations/${conv}/delivered`, json(s.token, { seq: 1 })), 404, 'not_found');
    assertError(await api('POST', `/api/v1/conversations/${conv}/delivered`, { json: { seq: 1 } }), 401, 'unauthorized');
  });
});
