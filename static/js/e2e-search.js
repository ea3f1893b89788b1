// e2e-search.js — search on this device over the decrypted messages of end-to-end encrypted
// conversations, which the server cannot search: an inverted index (normalized word → the
// messages holding it) kept in IndexedDB, one database per signed-in person, filled as the
// conversation page decrypts messages and emptied of a message when it is deleted or edited
// and of a conversation when it is left. Words are folded as the server's search folds them
// (lower case, accents off), and a query's words match as prefixes (as typed: "zeb" finds
// "zebras"; the server matches them anywhere in a word, the index holds whole words).
//
// What it stores, in the clear like IndexedDB's other data of the browser profile (the
// plaintexts themselves stay sealed in e2e-store.js): per message its conversation id, seq,
// time, sender and normalized words. Nothing here talks to the server.
//
// The index logic runs over a small storage adapter (idbAdapter in the browser,
// memoryAdapter for Node, where there is no IndexedDB: the tests and make bench). Callers own
// the objects they pass and get fresh ones back.

const MAX_WORD = 64;          // longer runs (a pasted key, a URL's path) are cut to this
const MAX_WORDS = 2000;       // distinct words kept per message
export const MAX_HITS = 100;  // results of one search, newest first

// Letters NFKD does not take apart (what unaccent also folds).
const EXTRA = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ĸ: 'q', ŋ: 'n', ħ: 'h', ŧ: 't' };

/** One character (a code point) folded: lower case, no accents. */
function foldChar(ch) {
  const lower = ch.toLowerCase();
  if (EXTRA[lower]) return EXTRA[lower];
  return lower.normalize('NFKD').replace(/\p{M}+/gu, '');
}

/**
 * text folded, with from[i] the index in text of the character folded text[i] came from,
 * so a match in the folded text can be marked in the original.
 */
export function foldMap(text) {
  let folded = '';
  const from = [];
  let i = 0;
  for (const ch of String(text)) {
    const f = foldChar(ch);
    for (let k = 0; k < f.length; k++) from.push(i);
    folded += f;
    i += ch.length;
  }
  from.push(i);
  return { folded, from };
}

const EXTRA_RE = new RegExp(`[${Object.keys(EXTRA).join('')}]`, 'g');
/** text lower-cased with accents folded ("Crème Brûlée" → "creme brulee"); the whole text at
 * once, which is what the index and queries use (foldMap's per character is for marking). */
