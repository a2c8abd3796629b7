// Large jobs in the editor (issue #16): folding a journal record reads the same number of sheets
// whether the job has 100 or 10,000; the progress notification shows the tree's sheet count after
// every refresh, the last one included; a finished job's state is let go unless its sheets are
// shown; and `mozart clear` on a real conductor takes the job out of the store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConductorConnection } from '../src/conductor/connection.js';
import { JobStore } from '../src/jobs/job-store.js';
import type { JobSource } from '../src/jobs/job-store.js';
import { foldRecord, summaryOf, tallyOf, tallyWork } from '../src/jobs/job-tally.js';
import { followProgress } from '../src/jobs/progress-follower.js';
import { covers } from '../src/jobs/refresh-batcher.js';
import { jobItem } from '../src/jobs/tree-model.js';
import { plainText as t } from '../src/l10n.js';
import { summariseJob } from '../../protocol/src/summary.js';
import type { JobRecord, JobState } from '../../protocol/src/job-state.js';
import { harness, scoreFile } from '../../conductor/test/daemon/harness.js';
import { FakeTimers } from './support/fake-timers.js';
import { T0, jobState } from './support/jobs.js';

const at = (ms: number) => new Date(T0 + ms).toISOString();
const started = (num: number): JobRecord => ({ t: 'sheet', at: at(num), num, patch: { status: 'in_progress', attempts: 1, startedAt: at(num) } });
const completed = (num: number): JobRecord => ({ t: 'sheet', at: at(num + 1), num, patch: { status: 'completed', durationMs: 1 }, addCostUsd: 0.01 });

/** A source that answers job.status with a copy of `state` at once. */
function sourceOf(state: JobState): JobSource & { statusCalls: number } {
  const source = {
    statusCalls: 0,
    request: (async (method: string) => {
      if (method !== 'job.status') throw new Error(`unexpected ${method}`);
      source.statusCalls++;
      return structuredClone(state);
    }) as JobSource['request'],
  };
  return source;
}

test('a sheet record reads the same two sheets for a job of 100 or 10,000, and the summary matches a full count', () => {
  const perRecord: number[] = [];
  for (const total of [100, 10_000]) {
    let state = jobState({ totalSheets: total });
    let tally = tallyOf(state);
    const before = tallyWork.sheetsRead;
    for (let num = 1; num <= 50; num++) {
      ({ state, tally } = foldRecord(state, tally, started(num)));
      ({ state, tally } = foldRecord(state, tally, completed(num)));
    }
    ({ state, tally } = foldRecord(state, tally, { t: 'sheet', at: at(99), num: 51, patch: { status: 'failed' } }));
    perRecord.push((tallyWork.sheetsRead - before) / 101);
    const full = summariseJob(state);
    const mine = summaryOf(state, tally);
    assert.deepEqual({ ...mine, costUsd: 0 }, { ...full, costUsd: 0 }, `the ${total}-sheet summary`);
    assert.ok(Math.abs(mine.costUsd - 0.5) < 1e-9, `cost ${mine.costUsd}`);
  }
  assert.deepEqual(perRecord, [2, 2], 'the sheet before and after the record, nothing else');
});

