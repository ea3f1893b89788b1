// e2e.mjs — `make bench`'s end-to-end encryption figures: static/e2e.wasm under Node through
// static/js/e2e.js, exactly as the page calls it (every state in and out as bytes). Reports
// encrypting and decrypting one message of a one-to-one session, and the CPU time of sending
// to a group of 100 devices: one sender-key message, and the worst case, after a member
// left: a new sender key given to the 100 devices over their pairwise sessions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadE2E } from '../../static/js/e2e.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bytes = readFileSync(root + 'static/e2e.wasm');
const e = await loadE2E(bytes);
const te = new TextEncoder();
const plain = te.encode('A message of about the length people write in a chat, with an emoji 🙂.');

// CPU milliseconds (user + system) of fn, and wall milliseconds.
function cpu(fn) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
}

// A session pair, Alice's first message answered so both directions run on the ratchet.
function pair() {
  const a = e.identityNew(), b = e.identityNew();
  const spk = e.signedPrekeyNew(b, 1), opk = e.onetimePrekeyNew(1);
  let sa = e.sessionInitiate(a, e.bundle(b, spk.state, opk.state));
  const first = e.encrypt(sa, plain);
  sa = first.session;
  let sb = e.sessionRespond(b, spk.state, opk.state, first.message).session;
  const reply = e.encrypt(sb, plain);
  sb = reply.session;
  sa = e.decrypt(sa, reply.message).session;
  return { sa, sb };
}

console.log(`\nend-to-end encryption (static/e2e.wasm ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped; Node ${process.version})`);

let { sa, sb } = pair();
const N = 2000;
for (let i = 0; i < 200; i++) { const m = e.encrypt(sa, plain); sa = m.session; sb = e.decrypt(sb, m.message).session; }
const times = [];
for (let i = 0; i < N; i++) {
  const t0 = performance.now();
  const m = e.encrypt(sa, plain);
  sa = m.session;
  sb = e.decrypt(sb, m.message).session;
  times.push(performance.now() - t0);
}
times.sort((x, y) => x - y);
const q = (p) => times[Math.floor(p * (N - 1))].toFixed(3);
console.log(`${'encrypt + decrypt one message'.padEnd(46)} p50 ${q(0.5)} ms, p99 ${q(0.99)} ms (${N} runs)`);

const sessions = [];
for (let i = 0; i < 100; i++) sessions.push(pair().sa);
let own = e.groupNew(1);
for (let i = 0; i < 10; i++) own = e.groupEncrypt(own, plain).state;
const one = cpu(() => { for (let i = 0; i < 100; i++) own = e.groupEncrypt(own, plain).state; });
console.log(`${'group message to 100 devices (sender key)'.padEnd(46)} ${(one.cpu / 100).toFixed(3)} ms CPU each (one encryption and signature)`);
const fan = cpu(() => {
  own = e.groupRotate(own);
  const dist = e.groupDistribution(own);
  for (let i = 0; i < sessions.length; i++) sessions[i] = e.encrypt(sessions[i], dist).session;
  own = e.groupEncrypt(own, plain).state;
});
console.log(`${'new sender key to 100 devices, then a message'.padEnd(46)} ${fan.cpu.toFixed(1)} ms CPU (${fan.wall.toFixed(1)} ms wall)`);
const direct = cpu(() => { for (let i = 0; i < sessions.length; i++) sessions[i] = e.encrypt(sessions[i], plain).session; });
console.log(`${'one message to 100 devices pairwise'.padEnd(46)} ${direct.cpu.toFixed(1)} ms CPU (${direct.wall.toFixed(1)} ms wall)`);

// Attachments (cgi/e2e/file.c): sealing and opening a file in the page, bytes copied in and out
// of the module's memory as the page does.
for (const mb of [1, 10]) {
  const file = new Uint8Array(mb << 20);
  for (let i = 0; i < file.length; i += 65536) crypto.getRandomValues(file.subarray(i, i + 65536));
  let s;
  const seal = cpu(() => { s = e.fileSeal(file); });
  const open = cpu(() => { e.fileOpen(s.key, s.header, s.blob); });
  console.log(`${`attachment of ${mb} MB: seal, open`.padEnd(46)} ${seal.cpu.toFixed(1)} ms, ${open.cpu.toFixed(1)} ms CPU`);
}
const qr = cpu(() => { for (let i = 0; i < 100; i++) e.qr('0'.repeat(60)); });
console.log(`${'safety number QR code'.padEnd(46)} ${(qr.cpu / 100).toFixed(2)} ms CPU each`);
