// Reading the mails the stack's test SMTP server (STACK_SMTP=1: tests/support/smtp-sink.py)
// wrote to $PARLEY_MAIL_DIR/new, one file per mail: parsed heads (folded lines, RFC 2047
// words) and multipart/alternative parts (base64 decoded), for the API tests.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

export const MAIL_DIR = process.env.PARLEY_MAIL_DIR;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Decodes RFC 2047 encoded-words (B and Q, UTF-8) in a header value. */
export function decodeWords(v) {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc, text) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
}

function parseHead(head) {
  const list = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && list.length) list[list.length - 1].raw += `\r\n${line}`;
    else if (line) {
      const i = line.indexOf(':');
      assert.ok(i > 0, `a header line has a name: ${JSON.stringify(line)}`);
      list.push({ name: line.slice(0, i).toLowerCase(), raw: line.slice(i + 1) });
    }
  }
  const map = {};
  for (const h of list) {
    h.value = h.raw.replace(/\r\n[ \t]+/g, ' ').trim();
    (map[h.name] ??= []).push(h.value);
  }
  return { list, map };
}

/** One mail file: {raw, list (the head's lines in order), headers (lower-case name → [values]),
 * subject, type, parts ({type, headers, body}), text, html}. */
export function parseMail(raw) {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, 'the head ends with an empty CRLF line');
  const { list, map } = parseHead(raw.slice(0, end));
  const type = map['content-type']?.[0] || '';
  const b = /boundary="?([^";]+)"?/i.exec(type);
  const parts = [];
  if (b) {
    const sections = raw.slice(end + 4).split(`--${b[1]}`);
    assert.ok(sections.at(-1).startsWith('--'), 'the closing boundary is there');
    for (const s of sections.slice(1, -1)) {
      const e = s.indexOf('\r\n\r\n');
      const ph = parseHead(s.slice(2, e)).map;
      let body = s.slice(e + 4).replace(/\r\n$/, '');
      if (/base64/i.test(ph['content-transfer-encoding']?.[0] || '')) body = Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
      parts.push({ type: (ph['content-type']?.[0] || '').split(';')[0].trim().toLowerCase(), headers: ph, body });
    }
  }
  return { raw, list, headers: map, subject: decodeWords(map.subject?.[0] || ''), type, parts, text: parts.find((p) => p.type === 'text/plain')?.body, html: parts.find((p) => p.type === 'text/html')?.body };
}

const seen = new Set();

/** The mails delivered to `to` (the sink's Delivered-To) not returned before. */
export function mailsTo(to) {
  const dir = path.join(MAIL_DIR, 'new');
  const out = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (seen.has(f)) continue;
    const raw = fs.readFileSync(path.join(dir, f), 'latin1');
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    if (!new RegExp(`^Delivered-To: ${to.replace(/[.+]/g, '\\$&')}\\r?$`, 'im').test(head)) continue;
    seen.add(f);
    out.push(parseMail(raw));
  }
  return out;
}

/** Waits (polling, up to ms) for the next mail to `to`. */
export async function waitMail(to, ms = 15000) {
  const t0 = Date.now();
  for (;;) {
    const got = mailsTo(to);
    if (got.length) return got[0];
    if (Date.now() - t0 > ms) throw new Error(`no mail to ${to} within ${ms} ms (in ${MAIL_DIR}/new)`);
    await sleep(100);
  }
}

/** Asserts that no mail reaches `to` within ms. */
export async function noMail(to, ms = 3000) {
  await sleep(ms);
  const got = mailsTo(to);
  assert.equal(got.length, 0, `no mail to ${to}: ${got.map((m) => m.subject).join(', ')}`);
}
