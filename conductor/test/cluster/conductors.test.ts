// Issue 13's "done when": a real redis-server and three real conductors, each with its own
// MOZART_HOME, standing for three machines that share one filesystem. Every agent is a shell
// command that keeps a per-job ledger and takes an exclusive flock on the job while it runs, so a
// second runner of the same job at the same time would write OVERLAP; the job's event log
// (written by whichever member runs it) shows every sheet that was validated.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ConductorClient } from '../../../protocol/src/client.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { EventLog, harness, scoreFile } from '../daemon/harness.js';
import type { Harness } from '../daemon/harness.js';
import { RedisServer, redisMissing } from '../support/redis-server.js';

// One command for every job (so all share one rate-limit key); marker files in a job's folder
// decide what it does: hit-429 (its first attempt is rate limited), hold-N (sheet N waits for go).
const AGENT = [
  'D="$MOZART_WORKSPACE/.."',
  'exec 9>>"$D/runner.lock"',
  'flock -n 9 || echo "OVERLAP $MOZART_SHEET_NUM" >> "$D/ledger"',
  'echo "start $MOZART_SHEET_NUM" >> "$D/ledger"',
  'if [ -e "$D/hit-429" ] && [ ! -e "$D/hit-once" ]; then touch "$D/hit-once"; echo "HTTP 429 Too Many Requests"; exit 1; fi',
  'if [ -e "$D/hold-$MOZART_SHEET_NUM" ]; then while [ ! -e "$D/go" ]; do sleep 0.05; done; fi',
  'sleep 0.2',
  'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"',
  'echo "end $MOZART_SHEET_NUM" >> "$D/ledger"',
].join('; ');

/** Resolves when the conductor's log has a line matching `pattern` (watching the file, no polling). */
function logged(h: Harness, pattern: RegExp): Promise<void> {
  const file = join(h.home, 'conductor.log');
  return new Promise((resolve) => {
    const check = () => {
      if (pattern.test(readFileSync(file, 'utf8'))) {
        watcher.close();
        resolve();
      }
    };
    const watcher = watch(file, check);
    check();
  });
}

interface Member {
  h: Harness;
  client?: ConductorClient;
  log?: EventLog;
}

/** A job's score (its folder holds the ledger and the marker files). */
function job(name: string, sheets: number, markers: string[] = []): { file: string; dir: string } {
  const file = scoreFile(name, AGENT, sheets, 'rate_limit: { wait_minutes: 1 }\nretry: { base_delay_seconds: 1 }\n');
  for (const marker of markers) writeFileSync(join(dirname(file), marker), '');
  return { file, dir: dirname(file) };
}

