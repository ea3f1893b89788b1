// e2e-search.mjs — `make bench`'s figures for search on the device (static/js/e2e-search.js):
// indexing 5,000 decrypted messages and querying them, under Node over the in-memory adapter
// (the index logic alone; Node has no IndexedDB) and in Chromium over IndexedDB, the store
// the page uses, then the same messages again (a page shown again: nothing changes). The
// messages are made up: 8 to 30 words each from a vocabulary of 5,000
// with a Zipf-like spread, in 10 conversations; indexed in passes of 50, as the page writes
// one pass of its list at a time. Chromium is Debian's (CHROMIUM, default /usr/bin/chromium)
// driven by playwright-core; static/ is served by a small server of this script.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makeIndex, memoryAdapter, parseQuery } from '../../static/js/e2e-search.js';

const N = 5000, PASS = Number(process.env.BENCH_PASS) || 50;   // BENCH_PASS: messages per transaction
const root = fileURLToPath(new URL('../../static/', import.meta.url));

// The made-up history: deterministic (a small LCG), so Node and Chromium index the same.
function history() {
  let seed = 42;
  const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vi', 'so', 'pe', 'da', 'gu', 'fo', 'zé', 'bä', 'ch'];
  const vocab = Array.from({ length: 5000 }, () => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => syll[Math.floor(rnd() * syll.length)]).join(''));
  const pick = () => vocab[Math.floor(vocab.length * rnd() ** 3)];     // low indexes common
  const t0 = Date.UTC(2026, 0, 1);
  // One message holds a word no other has (the rare query).
  return Array.from({ length: N }, (_, i) => ({
    c: 1 + (i % 10), s: 1 + Math.floor(i / 10), at: t0 + i * 60_000, sender: 'Ada', from: 'ada',
    text: Array.from({ length: 8 + Math.floor(rnd() * 23) }, pick).join(' ') + (i === 4321 ? ' needlequartz' : ''),
  }));
}

// The queries timed: a rare word, a common one, a short prefix, two words, one conversation.
function queries(messages) {
  const words = messages[0].text.split(' ');
  return [['rare word', 'needlequartz'], ['common word', words[0]], ['2-letter prefix', words[1].slice(0, 2)],
    ['two words', `${words[0]} ${words[1]}`], ['common word, one conversation', words[0], 3]];
}

async function run(index, messages) {
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i += PASS) await index.addMany(messages.slice(i, i + PASS));
  const indexing = performance.now() - t0;
  const t1 = performance.now();
  for (let i = 0; i < messages.length; i += PASS) await index.addMany(messages.slice(i, i + PASS));
  const again = performance.now() - t1;
  const out = [];
  for (const [what, q, conv] of queries(messages)) {
    const query = parseQuery(q);
    let hits = [];
    const times = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      hits = await index.search(query, { conv: conv ?? null });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    out.push({ what, q, hits: hits.length, ms: times[2] });
  }
  return { indexing, again, out };
}

function report(where, r) {
  console.log(`${`index ${N} messages (${where})`.padEnd(46)} ${r.indexing.toFixed(0)} ms (${(r.indexing / N).toFixed(3)} ms each)`);
  console.log(`${`  the same again, unchanged (${where})`.padEnd(46)} ${r.again.toFixed(0)} ms (a page shown again)`);
  for (const q of r.out) console.log(`${`  search: ${q.what} (${where})`.padEnd(46)} ${q.ms.toFixed(1)} ms, ${q.hits} hits (median of 5)`);
}

const messages = history();
console.log(`\nsearch on the device (static/js/e2e-search.js; ${N} messages, passes of ${PASS})`);
report('Node, in memory', await run(makeIndex(memoryAdapter()), messages));

// Chromium over IndexedDB: the page imports the module from this script's server.
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<!doctype html><title>bench</title>'); return; }
  try {
    const body = readFileSync(root + path.replace(/^\/static\//, '').replace(/\.\./g, ''));
    res.writeHead(200, { 'Content-Type': path.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' });
    res.end(body);
  } catch { res.writeHead(404); res.end(); }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const r = await page.evaluate(async ({ messages, qs, N: n, PASS: pass }) => {
    const m = await import('/static/js/e2e-search.js');
    const index = await m.openIndex(`bench${Date.now()}`);
    const t0 = performance.now();
    for (let i = 0; i < messages.length; i += pass) await index.addMany(messages.slice(i, i + pass));
    const indexing = performance.now() - t0;
    const t1 = performance.now();
    for (let i = 0; i < messages.length; i += pass) await index.addMany(messages.slice(i, i + pass));
    const again = performance.now() - t1;
    const out = [];
    for (const [what, q, conv] of qs) {
      const query = m.parseQuery(q);
      let hits = [];
      const times = [];
      for (let k = 0; k < 5; k++) {
        const t = performance.now();
        hits = await index.search(query, { conv: conv ?? null });
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      out.push({ what, q, hits: hits.length, ms: times[2] });
    }
    return { indexing, again, out, n };
  }, { messages, qs: queries(messages), N, PASS });
  report(`Chromium ${browser.version()}, IndexedDB`, r);
} finally {
  await browser.close();
  server.close();
}
