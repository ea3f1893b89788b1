// parley-worker and the job queue against the real stack: jobs are woken by NOTIFY, survive
// a worker killed mid-job and a PostgreSQL restart, fail visibly after backing off, and two
// workers never run one job twice. The stack's own workers are stopped for these tests so
// that only the workers started here (with test settings) take jobs; they are restarted after.
import { describe, it, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { api, sql, stack } from './lib.mjs';

const VAR = process.env.PARLEY_VAR;
const BIN = process.env.BIN;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `parley jobs …`; returns {status, stdout, stderr}. */
function jobs(...args) {
  const r = spawnSync(`${BIN}/parley`, ['jobs', ...args], { env: process.env, encoding: 'utf8', timeout: 30000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function enqueue(kind, ...rest) {
  const r = jobs('enqueue', kind, ...rest);
  assert.equal(r.status, 0, r.stderr);
  const m = /^queued job (\d+)$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  return Number(m[1]);
}

function job(id) {
  const row = sql(`SELECT state, attempts, coalesce(locked_by, ''), coalesce(last_error, '') FROM jobs WHERE id = ${Number(id)}`);
  if (!row) return null;
  const [state, attempts, lockedBy, lastError] = row.split('|');
  return { state, attempts: Number(attempts), lockedBy, lastError };
}

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < end, `timed out waiting for ${what}`);
    await sleep(100);
  }
}

const workers = new Set();

/** A parley-worker of our own with test settings; its log (stderr) is kept in .log. */
class Worker {
  constructor(env = {}) {
    this.log = '';
    this.exited = false;
    this.proc = spawn(`${BIN}/parley-worker`, [], {
      env: { ...process.env, PARLEY_WORKER_THREADS: '2', PARLEY_JOB_POLL: '30', PARLEY_JOB_LEASE: '60', PARLEY_JOB_BACKOFF: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr.on('data', (d) => { this.log += d; });
    this.gone = new Promise((r) => this.proc.on('exit', () => { this.exited = true; r(); }));
    workers.add(this);
  }
  get owner() { return `:${this.proc.pid}/`; }
  ready() { return until('the worker to start', () => /parley-worker \S+ running/.test(this.log) || (this.exited && assert.fail(this.log))); }
  doneLines(id) { return this.log.split('\n').filter((l) => new RegExp(`jobs: job ${id} \\S+ done by`).test(l)).length; }
  async stop(signal = 'SIGTERM') {
    if (!this.exited) this.proc.kill(signal);
    await this.gone;
    workers.delete(this);
  }
}

/** Finished jobs past their keeping time and within it; returns their ids. */
function oldAndRecentJobs() {
  const ins = (state, age) => Number(sql(
    `INSERT INTO jobs (kind, state, attempts, locked_at, finished_at, created_at) VALUES ('cleanup', '${state}', 1,
       now() - interval '${age}', now() - interval '${age}', now() - interval '${age}') RETURNING id`).split('\n')[0]);
  return {
    oldDone: ins('done', '8 days'), oldFailed: ins('failed', '31 days'),
    recentDone: ins('done', '6 days'), recentFailed: ins('failed', '10 days'),
  };
}

function assertCleaned(ids) {
  assert.equal(job(ids.oldDone), null, 'done jobs older than 7 days are deleted');
  assert.equal(job(ids.oldFailed), null, 'failed jobs older than 30 days are deleted');
  assert.equal(job(ids.recentDone)?.state, 'done', 'a done job of 6 days is kept');
  assert.equal(job(ids.recentFailed)?.state, 'failed', 'a failed job of 10 days is kept');
}

describe('parley-worker and the job queue', () => {
  before(() => {
    assert.ok(VAR && BIN, 'these tests need PARLEY_VAR (the stack directory) and BIN');
    stack('worker', 'stop');
  });

  // Each test starts from a queue with nothing ready or running: jobs other tests (or an
  // earlier failed run) left are run, or reclaimed at once from workers that are gone.
  beforeEach(async () => {
    const w = new Worker({ PARLEY_JOB_LEASE: '2', PARLEY_JOB_POLL: '1' });
    await w.ready();
    await until('the queue to settle', () => sql(
      `SELECT count(*) FROM jobs WHERE state = 'running' OR (state = 'queued' AND run_after <= now())`) === '0', 20000);
    await w.stop();
  });

  afterEach(async () => {            // a failed test leaves no worker of its own behind
    for (const w of [...workers]) await w.stop('SIGKILL');
  });

  after(() => stack('worker', 'start'));

  it('a queued job is woken by NOTIFY at once, and cleanup deletes expired jobs', async () => {
    const w = new Worker();           // polls only every 30 s: a quick run must come from NOTIFY
    await w.ready();
    await sleep(500);
    const ids = oldAndRecentJobs();
    const t0 = Date.now();
    const id = enqueue('cleanup');
    await until('the cleanup to be done', () => job(id).state === 'done', 5000);
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(job(id).attempts, 1);
    assert.ok(job(id).lockedBy.includes(w.owner), job(id).lockedBy);
    assertCleaned(ids);
    await until('the log line', () => w.doneLines(id) === 1, 3000);
    // The same idempotency key queues one job only.
    const key = `test-key-${Date.now()}`;
    const first = enqueue('cleanup', '{}', '--key', key);
    const again = jobs('enqueue', 'cleanup', '{}', '--key', key);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /already queued; nothing added/);
    assert.equal(sql(`SELECT count(*) FROM jobs WHERE idem_key = '${key}'`), '1');
    await until('the keyed job to be done', () => job(first).state === 'done', 5000);
    await w.stop();
    assert.match(w.log, /parley-worker: stopped/);
  });

  it('a job whose worker is killed mid-run is run again after its lease, and done once', async () => {
    const a = new Worker({ PARLEY_WORKER_THREADS: '1', PARLEY_JOB_TEST_DELAY_MS: '60000', PARLEY_JOB_LEASE: '3' });
    await a.ready();
    const ids = oldAndRecentJobs();
    const id = enqueue('cleanup');
    await until('worker A to claim the job', () => job(id).state === 'running' && job(id).lockedBy.includes(a.owner), 5000);
    await a.stop('SIGKILL');
    assert.equal(job(id).state, 'running', 'the killed worker left it running');
    assert.equal(job(id).attempts, 1);
    assert.equal(job(id).lastError, '');
    const b = new Worker({ PARLEY_WORKER_THREADS: '1', PARLEY_JOB_LEASE: '3', PARLEY_JOB_POLL: '1' });
    await b.ready();
    await until('worker B to finish the job', () => job(id).state === 'done', 15000);
    const j = job(id);
    assert.equal(j.attempts, 2, 'one run by A (killed), one by B');
    assert.ok(j.lockedBy.includes(b.owner), j.lockedBy);
    assert.match(j.lastError, /^lease expired: \S+ stopped during attempt 1$/);
    assert.ok(j.lastError.includes(a.owner), j.lastError);
    await until('the log line', () => b.doneLines(id) === 1, 3000);
    assert.equal(a.doneLines(id), 0);
    assertCleaned(ids);
    await sleep(1500);                // and nobody runs it a third time
    assert.deepEqual(job(id), j);
    await b.stop();
  });

  it('jobs survive a PostgreSQL restart, and the worker listens again afterwards', async () => {
    const w = new Worker({ PARLEY_JOB_TEST_DELAY_MS: '1500' });
    await w.ready();
    const id = enqueue('cleanup');
    await until('the job to be claimed', () => job(id).state === 'running', 5000);
    stack('restart-postgres');        // the handler meets a dead connection
    await until('the interrupted job to be done', () => job(id)?.state === 'done', 20000);
    assert.ok(job(id).attempts >= 1 && job(id).attempts <= 2, JSON.stringify(job(id)));
    await until('the log line', () => w.doneLines(id) === 1, 3000);
    // Woken by NOTIFY again (polls are 30 s apart): the worker listens on its new connection.
    await sleep(500);
    const t0 = Date.now();
    const next = enqueue('cleanup');
    await until('a job queued after the restart to be done', () => job(next).state === 'done', 8000);
    assert.ok(Date.now() - t0 < 8000);
    await w.stop();
    // The rest of the stack reconnects too, before its first statement (faults.test.mjs).
    assert.equal((await api('GET', '/healthz')).status, 200);
  });

  it('a failing job backs off, then shows as failed; retry and drop work', async () => {
    const w = new Worker({ PARLEY_JOB_BACKOFF: '2' });
    await w.ready();
    // A kind this version has no handler for (say, queued by a newer one) fails visibly.
    const add = jobs('enqueue', 'thumbnail.v9', '{"media":1}', '--attempts', '3');
    assert.equal(add.status, 0, add.stderr);
    assert.match(add.stderr, /no handler for thumbnail\.v9/);
    const id = Number(/queued job (\d+)/.exec(add.stdout)[1]);
    await until('the first failure', () => job(id).attempts === 1 && job(id).state === 'queued', 5000);
    assert.equal(job(id).lastError, 'no handler for kind thumbnail.v9');
    assert.equal(sql(`SELECT run_after > now() FROM jobs WHERE id = ${id}`), 't', 'the retry waits');
    await until('the job to fail for good', () => job(id).state === 'failed', 15000);
    assert.equal(job(id).attempts, 3);
    await until('the last log line', () => w.log.includes(`job ${id} thumbnail.v9 failed for good`), 3000);
    const log = w.log.split('\n').filter((l) => l.includes(`job ${id} `));
    assert.ok(log.some((l) => /failed \(attempt 1 of 3\): no handler for kind thumbnail\.v9; retry in 2 s/.test(l)), log.join('\n'));
    assert.ok(log.some((l) => /failed \(attempt 2 of 3\): .*; retry in [45] s/.test(l)), log.join('\n'));
    assert.ok(log.some((l) => /failed for good after 3 attempts: no handler for kind thumbnail\.v9/.test(l)), log.join('\n'));
    const failed = jobs('list', '--failed');
    assert.equal(failed.status, 0, failed.stderr);
    const line = failed.stdout.split('\n').find((l) => l.startsWith(`${id} `));
    assert.ok(line, failed.stdout);
    assert.match(line, /thumbnail\.v9\s+failed\s+3\/3 .*no handler for kind thumbnail\.v9$/);
    assert.ok(failed.stdout.split('\n').slice(1).filter(Boolean).every((l) => / failed /.test(l)), failed.stdout);
    // retry: it runs again with a fresh count of attempts.
    const retry = jobs('retry', String(id));
    assert.equal(retry.status, 0, retry.stderr);
    await until('the retried job to run again', () => w.log.split('\n').filter((l) => l.includes(`job ${id} `) && l.includes('attempt 1 of 3')).length === 2, 5000);
    // Operators get clear errors, never a crash.
    const done = enqueue('cleanup');
    await until('the cleanup to be done', () => job(done).state === 'done', 5000);
    let r = jobs('retry', String(done));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /only failed or queued jobs are retried/);
    r = jobs('drop', '999999999');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no job 999999999/);
    for (const bad of [['retry', 'x1'], ['drop', '-3'], ['enqueue', 'Bad Kind'], ['enqueue', 'cleanup', '[1]'],
      ['enqueue', 'cleanup', '{"a":1,"a":2}'], ['enqueue', 'cleanup', '--attempts', '0'], ['enqueue', 'cleanup', '{}', '--key', '']]) {
      r = jobs(...bad);
      assert.equal(r.status, 1, `${bad.join(' ')}: ${r.stdout} ${r.stderr}`);
      assert.match(r.stderr, /^parley: /, bad.join(' '));
    }
    // drop: the job is gone, whatever its state but running (then it says so).
    await until('the retried job to be dropped', () => {
      r = jobs('drop', String(id));
      assert.ok(r.status === 0 || /is running/.test(r.stderr), r.stderr);
      return r.status === 0;
    }, 10000);
    assert.equal(job(id), null);
    await w.stop();
  });

  it('two workers share the queue and never run the same job twice', async () => {
    const env = { PARLEY_JOB_TEST_DELAY_MS: '100' };
    const w1 = new Worker(env);
    const w2 = new Worker(env);
    await w1.ready();
    await w2.ready();
    // 40 jobs committed in one transaction, as the outbox does, with the wake-up.
    const ids = sql(`WITH ins AS (INSERT INTO jobs (kind) SELECT 'cleanup' FROM generate_series(1, 40) RETURNING id),
                       wake AS (SELECT pg_notify('parley_jobs', ''))
                     SELECT id FROM ins, wake ORDER BY id`).split('\n').map(Number);
    assert.equal(ids.length, 40);
    const list = ids.join(',');
    await until('all 40 jobs to be done', () => sql(`SELECT count(*) FROM jobs WHERE id IN (${list}) AND state = 'done'`) === '40', 30000);
    assert.equal(sql(`SELECT count(*) FROM jobs WHERE id IN (${list}) AND attempts <> 1`), '0', 'each job was claimed once');
    const by1 = Number(sql(`SELECT count(*) FROM jobs WHERE id IN (${list}) AND locked_by LIKE '%${w1.owner}%'`));
    const by2 = Number(sql(`SELECT count(*) FROM jobs WHERE id IN (${list}) AND locked_by LIKE '%${w2.owner}%'`));
    assert.equal(by1 + by2, 40);
    assert.ok(by1 > 0 && by2 > 0, `both workers took jobs (${by1} and ${by2})`);
    await until('the log lines', () => ids.every((id) => w1.doneLines(id) + w2.doneLines(id) >= 1), 3000);
    await sleep(300);
    for (const id of ids) assert.equal(w1.doneLines(id) + w2.doneLines(id), 1, `job ${id} ran exactly once`);
    await w1.stop();
    await w2.stop();
  });
});