/** The events of a job's own event log (every member that ran it appended to it). */
function eventLog(dir: string): RunnerEvent[] {
  return readFileSync(join(dir, 'ws', '.mozart', 'events.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunnerEvent);
}

/** No sheet was validated twice, none started again after it was validated, no two runners overlapped. */
function assertLedger(dir: string, sheets: number): void {
  const ledger = readFileSync(join(dir, 'ledger'), 'utf8');
  assert.ok(!ledger.includes('OVERLAP'), `two runners of one job at once:\n${ledger}`);
  const events = eventLog(dir);
  for (let sheet = 1; sheet <= sheets; sheet++) {
    const completed = events.filter((e) => e.type === 'sheet.completed' && e.sheet === sheet);
    assert.equal(completed.length, 1, `sheet ${sheet} was validated ${completed.length} times`);
    const at = events.indexOf(completed[0] as RunnerEvent);
    assert.ok(!events.slice(at + 1).some((e) => e.type === 'sheet.started' && e.sheet === sheet), `sheet ${sheet} started again after it was validated`);
  }
}

describe('three conductors, one cluster', { skip: redisMissing, timeout: 240_000 }, () => {
  let redis: RedisServer;
  const members: Member[] = [];
  const alive = () => members.filter((m) => m.log);

  /** The event log of any member still alive (every member sees every job's events). */
  const events = (): EventLog => (alive()[0] as Member & { log: EventLog }).log;
  const waitFor = (predicate: (e: RunnerEvent) => boolean) => events().waitFor(predicate);
  const ended = (jobId: string, type: RunnerEvent['type'] = 'job.completed') => waitFor((e) => e.jobId === jobId && e.type === type);

  async function startMember(m: Member): Promise<void> {
    const r = m.h.mozart('start');
    assert.equal(r.code, 0, r.err + r.out);
    m.client = await m.h.connect();
    m.log = new EventLog(m.client);
    await m.client.request('events.subscribe', {});
  }

  const memberId = async (m: Member) => (await (m.client as ConductorClient).request('daemon.status', {})).cluster?.member;

  before(async () => {
    redis = await RedisServer.start();
    for (let i = 0; i < 3; i++) {
      // One job at a time per member: where a job runs then follows from where others run.
      members.push({ h: harness({ MOZART_CLUSTER: redis.url, MOZART_CLUSTER_LOCK_MS: '2000', MOZART_MAX_JOBS: '1', MOZART_TEST_CLOCK_SCALE: '0.05' }) });
    }
    for (const m of members) await startMember(m);
  });

  after(async () => {
    for (const m of members) {
      m.client?.close();
      m.h.mozart('stop');
    }
    await redis.dispose();
  });

  test('conductor-status on any member shows the three members, their capacity and Redis', async () => {
    const status = await (members[1]?.client as ConductorClient).request('daemon.status', {});
    assert.equal(status.cluster?.members.length, 3);
    assert.deepEqual(status.cluster?.members.map((m) => m.maxJobs), [1, 1, 1]);
    assert.equal(status.cluster?.redis.connected, true);
    const text = members[2]?.h.mozart('conductor-status');
    assert.equal(text?.code, 0, text?.err);
    assert.match(text?.out ?? '', /3 members, 0 of 3 job slots in use, 0 queued/);
  });

  test('twelve jobs spread over the three members and all complete, each sheet once', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => ({ name: `spread-${i}`, ...job(`spread-${i}`, 2) }));
    // Submitted on all three members alike; the queue decides where each runs.
    jobs.forEach((j, i) => {
      const r = members[i % 3]?.h.mozart('run', j.file);
      assert.equal(r?.code, 0, r?.err);
    });
    await Promise.all(jobs.map((j) => ended(j.name)));
    const takers = new Set(events().events.filter((e) => e.type === 'job.cluster' && e.action === 'taken' && e.jobId.startsWith('spread-')).map((e) => e.member));
    assert.equal(takers.size, 3, `jobs ran on ${[...takers].join(', ')}`);
    for (const j of jobs) assertLedger(j.dir, 2);
    // One view: the list on any member has every job, completed.
    const list = JSON.parse(members[2]?.h.mozart('list', '--all', '--json').out ?? '[]') as { jobId: string; status: string }[];
    for (const j of jobs) assert.ok(list.some((s) => s.jobId === j.name && s.status === 'completed'), j.name);
  });

  test('kill -9 of the member running a job: another member takes it over and finishes it', async () => {
    const k = job('survivor', 3, ['hold-2']);
    assert.equal(members[0]?.h.mozart('run', k.file).code, 0);
    const started = await waitFor((e) => e.jobId === 'survivor' && e.type === 'sheet.started' && e.sheet === 2);
    const victim = (await Promise.all(members.map(async (m) => ((await memberId(m)) === started.member ? m : undefined)))).find(Boolean) as Member;
    const pid = Number(readFileSync(join(victim.h.home, 'run', 'conductor.pid'), 'utf8'));
    victim.client?.close();
    delete victim.log;
    process.kill(pid, 'SIGKILL');
    const taken = await waitFor((e) => e.jobId === 'survivor' && e.type === 'job.cluster' && e.action === 'taken' && e.member !== started.member);
    assert.match((taken as { message: string }).message, new RegExp(`taking it over from ${started.member}`));
    writeFileSync(join(k.dir, 'go'), '');
    await ended('survivor');
    assertLedger(k.dir, 3);
    // The killed machine comes back as a new member.
    await startMember(victim);
  });

  test('a rate limit one member meets holds the sheets of a job on another member', async () => {
    const r = job('limited', 2, ['hit-429']);
    assert.equal(members[0]?.h.mozart('run', r.file).code, 0);
    const waiting = await waitFor((e) => e.jobId === 'limited' && e.type === 'sheet.waiting');
    const h = job('held', 2, ['hold-1']);
    assert.equal(members[1]?.h.mozart('run', h.file).code, 0);
    const heldStarted = await waitFor((e) => e.jobId === 'held' && e.type === 'sheet.started');
    assert.notEqual(heldStarted.member, waiting.member, 'the two jobs run on different members');
    writeFileSync(join(h.dir, 'go'), '');
    const shared = await waitFor((e) => e.jobId === 'held' && e.type === 'sheet.waiting');
    assert.match((shared as { reason: string }).reason, /Another job on the same backend was rate limited/);
    assert.equal((shared as { until: number }).until, (waiting as { until: number }).until, 'held until the same moment');
    const next = await waitFor((e) => e.jobId === 'held' && e.type === 'sheet.started' && e.sheet === 2);
    assert.ok(Date.parse(next.at) >= (waiting as { until: number }).until - 50, 'sheet 2 of the other job started only after the wait');
    await Promise.all([ended('limited'), ended('held')]);
    assertLedger(r.dir, 2);
    assertLedger(h.dir, 2);
  });

  test('pause on one member of a job running on another, then resume from a third', async () => {
    const p = job('paused-elsewhere', 3, ['hold-1']);
    assert.equal(members[0]?.h.mozart('run', p.file).code, 0);
    const started = await waitFor((e) => e.jobId === 'paused-elsewhere' && e.type === 'sheet.started');
    const ids = await Promise.all(members.map(memberId));
    const others = members.filter((_, i) => ids[i] !== started.member);
    const paused = others[0]?.h.mozart('pause', 'paused-elsewhere');
    assert.equal(paused?.code, 0, paused?.err);
    await waitFor((e) => e.jobId === 'paused-elsewhere' && e.type === 'job.pausing' && e.member === started.member);
    writeFileSync(join(p.dir, 'go'), ''); // the running sheet finishes; nothing new starts
    await ended('paused-elsewhere', 'job.paused');
    const state = (await (others[1]?.client as ConductorClient).request('job.status', { jobId: 'paused-elsewhere' })) as JobState;
    assert.equal(state.status, 'paused');
    assert.equal(state.sheets['1']?.status, 'completed');
    assert.equal(state.sheets['2']?.status, 'pending');
    const resumed = others[1]?.h.mozart('resume', 'paused-elsewhere');
    assert.equal(resumed?.code, 0, resumed?.err);
    await ended('paused-elsewhere');
    assertLedger(p.dir, 3);
  });

  test('a member that stops hands its running job back to the queue; another member finishes it', async () => {
    const g = job('handed-back', 3, ['hold-2']);
    assert.equal(members[0]?.h.mozart('run', g.file).code, 0);
    const started = await waitFor((e) => e.jobId === 'handed-back' && e.type === 'sheet.started' && e.sheet === 2);
    const ids = await Promise.all(members.map(memberId));
    const leaving = members[ids.indexOf(started.member)] as Member;
    leaving.client?.close();
    delete leaving.log;
    const stopped = leaving.h.mozart('stop');
    assert.equal(stopped.code, 0, stopped.err);
    assert.match(stopped.out, /went back to the cluster queue/);
    await waitFor((e) => e.jobId === 'handed-back' && e.type === 'job.cluster' && e.action === 'handed-back');
    await waitFor((e) => e.jobId === 'handed-back' && e.type === 'job.cluster' && e.action === 'taken' && e.member !== started.member);
    writeFileSync(join(g.dir, 'go'), '');
    await ended('handed-back');
    assertLedger(g.dir, 3);
    await startMember(leaving);
  });

  test('while Redis is away, new work is refused with the reason and a running job goes on', async () => {
    const l = job('through-outage', 2, ['hold-1']);
    assert.equal(members[0]?.h.mozart('run', l.file).code, 0);
    const started = await waitFor((e) => e.jobId === 'through-outage' && e.type === 'sheet.started');
    const ids = await Promise.all(members.map(memberId));
    const runner = members[ids.indexOf(started.member)] as Member & { log: EventLog };
    await redis.stop();
    // The member running it sees its own events without Redis.
    const done = runner.log.waitFor((e) => e.jobId === 'through-outage' && e.type === 'job.completed');
    writeFileSync(join(l.dir, 'go'), '');
    await done;
    const refused = runner.h.mozart('run', job('during-outage', 1).file);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.err, /E802 The cluster's Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer/);
    const status = runner.h.mozart('conductor-status');
    assert.equal(status.code, 1, 'unhealthy while Redis is away');
    assert.match(status.out, /Redis unreachable since .*not taking new jobs; running jobs go on/);
    await redis.launch();
    assertLedger(l.dir, 2);
    // Every member says in its log when it has Redis back; new work is taken from then on.
    await Promise.all(members.map((m) => logged(m.h, /Redis at .* answers again/)));
    const after = runner.h.mozart('run', job('after-outage', 1).file);
    assert.equal(after.code, 0, after.err);
    await ended('after-outage');
  });

  test('from a member that does not run the job: logs --follow to its end, diagnose, and cancel', async () => {
    const f = job('followed', 2, ['hold-1']);
    assert.equal(members[0]?.h.mozart('run', f.file).code, 0);
    const started = await waitFor((e) => e.jobId === 'followed' && e.type === 'sheet.started');
    const ids = await Promise.all(members.map(memberId));
    const watcher = members.find((_, i) => ids[i] !== started.member) as Member;
    let following!: () => void;
    const followingStarted = new Promise<void>((r) => (following = r));
    const follow = watcher.h.mozartLive(['logs', 'followed', '--follow'], (soFar) => soFar.includes('sheet.started') && following());
    await followingStarted;
    writeFileSync(join(f.dir, 'go'), '');
    const followed = await follow;
    assert.equal(followed.code, 0, followed.err);
    assert.match(followed.out, /job\.completed/);
    const report = JSON.parse(watcher.h.mozart('diagnose', 'followed', '--json').out) as { job: { status: string } };
    assert.equal(report.job.status, 'completed');

    const c = job('cancelled-elsewhere', 2, ['hold-1']);
    assert.equal(members[0]?.h.mozart('run', c.file).code, 0);
    const running = await waitFor((e) => e.jobId === 'cancelled-elsewhere' && e.type === 'sheet.started');
    const canceller = members.find((_, i) => ids[i] !== running.member) as Member;
    const cancelled = canceller.h.mozart('cancel', 'cancelled-elsewhere');
    assert.equal(cancelled.code, 0, cancelled.err);
    await ended('cancelled-elsewhere', 'job.cancelled');
    const ledger = readFileSync(join(c.dir, 'ledger'), 'utf8');
    assert.ok(!ledger.includes('end 1'), 'the running agent was stopped, not left to finish');
  });

  test('Redis restarted mid-run: running and queued jobs all finish, nothing lost or run twice', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => ({ name: `restart-${i}`, ...job(`restart-${i}`, 3) }));
    for (const j of jobs) assert.equal(members[0]?.h.mozart('run', j.file).code, 0);
    await waitFor((e) => e.jobId.startsWith('restart-') && e.type === 'sheet.completed');
    await redis.stop();
    await redis.launch();
    await Promise.all(jobs.map((j) => ended(j.name)));
    for (const j of jobs) assertLedger(j.dir, 3);
    const health = members[1]?.h.mozart('conductor-status');
    assert.equal(health?.code, 0, health?.out);
    assert.match(health?.out ?? '', /Redis answers.*\(lost \d+ times?/);
  });

  test('a cluster-wide agent cap holds agents of one backend across members to the cap', async () => {
    // A fourth member started with the cap sets it for the whole cluster.
    const capper: Member = { h: harness({ MOZART_CLUSTER: redis.url, MOZART_CLUSTER_LOCK_MS: '2000', MOZART_MAX_JOBS: '1', MOZART_TEST_CLOCK_SCALE: '0.05', MOZART_CLUSTER_AGENT_CAPS: 'command=1' }) };
    members.push(capper);
    await startMember(capper);
    // Every agent of these jobs takes one lock shared by all of them: two at once would say OVERLAP.
    const shared = mkdtempSync(join(tmpdir(), 'mozart-cap-'));
    const agent = `exec 9>>"${shared}/lock"; flock -n 9 || echo OVERLAP >> "${shared}/ledger"; echo start >> "${shared}/ledger"; sleep 0.3; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`;
    const names = ['cap-a', 'cap-b', 'cap-c'];
    for (const [i, name] of names.entries()) assert.equal(members[i]?.h.mozart('run', scoreFile(name, agent, 2)).code, 0);
    const takers = await Promise.all(names.map((name) => waitFor((e) => e.jobId === name && e.type === 'job.cluster' && e.action === 'taken')));
    assert.ok(new Set(takers.map((e) => e.member)).size >= 2, 'the jobs run on several members');
    await Promise.all(names.map((name) => ended(name)));
    const ledger = readFileSync(join(shared, 'ledger'), 'utf8');
    assert.ok(!ledger.includes('OVERLAP'), `two agents at once under a cap of 1:\n${ledger}`);
    assert.equal(ledger.split('\n').filter((l) => l === 'start').length, 6);
    const status = await (capper.client as ConductorClient).request('daemon.status', {});
    assert.deepEqual(status.cluster?.agentCaps.map((c) => [c.backend, c.cap]), [['command', 1]]);
  });
});
