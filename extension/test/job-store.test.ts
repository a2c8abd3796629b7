// The job store follows the conductor's events: it lists jobs on connect, applies events to the
// states it holds, fetches a job it has not seen, and never runs two fetches of one job at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MethodName, Methods } from '../../protocol/src/methods.js';
import type { JobState } from '../../protocol/src/job-state.js';
import { JobStore } from '../src/jobs/job-store.js';
import type { JobSource } from '../src/jobs/job-store.js';
import { T0, event, jobState, summary } from './support/jobs.js';

/** A conductor stand-in whose answers the test releases by hand. */
class FakeSource implements JobSource {
  readonly calls: { method: MethodName; params: unknown; resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  request<M extends MethodName>(method: M, params: Methods[M][0]): Promise<Methods[M][1]> {
    return new Promise((resolve, reject) => this.calls.push({ method, params, resolve: resolve as (v: unknown) => void, reject }));
  }
  /** Answers the oldest open call of `method`. */
  answer(method: MethodName, value: unknown): void {
    const index = this.calls.findIndex((c) => c.method === method);
    assert.ok(index >= 0, `a ${method} call is open`);
    const [call] = this.calls.splice(index, 1);
    call?.resolve(value);
  }
  open(method: MethodName): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('job store', () => {
  test('a job asked to pause shows as pausing at once, from the event or from the list, until it stops running', async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    const loading = store.load();
    source.answer('job.list', [summary({ jobId: 'a', status: 'running' }), summary({ jobId: 'b', status: 'running', pausing: true }), summary({ jobId: 'c', status: 'completed' })]);
    await loading;
    assert.equal(store.summary('a')?.pausing, undefined);
    assert.equal(store.summary('b')?.pausing, true, 'a pause asked before this window connected');
    assert.equal(store.pausingCount(), 1);
    const changed: (string | undefined)[] = [];
    store.on('changed', (id) => changed.push(id));
    store.markPausing('a');
    assert.equal(store.summary('a')?.pausing, true, 'at once, before the conductor answers');
    assert.equal(store.pausingCount(), 2, 'the status bar counts it at once');
    assert.deepEqual(changed, ['a']);
    store.markPausing('c');
    assert.equal(store.summary('c')?.pausing, undefined, 'a finished job is not pausing');
    store.handle(event({ type: 'job.paused' }, 10, 'a'));
    assert.equal(store.summary('a')?.status, 'paused');
    assert.equal(store.summary('a')?.pausing, undefined, 'paused, no longer pausing');
    assert.deepEqual(store.jobs().filter((j) => j.pausing).map((j) => j.jobId), ['b']);
    assert.equal(store.pausingCount(), 1);
  });

  test('a job.pausing event marks the job pausing', async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    const loading = store.load();
    source.answer('job.list', [summary({ jobId: 'a', status: 'running' })]);
    await loading;
    store.handle(event({ type: 'job.pausing', message: 'Pausing at the next safe point' }, 5, 'a'));
    assert.equal(store.summary('a')?.pausing, true);
  });

  test('lists jobs when loaded and counts the running ones', async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    const loading = store.load();
    source.answer('job.list', [summary({ jobId: 'a', status: 'running' }), summary({ jobId: 'b', status: 'completed' })]);
    await loading;
    assert.equal(store.loaded, true);
    assert.deepEqual(store.jobs().map((j) => j.jobId), ['a', 'b']);
    assert.equal(store.runningCount(), 1);
  });

