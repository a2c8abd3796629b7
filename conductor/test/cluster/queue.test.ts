// The cluster job queue against a real redis-server: runs spread over members up to their
// capacity, the scheduler's order, a member leaving a job it cannot see, hand-over after a member
// is killed (with the fence refusing the dead owner's writes), and Redis restarting under a run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FencedOffError } from '../../src/cluster/errors.js';
import { FenceGuard, fenceFile } from '../../src/cluster/fence.js';
import type { QueueHandlers, RunRequest, RunResult, TakenRun } from '../../src/cluster/job-queue.js';
import { gate, joinMember, request } from '../support/cluster.js';
import type { TestMember } from '../support/cluster.js';
import { RedisServer, redisMissing } from '../support/redis-server.js';

const stateDir = (r: RunRequest) => join(r.workspace, '.mozart', 'state');

/** Handlers whose runs last until `finish(jobId)`; `started` lists runs in the order they began. */
function blockingHandlers(member: TestMember, started: { jobId: string; member: string; taken: TakenRun }[], onStart?: () => void) {
  const finishers = new Map<string, (r: RunResult) => void>();
  const handlers: QueueHandlers = {
    cannotRun: () => undefined,
    stateDir,
    run: (taken) =>
      new Promise<RunResult>((resolve) => {
        finishers.set(taken.request.jobId, resolve);
        started.push({ jobId: taken.request.jobId, member: member.member.id, taken });
        onStart?.();
      }),
    note: () => undefined,
    liveMembers: async () => (await member.member.membership.members()).map((m) => m.id),
  };
  return { handlers, finish: (jobId: string) => finishers.get(jobId)?.({ kind: 'finished' }) };
}

/** Resolves when `list` has reached `n` items, checked each time `onChange` is called. */
function counter<T>(list: T[], n: number) {
  const done = gate();
  return { onChange: () => list.length >= n && done.open(), reached: done.promise };
}