export function fold(text) {
  const lower = String(text).toLowerCase();
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;               // ASCII: nothing to fold
  return lower.replace(EXTRA_RE, (ch) => EXTRA[ch]).normalize('NFKD').replace(/\p{M}+/gu, '');
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The words of text as [{word, start, end}] (offsets in text), in order, repeats kept. */
export function wordSpans(text) {
  const { folded, from } = foldMap(text);
  const out = [];
  for (const m of folded.matchAll(WORD)) {
    out.push({ word: m[0].slice(0, MAX_WORD), start: from[m.index], end: from[m.index + m[0].length] });
  }
  return out;
}

/** The distinct words of text, folded. */
export function wordsOf(text) {
  const set = new Set();
  const f = fold(text);
  for (const m of f.matchAll(/^[\x00-\x7f]*$/.test(f) ? /[a-z0-9]+/g : WORD)) {
    set.add(m[0].slice(0, MAX_WORD));
    if (set.size >= MAX_WORDS) break;
  }
  return [...set];
}

/**
 * The search box's language as far as the device applies it: words (all required, each as a
 * prefix: `prefixes`), "phrases" (whole words in that order: `words`), -exclusions, from:@user,
 * before:/after:/on:YYYY-MM-DD and in:title. `or`, is: and has: are left to the server
 * (`unsupported` names them; the device then finds nothing). Returns null for a query with
 * nothing to look for.
 */
export function parseQuery(q) {
  const out = { words: [], prefixes: [], phrases: [], exclude: [], from: null, before: null, after: null, on: null,
    in: null, unsupported: [] };
  const tokens = [];
  const re = /(-?)(?:"([^"]*)"?|(\S+))/g;
  for (const m of String(q).matchAll(re)) tokens.push({ neg: m[1] === '-', quoted: m[2] !== undefined, text: m[2] ?? m[3] });
  for (const t of tokens) {
    if (t.neg) {
      const w = wordsOf(t.text);
      if (w.length) out.exclude.push(w);
      continue;
    }
    if (t.quoted) {
      const w = wordsOf(t.text);
      if (w.length) { out.phrases.push(w); out.words.push(...w); }
      continue;
    }
    const op = /^([a-zA-Z]+):(.+)$/.exec(t.text);
    if (op && !/^\/\//.test(op[2])) {
      const name = op[1].toLowerCase(), v = op[2].replace(/^"|"$/g, '');
      if (name === 'from') out.from = v.replace(/^@/, '').toLowerCase();
      else if (name === 'in') out.in = fold(v);
      else if ((name === 'before' || name === 'after' || name === 'on') && /^\d{4}-\d{2}-\d{2}$/.test(v)) out[name] = v;
      else out.unsupported.push(`${name}:`);
      continue;
    }
    if (t.text.toLowerCase() === 'or') { out.unsupported.push('or'); continue; }
    out.prefixes.push(...wordsOf(t.text));
  }
  // "crème br" finds "brûlée"; a prefix that is also a whole word asked for adds nothing.
  out.words = [...new Set(out.words)];
  out.prefixes = [...new Set(out.prefixes)].filter((p) => !out.words.some((w) => w.startsWith(p)));
  if (!out.words.length && !out.prefixes.length && !out.from && !out.before && !out.after && !out.on && !out.in
    && !out.unsupported.length) return null;
  return out;
}

/** Does text hold the words of phrase (folded) one after the other? */
export function hasPhrase(text, phrase) {
  const w = wordSpans(text).map((s) => s.word);
  for (let i = 0; i + phrase.length <= w.length; i++) {
    if (phrase.every((p, k) => w[i + k] === p)) return true;
  }
  return false;
}

/**
 * The spans of text a query matched, for <mark>: every word equal to one of its words or
 * starting with one of its prefixes. [{start, end}] in order.
 */
export function matchSpans(text, query) {
  const words = new Set([...query.words, ...query.phrases.flat()]);
  return wordSpans(text).filter((s) => words.has(s.word) || query.prefixes.some((p) => s.word.startsWith(p)));
}

/**
 * At most `max` characters of text around its first match, as [{text, mark}] runs for the
 * caller to write with textContent: the whole text when short (as the server's snippets do).
 */
export function snippetRuns(text, query, max = 240) {
  const spans = matchSpans(text, query);
  let from = 0, to = text.length;
  if (text.length > max) {
    const first = spans.length ? spans[0].start : 0;
    from = Math.max(0, first - Math.floor(max / 3));
    to = Math.min(text.length, from + max);
  }
  const runs = [];
  if (from > 0) runs.push({ text: '…', mark: false });
  let at = from;
  for (const s of spans) {
    if (s.end <= from || s.start >= to) continue;
    const a = Math.max(s.start, from), b = Math.min(s.end, to);
    if (a > at) runs.push({ text: text.slice(at, a), mark: false });
    runs.push({ text: text.slice(a, b), mark: true });
    at = b;
  }
  if (to > at) runs.push({ text: text.slice(at, to), mark: false });
  if (to < text.length) runs.push({ text: '…', mark: false });
  return runs;
}

const day = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * The index over an adapter. Documents are messages: (conversation id, seq) with
 * {at (ms), sender (display name), from (username), words}.
 */
