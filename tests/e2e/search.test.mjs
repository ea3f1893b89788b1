// Search on the device (static/js/e2e-search.js) under Node, over the in-memory adapter:
// folding as the server's search folds, words as prefixes, phrases, exclusions and
// operators, deletion and re-indexing, snippets with the match marked. The IndexedDB adapter
// is the same logic over IndexedDB: tests/browser/e2e-search.test.mjs runs it in Chromium.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fold, wordsOf, parseQuery, makeIndex, memoryAdapter, snippetRuns, hasPhrase, matchSpans,
} from '../../static/js/e2e-search.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const day = 86_400_000;

async function sample() {
  const ix = makeIndex(memoryAdapter());
  await ix.addMany([
    { c: 1, s: 1, text: 'Crème brûlée for Straße party', at: T0, sender: 'Ada', from: 'ada' },
    { c: 1, s: 2, text: 'the launch code is ZEBRA-42', at: T0 + day, sender: 'Ben', from: 'ben' },
    { c: 2, s: 1, text: 'zebras and lions at the zoo', at: T0 + 2 * day, sender: 'Ada', from: 'ada' },
    { c: 2, s: 2, text: 'lions sleep, zebras run', at: T0 + 3 * day, sender: 'Ben', from: 'Ben' },
  ]);
  return ix;
}
const keys = (hits) => hits.map((h) => `${h.c}:${h.s}`);
const find = (ix, q, opts) => ix.search(parseQuery(q), opts);

test('words are folded: lower case, accents and special letters off', () => {
  assert.equal(fold('Crème Brûlée ÆØ Straße'), 'creme brulee aeo strasse');
  assert.deepEqual(wordsOf('Hello, hello! e-mail ZOO 42'), ['hello', 'e', 'mail', 'zoo', '42']);
  assert.deepEqual(wordsOf('日本語 テキスト'), ['日本語', 'テキスト']);
});

test('every word is required, each as a prefix; newest first', async () => {
  const ix = await sample();
  assert.deepEqual(keys(await find(ix, 'zebra')), ['2:2', '2:1', '1:2']);       // prefix: zebras too
  assert.deepEqual(keys(await find(ix, 'zebra lions')), ['2:2', '2:1']);
  assert.deepEqual(keys(await find(ix, 'zebra lio')), ['2:2', '2:1']);
  assert.deepEqual(keys(await find(ix, 'zebra code')), ['1:2']);
  assert.deepEqual(keys(await find(ix, 'zebr cod')), ['1:2']);
  assert.deepEqual(keys(await find(ix, 'ebra')), [], 'a prefix, not anywhere in a word');
  assert.deepEqual(keys(await find(ix, 'creme brul')), ['1:1']);
  assert.deepEqual(keys(await find(ix, 'CRÈME strasse')), ['1:1']);
  assert.deepEqual(keys(await find(ix, 'nothing')), []);
  assert.deepEqual(keys(await find(ix, 'zebra', { conv: 1 })), ['1:2'], 'one conversation');
  assert.deepEqual(keys(await find(ix, 'zebra', { limit: 2 })), ['2:2', '2:1']);
});

test('phrases, exclusions and operators', async () => {
  const ix = await sample();
  const q = parseQuery('"lions sleep"');
  assert.deepEqual(q.phrases, [['lions', 'sleep']]);
  assert.deepEqual(q.prefixes, [], 'a quoted word is whole');
  assert.deepEqual(keys(await find(ix, '"zebra"')), ['1:2'], 'whole words only');
  assert.ok(hasPhrase('Lions sleep, zebras run', ['lions', 'sleep']));
  assert.ok(!hasPhrase('zebras and lions at the zoo, sleep', ['lions', 'sleep']));
  assert.deepEqual(keys(await find(ix, 'zebras -zoo')), ['2:2']);
  assert.deepEqual(keys(await find(ix, 'from:@ben zebra')), ['2:2', '1:2']);
  assert.deepEqual(keys(await find(ix, 'from:ada')), ['2:1', '1:1'], 'operators alone list every message that fits');
  assert.deepEqual(keys(await find(ix, 'after:2026-12-02 zebra')), ['2:2', '2:1'], 'after: is from the day after');
  assert.deepEqual(keys(await find(ix, 'on:2026-12-02 zebra')), ['1:2']);
  assert.deepEqual(keys(await find(ix, 'before:2026-12-03 lions')), []);
  assert.deepEqual(keys(await find(ix, 'in:zoo lions', { titles: new Map([[2, 'zoo talk'], [1, 'plans']]) })), ['2:2', '2:1']);
  const or = parseQuery('zebra or lion');
  assert.deepEqual(or.unsupported, ['or']);
  assert.deepEqual(await ix.search(or), [], 'or is left to the server');
  assert.deepEqual(parseQuery('has:link').unsupported, ['has:']);
  assert.equal(parseQuery('  '), null);
  assert.equal(parseQuery('-only'), null, 'only exclusions: nothing to look for');
});

test('a deleted message, an edited one and a left conversation no longer match', async () => {
  const ix = await sample();
  await ix.removeMany([{ c: 2, s: 2 }]);
  assert.deepEqual(keys(await find(ix, 'zebra')), ['2:1', '1:2']);
  assert.equal(await ix.has(2, 2), false);
  await ix.add(2, 1, { text: 'giraffes now', at: T0 + 2 * day, sender: 'Ada', from: 'ada' });   // re-indexed
  assert.deepEqual(keys(await find(ix, 'zebra')), ['1:2']);
  assert.deepEqual(keys(await find(ix, 'giraffe')), ['2:1']);
  assert.deepEqual((await ix.conversations()).sort(), [1, 2]);
  await ix.removeConversation(1);
  assert.deepEqual(keys(await find(ix, 'zebra')), []);
  assert.deepEqual(await ix.conversations(), [2]);
});

test('snippets: the words matched are marked in the text as written', () => {
  const q = parseQuery('creme brul');
  const runs = snippetRuns('Crème brûlée <b>tonight</b>', q);
  assert.deepEqual(runs, [{ text: 'Crème', mark: true }, { text: ' ', mark: false }, { text: 'brûlée', mark: true },
    { text: ' <b>tonight</b>', mark: false }]);
  assert.deepEqual(matchSpans('e\u0301clair Eclair', parseQuery('eclair')).length, 2, 'a combining accent too');
  const long = `${'word '.repeat(100)}needle ${'more '.repeat(100)}`;
  const cut = snippetRuns(long, parseQuery('needle'));
  assert.equal(cut[0].text, '…');
  assert.equal(cut.at(-1).text, '…');
  assert.ok(cut.some((r) => r.mark && r.text === 'needle'));
  assert.ok(cut.reduce((n, r) => n + r.text.length, 0) <= 242);
});