test('the progress notification shows the same sheet count as the tree after every refresh, the last one included', async () => {
  const timers = new FakeTimers();
  const state = jobState({ totalSheets: 5 });
  const store = new JobStore(sourceOf(state), timers);
  await store.loadState('review');
  const reports: string[] = [];
  const follow = followProgress(store, 'review', t, (message) => reports.push(message));
  let settled = false;
  void follow.settled.then(() => (settled = true));
  // What the tree's job item says at each refresh naming the job (views/jobs-tree.ts redraws then).
  const tree: string[] = [];
  store.refreshes.onRefresh((refresh) => {
    const summary = store.summary('review');
    if (covers(refresh, 'review') && summary) tree.push(jobItem(summary, store.extras('review'), t).description);
  });
  const count = (text: string | undefined) => /(\d+)\/5 sheets/.exec(text ?? '')?.[1];
  const send = (record: JobRecord) => store.handleRecord({ type: 'job.record', jobId: 'review', at: at(0), record });
  timers.advance(1000);
  for (let num = 1; num <= 5; num++) {
    send(started(num));
    timers.advance(50);
    send(completed(num));
    if (num === 5) send({ t: 'job', at: at(10), status: 'completed', error: null });
    // Fast sheets: several records land between two refreshes.
    timers.advance(num % 2 === 0 ? 1000 : 50);
    assert.equal(count(reports.at(-1)), count(tree.at(-1)), `after sheet ${num}: progress "${reports.at(-1)}", tree "${tree.at(-1)}"`);
  }
  timers.advance(1000);
  await Promise.resolve();
  assert.equal(count(reports.at(-1)), '5', 'the last report before the job settled has every sheet');
  assert.equal(count(tree.at(-1)), '5');
  assert.ok(settled, 'the follower ends once the job settled');
  assert.equal(reports.length, 1 + tree.length, 'one report at the start, then one per refresh');
  assert.ok(tree.length < 11, `${tree.length} refreshes for 11 records`);
});

test('a finished job lets its state go unless its sheets are shown; showing them fetches it again', async () => {
  const timers = new FakeTimers();
  const state = jobState({ totalSheets: 3 });
  const source = sourceOf(state);
  const store = new JobStore(source, timers);
  await store.loadState('review');
  store.handleRecord({ type: 'job.record', jobId: 'review', at: at(5), record: { t: 'job', at: at(5), status: 'completed', error: null } });
  store.handle({ type: 'job.completed', jobId: 'review', at: at(5) });
  state.status = 'completed'; // what the conductor answers from now on
  assert.equal(store.state('review'), undefined, 'let go');
  assert.equal(store.heldStates(), 0);
  assert.equal(store.summary('review')?.status, 'completed', 'its summary stays for the tree');
  store.retain('review', true);
  await store.loadState('review');
  assert.equal(source.statusCalls, 2, 'expanding it fetched it again');
  assert.ok(store.state('review'), 'held while shown');
  store.retain('review', false);
  assert.equal(store.state('review'), undefined, 'collapsed: let go');
});

const h = harness();
before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

test("`mozart clear` on a real conductor takes the job out of the editor's store, with its state", async () => {
  const connection = new ConductorConnection({ socketPath: h.socket, conductorScript: '', execPath: process.execPath, env: h.env, logFile: `${h.home}/mozart.log`, mayRestart: () => false });
  const store = new JobStore(connection);
  connection.on('event', (event) => store.handle(event));
  connection.on('record', (event) => store.handleRecord(event));
  const loaded = new Promise<void>((resolve) => connection.on('state', (s) => s.phase === 'running' && void store.load().then(resolve)));
  connection.start({ spawn: false });
  await loaded;
  try {
    const until = (accept: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => accept() && (store.off('changed', check), resolve());
        store.on('changed', check);
        check();
      });
    const file = scoreFile('to-clear', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 3);
    store.retain('to-clear', true); // shown in the tree: its state is held to the end
    const submitted = await connection.request('job.submit', { scoreFile: file });
    store.upsert(submitted);
    await until(() => store.summary('to-clear')?.status === 'completed');
    assert.equal(store.summary('to-clear')?.completedSheets, 3);
    const cleared = h.mozart('clear', 'to-clear');
    assert.equal(cleared.code, 0, cleared.err);
    await until(() => store.summary('to-clear') === undefined);
    assert.deepEqual(store.jobs().map((j) => j.jobId), []);
    assert.equal(store.state('to-clear'), undefined);
    assert.equal(store.heldStates(), 0, 'nothing of it is held');
  } finally {
    store.refreshes.dispose();
    connection.dispose();
  }
});