export function makeIndex(adapter) {
  const docOf = (c, s, m) => ({ c: Number(c), s: Number(s), at: Number(m.at) || 0, sender: String(m.sender || ''),
    from: String(m.from || '').toLowerCase(), words: wordsOf(m.text || '') });
  return {
    adapter,
    /** Indexes (or re-indexes, after an edit) the messages [{c, s, text, at, sender, from}]. */
    addMany: (list) => adapter.replace(list.map((m) => ({ c: Number(m.c), s: Number(m.s), doc: docOf(m.c, m.s, m) }))),
    add: (c, s, m) => adapter.replace([{ c: Number(c), s: Number(s), doc: docOf(c, s, m) }]),
    /** Is message (c, s) indexed? */
    has: async (c, s) => (await adapter.getDoc(Number(c), Number(s))) !== null,
    /** Forgets messages [{c, s}] (deleted). */
    removeMany: (keys) => adapter.replace(keys.map((k) => ({ c: Number(k.c), s: Number(k.s), doc: null }))),
    /** Forgets a conversation (left, or removed from it). */
    removeConversation: (c) => adapter.dropConversation(Number(c)),
    /** The conversation ids with indexed messages. */
    conversations: () => adapter.conversations(),

    /**
     * The messages matching query (parseQuery's), newest first, at most `limit`; `conv`
     * limits it to one conversation, `titles` (id → folded title) serves in:. Phrases are
     * checked by the caller on the text (see hasPhrase): the index keeps words, not order.
     * Like the server's probe: each term's postings are counted first; when the rarest has
     * at most PROBE, its messages are read newest first and the other terms checked on their
     * words; else (only common terms, or only operators) messages are read newest first
     * from the time index until `limit` match.
     */
    async search(query, { conv = null, limit = MAX_HITS, titles = null } = {}) {
      if (!query || query.unsupported.length) return [];
      const c = conv === null ? null : Number(conv);
      const terms = [...query.words.map((w) => ({ w, prefix: false })), ...query.prefixes.map((w) => ({ w, prefix: true }))];
      const fits = (d) => terms.every((t) => (t.prefix ? d.words.some((x) => x.startsWith(t.w)) : d.words.includes(t.w)))
        && !query.exclude.some((ex) => ex.every((w) => d.words.includes(w)))
        && (!query.from || d.from === query.from)
        && (!query.before || day(d.at) < query.before) && (!query.after || day(d.at) > query.after)
        && (!query.on || day(d.at) === query.on)
        && (!query.in || !titles || String(d.c) === query.in || (titles.get(d.c) || '').includes(query.in));
      const out = [];
      const take = (d) => { if (d && fits(d)) out.push({ c: d.c, s: d.s, at: d.at, sender: d.sender, from: d.from }); return out.length < limit; };
      let rarest = null;
      for (const t of terms) {
        t.n = await adapter.count(t.w, t.prefix, c);
        if (!t.n) return [];
        if (!rarest || t.n < rarest.n) rarest = t;
      }
      if (rarest && rarest.n <= PROBE) {
        const cands = await adapter.postings(rarest.w, rarest.prefix, c);
        cands.sort(newest);
        for (let i = 0; i < cands.length && out.length < limit; i += 100) {
          for (const d of await adapter.getDocs(cands.slice(i, i + 100))) if (!take(d)) break;
        }
      } else {
        await adapter.scan(c, take);
      }
      return out;
    },
  };
}

// Is a message's new record the one kept (its page shown again)?
const same = (a, b) => a.at === b.at && a.sender === b.sender && a.from === b.from && a.words.length === b.words.length
  && a.words.every((w, i) => w === b.words[i]);

const PROBE = 2000;   // postings read at most; more, and the newest messages are tested instead
const newest = (a, b) => b.at - a.at || b.c - a.c || b.s - a.s;

// ---- adapters ---------------------------------------------------------------------------
// Each has replace([{c, s, doc|null}]) (one transaction: the old words of each message out,
// the new ones in), getDoc(c, s), getDocs([{c, s}]) (in that order, null for none),
// count(word, prefix, conv|null) and postings(…) → [{c, s, at}] of the messages holding the
// word (or a word with that prefix; each once), scan(conv|null, fn) (every message newest
// first while fn(doc) returns true), dropConversation(c), conversations().