  test("an event for a job it holds updates the job's state and summary without asking the conductor", async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    const state = store.loadState('review');
    source.answer('job.status', jobState());
    await state;
    const changed: (string | undefined)[] = [];
    store.on('changed', (id) => changed.push(id));
    store.handleRecord({ type: 'job.record', jobId: 'review', at: new Date(T0).toISOString(), record: { t: 'sheet', at: new Date(T0).toISOString(), num: 1, patch: { status: 'completed', attempts: 1, durationMs: 10 }, addCostUsd: 0.25 } });
    assert.equal(store.state('review')?.sheets['1']?.status, 'completed');
    assert.equal(store.summary('review')?.completedSheets, 1);
    assert.equal(store.summary('review')?.costUsd, 0.25);
    assert.deepEqual(changed, ['review']);
    assert.equal(source.calls.length, 0, 'no request for a sheet event');
  });

  test('a job seen for the first time is fetched once, however many events arrive meanwhile', async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    store.handle(event({ type: 'job.started' }, 0, 'new-job'));
    store.handle(event({ type: 'sheet.started', sheet: 1, attempt: 1, mode: 'normal' }, 1, 'new-job'));
    store.handle(event({ type: 'sheet.started', sheet: 2, attempt: 1, mode: 'normal' }, 2, 'new-job'));
    assert.equal(source.open('job.status'), 1, 'one fetch in flight');
    source.answer('job.status', jobState({ jobId: 'new-job', name: 'new-job' }, { 1: { status: 'in_progress', attempts: 1 } }));
    await settle();
    // Events that came during the fetch ask for one more fetch (never two at once).
    assert.equal(source.open('job.status'), 1);
    source.answer('job.status', jobState({ jobId: 'new-job', name: 'new-job' }, { 1: { status: 'in_progress', attempts: 1 }, 2: { status: 'in_progress', attempts: 1 } }));
    await settle();
    assert.equal(source.open('job.status'), 0);
    assert.equal(store.state('new-job')?.sheets['2']?.status, 'in_progress');
    assert.equal(store.summary('new-job')?.status, 'running');
  });

  test('a job-level event refreshes the held state of a job the tree shows; a finished job nobody shows lets its state go', async () => {
    for (const shown of [true, false]) {
      const source = new FakeSource();
      const store = new JobStore(source);
      store.retain('review', shown);
      const loading = store.loadState('review');
      source.answer('job.status', jobState());
      await loading;
      await settle();
      store.handleRecord({ type: 'job.record', jobId: 'review', at: new Date(T0).toISOString(), record: { t: 'job', at: new Date(T0).toISOString(), status: 'completed', error: null } });
      store.handle(event({ type: 'job.completed' }));
      assert.equal(store.summary('review')?.status, 'completed', 'applied at once');
      assert.equal(source.open('job.status'), shown ? 1 : 0, shown ? 'and fetched to be exact' : 'not fetched');
      assert.equal(store.state('review') !== undefined, shown, shown ? 'held while shown' : 'let go');
      if (!shown) {
        assert.equal(store.summary('review')?.totalSheets, 3, 'the summary stays');
        store.handle(event({ type: 'job.hook', index: 0, ok: true, message: 'done' }));
        assert.equal(source.open('job.status'), 0, "a finished job's later notes fetch nothing");
      }
      store.refreshes.dispose();
    }
  });

  test('clearing forgets everything, and answers to requests made before are dropped', async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    const loading = store.load();
    store.clear();
    source.answer('job.list', [summary()]);
    await loading;
    assert.deepEqual(store.jobs(), []);
    assert.equal(store.loaded, false);
  });

  test('what a submit answered is shown before the first event', () => {
    const store = new JobStore(new FakeSource());
    store.upsert(summary({ jobId: 'fresh', status: 'running' }));
    assert.equal(store.summary('fresh')?.status, 'running');
  });

  test('a failed fetch is reported, not thrown', async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    const problems: string[] = [];
    store.on('problem', (p) => problems.push(p));
    store.handle(event({ type: 'job.started' }, 0, 'gone'));
    const call = source.calls.shift();
    call?.reject(new Error('No job named gone'));
    await settle();
    assert.deepEqual(problems, ["Could not read job 'gone': No job named gone"]);
    await assert.rejects(() => {
      const p = store.loadState('gone');
      source.calls.shift()?.reject(new Error('nope'));
      return p as Promise<JobState>;
    }, /nope/);
  });

  test('in a cluster, the member that takes a job moves it to that member, and a fresh state keeps it there', async () => {
    const source = new FakeSource();
    const store = new JobStore(source);
    const loading = store.load();
    source.answer('job.list', [summary({ jobId: 'review', status: 'pending' })]);
    await loading;
    const changed: (string | undefined)[] = [];
    store.on('changed', (id) => changed.push(id));
    store.handle({ ...event({ type: 'job.cluster', action: 'taken', message: 'Member vm-7 runs the job (fencing token 1).' }), member: 'vm-7' });
    assert.equal(store.summary('review')?.member, 'vm-7');
    assert.equal(changed[0], undefined, 'the whole tree regroups');
    source.answer('job.status', jobState());
    await settle();
    assert.equal(store.summary('review')?.member, 'vm-7', 'job.status does not say where a job runs; the store remembers');
  });
});
