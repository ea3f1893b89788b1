// haproxy-failover.mjs — driven by check-haproxy.sh: two app nodes (PARLEY_URL, PARLEY_URL2)
// behind HAProxy (HAPROXY_URL). A message sent through node 1 arrives on a stream held
// through node 2; then a stream through HAProxy loses its node (the node's web server is
// killed), messages are sent meanwhile, and the client reconnects through HAProxy with
// Last-Event-ID and gets every one of them, on the other node.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { register, createGroup, sendAt, SseStream, sleep } from '../api/lib.mjs';

const { PARLEY_URL: URL1, PARLEY_URL2: URL2, HAPROXY_URL: HA, VAR } = process.env;
const isMsg = (convId, seq) => (e) => e.type === 'message.created' && e.conversation_id === convId && e.seq === seq;
const say = (s) => console.log(`ok - ${s}`);

const [alice, bob] = await Promise.all([register(), register()]);
const g = await createGroup(alice, [bob], { title: 'Failover' });

// Across nodes: sent on node 1, delivered by node 2's hub.
const direct = await SseStream.open(bob, { base: URL2 });
await sleep(100);
const m0 = await sendAt(URL1, alice, g.id, 'sent through node 1');
await direct.waitFor(isMsg(g.id, m0.seq), 5000, `seq ${m0.seq} on node 2`);
await direct.close();
say(`a message sent through node 1 arrives on a stream through node 2 (seq ${m0.seq})`);

// A stream through HAProxy, and which node serves it (the test's X-Parley-Node header).
const s = await SseStream.open(bob, { base: HA });
const node = s.headers.get('x-parley-node');
assert.ok(node === 'node1' || node === 'node2', `X-Parley-Node: ${node}`);
await sleep(100);
const m1 = await sendAt(HA, alice, g.id, 'before the failure');
await s.waitFor(isMsg(g.id, m1.seq), 5000, `seq ${m1.seq} through HAProxy`);
const lastId = s.lastId;
assert.ok(lastId, 'the stream gave an event id');
say(`a stream through HAProxy (on ${node}) gets seq ${m1.seq}, event id ${lastId}`);

// The serving node's web server dies under the stream.
const pidFile = `${VAR}/run/lighttpd${node === 'node2' ? '2' : ''}.pid`;
process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
const why = await Promise.race([s.ended, sleep(20000).then(() => 'still open after 20 s')]);
assert.notEqual(why, 'still open after 20 s', 'the stream ends with its node');
say(`killing ${node}'s web server ends the stream (${why})`);

// Sent while the client is away: every one acknowledged (201) through HAProxy.
const missed = [];
for (let i = 0; i < 5; i++) missed.push((await sendAt(HA, alice, g.id, `while away ${i}`)).seq);
say(`5 messages acknowledged through HAProxy while the stream was down (seq ${missed.join(', ')})`);

// The reconnect with Last-Event-ID, as a browser's EventSource does.
const t0 = performance.now();
const again = await SseStream.open(bob, { base: HA, lastEventId: lastId });
const other = again.headers.get('x-parley-node');
assert.notEqual(other, node, 'the reconnect lands on the node that is up');
for (const seq of missed) await again.waitFor(isMsg(g.id, seq), 5000, `missed seq ${seq}`);
const dup = again.events.filter(isMsg(g.id, m1.seq)).length;
assert.equal(dup, 0, 'the event before Last-Event-ID is not sent again');
const after = await sendAt(HA, alice, g.id, 'after the reconnect');
await again.waitFor(isMsg(g.id, after.seq), 5000, `seq ${after.seq} live`);
await again.close();
say(`the reconnect with Last-Event-ID (on ${other}, ${Math.round(performance.now() - t0)} ms) got all 5 missed messages, none twice, then live ones`);