describe('cluster job queue', { skip: redisMissing, timeout: 60_000 }, () => {
  let redis: RedisServer;
  const members: TestMember[] = [];
  const join_ = async (id: string, extra: Parameters<typeof joinMember>[1] = { memberId: id }) => {
    const m = await joinMember(redis.url, { ...extra, memberId: id, prefix: prefix });
    members.push(m);
    return m;
  };
  let prefix = 'p0';
  let n = 0;
  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await Promise.allSettled(members.map((m) => m.member.leave()));
    await redis.dispose();
  });
  const fresh = () => (prefix = `p${++n}`);

  test('runs spread over the members, each taking at most its --max-jobs', async () => {
    fresh();
    const started: { jobId: string; member: string; taken: TakenRun }[] = [];
    const all = counter(started, 6);
    const trio = await Promise.all(['a', 'b', 'c'].map((id) => join_(`${prefix}-${id}`)));
    const runs = trio.map((m) => blockingHandlers(m, started, all.onChange));
    trio.forEach((m, i) => m.member.startTaking((runs[i] as ReturnType<typeof blockingHandlers>).handlers));
    for (let i = 0; i < 6; i++) await trio[0]?.member.queue.enqueue(request(`job-${i}`));
    await all.reached;
    const perMember = new Map<string, number>();
    for (const s of started) perMember.set(s.member, (perMember.get(s.member) ?? 0) + 1);
    assert.deepEqual([...perMember.values()], [2, 2, 2], JSON.stringify([...perMember]));
    assert.equal(new Set(started.map((s) => s.jobId)).size, 6);
    // The cluster's view: who runs what.
    const owners = await trio[0]!.member.queue.owners();
    for (const s of started) assert.equal(owners[s.jobId], s.member);
    for (const s of started) runs.forEach((r) => r.finish(s.jobId));
  });

  test('priority first, then fair share between submitters, decides what a free member takes', async () => {
    fresh();
    const m = await join_(`${prefix}-solo`, { memberId: '', maxJobs: 1 });
    const q = m.member.queue;
    for (const i of [1, 2, 3, 4]) await q.enqueue(request(`a${i}`, { submitter: 'ann' }));
    for (const i of [1, 2]) await q.enqueue(request(`b${i}`, { submitter: 'bob' }));
    await q.enqueue(request('urgent', { submitter: 'ann', priority: 1 }));
    const overview = await q.overview();
    assert.deepEqual(overview.queued.map((r) => r.jobId), ['urgent', 'a1', 'b1', 'a2', 'b2', 'a3', 'a4']);
    const started: { jobId: string; member: string; taken: TakenRun }[] = [];
    const all = counter(started, 7);
    const { handlers, finish } = blockingHandlers(m, started, () => {
      all.onChange();
      const last = started.at(-1);
      if (last) setImmediate(() => finish(last.jobId)); // one at a time: the next starts when this ends
    });
    m.member.startTaking(handlers);
    await all.reached;
    assert.deepEqual(started.map((s) => s.jobId), ['urgent', 'a1', 'b1', 'a2', 'b2', 'a3', 'a4']);
  });

  test('a member that cannot see the score leaves the job for one that can, and says why', async () => {
    fresh();
    const blind = await join_(`${prefix}-blind`);
    const notes: { jobId: string; kind: string; message: string }[] = [];
    const leftNote = gate();
    blind.member.startTaking({
      cannotRun: (r) => `it cannot read ${r.scoreFile} (ENOENT).`,
      stateDir,
      run: () => Promise.reject(new Error('must not run')),
      note: (jobId, kind, message) => {
        notes.push({ jobId, kind, message });
        if (kind === 'left') leftNote.open();
      },
      liveMembers: async () => (await blind.member.membership.members()).map((x) => x.id),
    });
    const job = request('needs-share');
    await blind.member.queue.enqueue(job);
    await leftNote.promise;
    assert.match(notes[0]?.message ?? '', new RegExp(`Member ${blind.member.id} cannot run this job: it cannot read .*score.yaml \\(ENOENT\\)\\. It is left for another member\\. No member alive now can run it`));
    assert.equal((await blind.member.queue.place('needs-share')).state, 'queued');
    const seeing = await join_(`${prefix}-seeing`);
    const ran = gate<TakenRun>();
    seeing.member.startTaking({ ...blockingHandlers(seeing, []).handlers, run: async (taken) => (ran.open(taken), { kind: 'finished' }) });
    const taken = await ran.promise;
    assert.equal(taken.request.jobId, 'needs-share');
    assert.equal(notes.filter((x) => x.kind === 'left').length, 1, 'said once, however often the job comes by');
  });

  test('a killed member\'s job is taken over after its lock expires; the fence refuses the old owner', async () => {
    fresh();
    const job = request('handed-over');
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../support/cluster-member-child.ts'), redis.url, prefix, `${prefix}-doomed`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const took = gate<string>();
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /taken (\d+)/.exec(out);
      if (m) took.open(m[1] as string);
    });
    const survivor = await join_(`${prefix}-survivor`);
    await survivor.member.queue.enqueue(job); // the survivor does not take work yet
    const oldToken = Number(await took.promise);
    assert.equal((await survivor.member.queue.place('handed-over')).state, 'running');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const ran = gate<TakenRun>();
    survivor.member.startTaking({ ...blockingHandlers(survivor, []).handlers, run: async (taken) => (ran.open(taken), { kind: 'finished' }) });
    const taken = await ran.promise;
    assert.equal(taken.previousOwner, `${prefix}-doomed`);
    assert.ok(taken.fence.token > oldToken, `new token ${taken.fence.token} > old ${oldToken}`);
    const oldGuard = new FenceGuard('handed-over', oldToken, `${prefix}-doomed`, fenceFile(stateDir(job)));
    assert.throws(() => oldGuard.beforeWrite(), (e: Error) => e instanceof FencedOffError && e.code === 'E804' && e.message.includes(`${prefix}-survivor`));
    assert.doesNotThrow(() => taken.fence.beforeWrite());
  });

  test('a member whose queue lock is lost stops the run at once; the job is taken again with a newer token', async () => {
    fresh();
    const m = await join_(`${prefix}-shaky`);
    const runs: TakenRun[] = [];
    const first = gate();
    const second = gate<TakenRun>();
    const notes: string[] = [];
    m.member.startTaking({
      ...blockingHandlers(m, []).handlers,
      note: (_jobId, kind) => notes.push(kind),
      run: (taken) => {
        runs.push(taken);
        if (runs.length === 2) {
          second.open(taken);
          return Promise.resolve({ kind: 'finished' });
        }
        first.open();
        // Runs until told to stop: only the lost lock stops it.
        return new Promise((resolve) => taken.signal.addEventListener('abort', () => resolve({ kind: 'hand-back' }), { once: true }));
      },
    });
    await m.member.queue.enqueue(request('lock-lost'));
    await first.promise;
    // Another member's stalled check would see it unlocked: as if Redis had expired the lock.
    await m.member.redis.del(`${m.member.keys.bullPrefix}:jobs:job-lock-lost:lock`);
    const again = await second.promise;
    assert.ok(runs[0]?.signal.aborted, 'the first run was told to stop');
    assert.ok(again.fence.token > (runs[0]?.fence.token ?? Infinity));
    assert.deepEqual(notes, ['taken', 'lock-lost', 'taken']);
  });

  test('Redis restarting under a run: the run goes on, the member reconnects and takes new work', async () => {
    fresh();
    const m = await join_(`${prefix}-steady`);
    const started: { jobId: string; member: string; taken: TakenRun }[] = [];
    const first = counter(started, 1);
    const second = counter(started, 2);
    const { handlers, finish } = blockingHandlers(m, started, () => (first.onChange(), second.onChange()));
    m.member.startTaking(handlers);
    await m.member.queue.enqueue(request('long-run'));
    await first.reached;
    await redis.stop();
    await m.logged(/lost Redis/);
    await redis.launch();
    await m.logged(/answers again/);
    assert.equal((await m.member.queue.place('long-run')).state, 'running', 'the run is still known as running after the restart');
    await m.member.queue.enqueue(request('after-restart'));
    await second.reached;
    assert.equal(started[1]?.jobId, 'after-restart');
    finish('long-run');
    finish('after-restart');
  });
});