/** Everything in Maps: for Node (tests, make bench). */
export function memoryAdapter() {
  const docs = new Map();       // "c:s" → doc
  const words = new Map();      // word → Map "c:s" → at
  const put = (c, s, doc) => {
    const k = `${c}:${s}`, old = docs.get(k);
    if (old) for (const w of old.words) { const p = words.get(w); p.delete(k); if (!p.size) words.delete(w); }
    if (!doc) { docs.delete(k); return; }
    docs.set(k, doc);
    for (const w of doc.words) { if (!words.has(w)) words.set(w, new Map()); words.get(w).set(k, doc.at); }
  };
  const inConv = (k, c) => c === null || k.startsWith(`${c}:`);
  const found = (word, prefix, c) => {
    const out = new Map();
    const lists = prefix ? [...words.entries()].filter(([w]) => w.startsWith(word)).map(([, p]) => p) : [words.get(word) || new Map()];
    for (const p of lists) for (const [k, at] of p) if (inConv(k, c)) out.set(k, at);
    return out;
  };
  return {
    async replace(list) { for (const { c, s, doc } of list) put(c, s, doc); },
    async getDoc(c, s) { return docs.get(`${c}:${s}`) || null; },
    async getDocs(keys) { return keys.map((k) => docs.get(`${k.c}:${k.s}`) || null); },
    async count(word, prefix, c) { return found(word, prefix, c).size; },
    async postings(word, prefix, c) {
      return [...found(word, prefix, c)].map(([k, at]) => { const [cc, s] = k.split(':').map(Number); return { c: cc, s, at }; });
    },
    async scan(c, fn) {
      for (const d of [...docs.values()].filter((x) => c === null || x.c === c).sort(newest)) if (!fn(d)) break;
    },
    async dropConversation(c) { for (const [, d] of [...docs]) if (d.c === c) put(d.c, d.s, null); },
    async conversations() { return [...new Set([...docs.values()].map((d) => d.c))]; },
  };
}

/**
 * IndexedDB: database `parley-e2e-search:<user id>` with `docs` keyed [c, s] (indexes `at`
 * and `c_at` for reading newest first) and `posts` keyed [word, c, s] (value: the time), so
 * a word, a prefix (a key range) and a word in one conversation are each one range.
 */
