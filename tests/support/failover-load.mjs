// failover-load.mjs — traffic for check-failover.sh: CLIENTS people send messages (each with
// a client_id) through PARLEY_URL as fast as they are answered, until the file STOP exists; a
// failed send waits 50 ms before the next. When the file STOPPED_AT holds a time (ms since
// the epoch: when the script stopped the PostgreSQL primary), it measures the time from then
// to the first send answered 201 that was sent after it. Prints one JSON line: counts by
// status, acknowledged messages, how many of them the history lacks, the recovery time, the
// longest time with no send acknowledged (longest_gap_ms, the outage as clients saw it); the
// acknowledged message ids go to ACKED (one a line) for a check straight in the database.
// The file READY is written once the people and their group exist and sending begins.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { api, register, createGroup, allMessages } from '../api/lib.mjs';

const CLIENTS = Number(process.env.CLIENTS || 4);
const { STOP, STOPPED_AT, ACKED, READY } = process.env;
const people = await Promise.all(Array.from({ length: CLIENTS }, () => register()));
const group = await createGroup(people[0], people.slice(1));
if (READY) writeFileSync(READY, 'sending\n');     // the people exist: the script may break things now
const acked = [];
const statuses = {};
const failures = [];
const sends = [];                      // {start, end, status}: the recovery time comes from these
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function client(u, i) {
  let n = 0;
  while (!existsSync(STOP)) {
    const body = `client ${i} message ${n++}`;
    const start = Date.now();
    const r = await api('POST', `/api/v1/conversations/${group.id}/messages`,
      { token: u.token, json: { body, client_id: randomUUID() }, timeout: 10000 })
      .catch((e) => ({ status: 0, text: String(e) }));
    sends.push({ start, end: Date.now(), status: r.status });
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    if (r.status === 201) acked.push({ id: r.json.message.id, seq: r.json.message.seq, body });
    else {
      if (failures.length < 10) failures.push(`${r.status} ${r.text.slice(0, 160)}`);
      await pause(50);
    }
  }
}

await Promise.all(people.map(client));
const stoppedAt = STOPPED_AT && existsSync(STOPPED_AT) ? Number(readFileSync(STOPPED_AT, 'utf8').trim()) : null;
let recovery_ms = null;
let failed_during = 0;
if (stoppedAt) {
  const after = sends.filter((s) => s.start >= stoppedAt);
  const first = after.filter((s) => s.status === 201).sort((a, b) => a.end - b.end)[0];
  if (first) recovery_ms = first.end - stoppedAt;
  failed_during = after.filter((s) => s.status !== 201).length;
}
const oks = sends.filter((s) => s.status === 201).map((s) => s.end).sort((a, b) => a - b);
const longest_gap_ms = oks.reduce((m, t, k) => (k ? Math.max(m, t - oks[k - 1]) : m), 0);
const history = await allMessages(people[0], group.id);
const bySeq = new Map(history.map((m) => [m.seq, m]));
const missing = acked.filter((a) => bySeq.get(a.seq)?.body !== a.body).length;
if (ACKED) writeFileSync(ACKED, acked.map((a) => a.id).join('\n') + '\n');
console.log(JSON.stringify({ sends: sends.length, statuses, acked: acked.length, missing, recovery_ms, longest_gap_ms, failed_during, failures }));
