// upgrade-load.mjs — traffic for check-upgrade.sh: CLIENTS people send messages (each with a
// client_id, as real clients do) and read their conversation as fast as they can, through
// PARLEY_URL, until the file STOP exists. Then it prints one JSON line: how many requests
// were answered and how, and whether every acknowledged message is in the history, once,
// with no gap in seq. Run with node; no dependencies beyond the API tests' helpers.
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { api, register, createGroup, allMessages } from '../api/lib.mjs';

const CLIENTS = Number(process.env.CLIENTS || 6);
const STOP = process.env.STOP;
const people = await Promise.all(Array.from({ length: CLIENTS }, () => register()));
const group = await createGroup(people[0], people.slice(1));
const acked = [];
const statuses = {};
const failures = [];
let requests = 0;
const count = (r, what) => {
  requests++;
  statuses[r.status] = (statuses[r.status] || 0) + 1;
  if (r.status >= 300 && failures.length < 10) failures.push(`${what}: ${r.status} ${r.text.slice(0, 120)}`);
};

async function client(u, i) {
  let n = 0;
  while (!existsSync(STOP)) {
    const body = `client ${i} message ${n++}`;
    const r = await api('POST', `/api/v1/conversations/${group.id}/messages`, { token: u.token, json: { body, client_id: randomUUID() } })
      .catch((e) => ({ status: 0, text: String(e) }));
    count(r, 'send');
    if (r.status === 201) acked.push({ seq: r.json.message.seq, body });
    const g = await api('GET', `/api/v1/conversations/${group.id}/messages?limit=20`, { token: u.token })
      .catch((e) => ({ status: 0, text: String(e) }));
    count(g, 'read');
  }
}

await Promise.all(people.map(client));
const history = await allMessages(people[0], group.id);
const bySeq = new Map(history.map((m) => [m.seq, m]));
const missing = acked.filter((a) => bySeq.get(a.seq)?.body !== a.body).length;
const seqs = history.map((m) => m.seq);
const gaps = seqs.filter((s, k) => k > 0 && s !== seqs[k - 1] + 1).length;
console.log(JSON.stringify({ requests, statuses, acked: acked.length, missing, gaps, failures }));