export async function idbAdapter(me) {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open(`parley-e2e-search:${me}`, 1);
    r.onupgradeneeded = () => {
      const docs = r.result.createObjectStore('docs');
      docs.createIndex('at', 'at');
      docs.createIndex('c_at', ['c', 'at']);
      r.result.createObjectStore('posts');
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  // Relaxed durability: a crash may lose the last writes, which the next visit redoes.
  const tx = (mode, fn) => new Promise((resolve, reject) => {
    const t = db.transaction(['docs', 'posts'], mode, { durability: 'relaxed' });
    let result;
    Promise.resolve(fn(t.objectStore('docs'), t.objectStore('posts'))).then((v) => { result = v; }, reject);
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('aborted'));
  });
  const ask = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const convRange = (c) => IDBKeyRange.bound([c], [c, []]);
  const postRange = (word, prefix, c) => (prefix ? IDBKeyRange.bound([word], [`${word}\uffff`])
    : c === null ? IDBKeyRange.bound([word], [word, []]) : IDBKeyRange.bound([word, c], [word, c, []]));
  // The requests of one transaction are made before any awaits resolve past it: each
  // message's old record is read, then its words are written (all queued in the same tx).
  function replaceIn(docs, posts, list) {
    return Promise.all(list.map(({ c, s, doc }) => ask(docs.get([c, s])).then((old) => {
      if (old && doc && same(old, doc)) return;                 // shown again: nothing to write
      const keep = new Set(doc ? doc.words : []);
      if (old) for (const w of old.words) if (!doc || !keep.has(w) || old.at !== doc.at) posts.delete([w, c, s]);
      if (!doc) { if (old) docs.delete([c, s]); return; }
      docs.put(doc, [c, s]);
      const had = new Set(old && old.at === doc.at ? old.words : []);
      for (const w of doc.words) if (!had.has(w)) posts.put(doc.at, [w, c, s]);
    })));
  }
  return {
    replace: (list) => tx('readwrite', (docs, posts) => replaceIn(docs, posts, list)),
    getDoc: (c, s) => tx('readonly', (docs) => ask(docs.get([c, s]))).then((d) => d || null),
    getDocs: (keys) => tx('readonly', (docs) => Promise.all(keys.map((k) => ask(docs.get([k.c, k.s])).then((d) => d || null)))),
    // A prefix in one conversation is counted over all conversations: an upper bound, which
    // only decides how to read.
    count: (word, prefix, c) => tx('readonly', (docs, posts) => ask(posts.count(postRange(word, prefix, c)))),
    postings: (word, prefix, c) => tx('readonly', async (docs, posts) => {
      const range = postRange(word, prefix, c);
      const [keys, values] = await Promise.all([ask(posts.getAllKeys(range)), ask(posts.getAll(range))]);
      const seen = new Map();
      keys.forEach(([, cc, s], i) => { if (c === null || cc === c) seen.set(`${cc}:${s}`, { c: cc, s, at: values[i] }); });
      return [...seen.values()];
    }),
    scan: (c, fn) => tx('readonly', (docs) => new Promise((resolve, reject) => {
      const r = c === null ? docs.index('at').openCursor(null, 'prev')
        : docs.index('c_at').openCursor(IDBKeyRange.bound([c, -Infinity], [c, Infinity]), 'prev');
      r.onsuccess = () => {
        const cur = r.result;
        if (!cur || !fn(cur.value)) { resolve(); return; }
        cur.continue();
      };
      r.onerror = () => reject(r.error);
    })),
    dropConversation: (c) => tx('readwrite', async (docs, posts) => {
      const [keys, values] = await Promise.all([ask(docs.getAllKeys(convRange(c))), ask(docs.getAll(convRange(c)))]);
      keys.forEach(([, s], i) => { for (const w of values[i].words) posts.delete([w, c, s]); docs.delete([c, s]); });
    }),
    conversations: () => tx('readonly', async (docs) => {
      const seen = new Set();
      for (const k of await ask(docs.getAllKeys())) seen.add(k[0]);
      return [...seen];
    }),
  };
}

// Removals (deleted messages) are written to localStorage first, synchronously, and taken
// off when their transaction completes: a page left in between (the person sees a message
// deleted and goes straight to /search) would otherwise lose the removal, and the device
// would go on finding a deleted message. openIndex applies what is left before any search.
const journalKey = (me) => `parley-e2e-search-forget:${me}`;
const keyOf = (k) => `${k.c}:${k.s}`;
function journalRead(me) {
  try {
    const v = JSON.parse(localStorage.getItem(journalKey(me)) || '[]');
    return Array.isArray(v) ? v.filter((k) => k && Number.isInteger(k.c) && Number.isInteger(k.s)) : [];
  } catch { return []; }                                 // no storage, or not ours: nothing pending
}
function journalWrite(me, list) {
  try {
    if (list.length) localStorage.setItem(journalKey(me), JSON.stringify(list));
    else localStorage.removeItem(journalKey(me));
  } catch { /* storage full or off: the transaction alone, as before */ }
}
// Takes keys off the journal (another tab may have added others meanwhile).
function journalDone(me, keys) {
  const done = new Set(keys.map(keyOf));
  journalWrite(me, journalRead(me).filter((k) => !done.has(keyOf(k))));
}

let opened = null;
/** This person's index in this browser (opened once per page), with pending removals applied. */
export function openIndex(me) {
  if (!opened || opened.me !== me) {
    opened = { me, index: idbAdapter(me).then(makeIndex).then(async (ix) => {
      const pending = journalRead(me);
      if (pending.length) { await ix.removeMany(pending); journalDone(me, pending); }
      return ix;
    }) };
  }
  return opened.index;
}

/** Forgets deleted messages [{c, s}] from this person's index, surviving the page leaving. */
export async function forgetMessages(me, keys) {
  const list = keys.map((k) => ({ c: Number(k.c), s: Number(k.s) }));
  journalWrite(me, [...journalRead(me), ...list]);
  await (await openIndex(me)).removeMany(list);
  journalDone(me, list);
}
