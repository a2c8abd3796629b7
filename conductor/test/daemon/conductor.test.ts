// A real conductor process in a temp MOZART_HOME, reached over its real Unix socket.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConductorClient } from '../../../protocol/src/client.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { isAlive } from '../support/job.js';
import { EventLog, harness, scoreFile } from './harness.js';

const h = harness();
const { socket } = h;
const mozart = h.mozart.bind(h);

/** Sends raw bytes and collects the reply lines (or the close). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolvePromise) => {
    const s = connect(socket);
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\n')) s.end();
    });
    s.on('close', () => resolvePromise(got));
    s.on('error', () => resolvePromise(got));
    s.write(bytes);
  });
}

before(() => {
  const r = mozart('start');
  assert.equal(r.code, 0, r.err);
});

after(() => {
  mozart('stop');
});

test('the socket is owner-only: directory 0700, socket 0600', () => {
  assert.equal(statSync(dirname(socket)).mode & 0o777, 0o700);
  assert.equal(statSync(socket).mode & 0o777, 0o600);
});

test('a second conductor is refused', () => {
  const r = mozart('start');
  assert.equal(r.code, 1);
  assert.match(r.err, /already running/);
});

test('a second conductor for the same home on another socket is refused, naming the socket of the one that runs', () => {
  const other = join(h.home, 'run', 'other.sock');
  const r = mozart('start', '--socket', other);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`Another conductor already runs for ${h.home} on ${socket} \\(pid \\d+\\); a second one would run its jobs twice`));
  assert.equal(readFileSync(join(h.home, 'run', 'conductor.socket'), 'utf8'), `${socket}\n`, "the record still names the first conductor's socket");
  assert.match(readFileSync(join(h.home, 'mozart.log'), 'utf8'), /another conductor \(pid \d+\) already runs for .* two conductors over one home would run the same jobs twice/);
  assert.equal(mozart('list', '--socket', other).code === 0, false, 'nothing listens on the other socket');
});

test('run --watch streams progress and exits 0 when the job completes', () => {
  const r = mozart('run', scoreFile('watched', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"'), '--watch');
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /✓ sheet 2 completed/);
  assert.match(r.out, /\[#+\] 2\/2/);
  assert.match(r.out, /Job 'watched' completed/);
  const list = mozart('list', '--all', '--json');
  assert.ok((JSON.parse(list.out) as { jobId: string; status: string }[]).some((j) => j.jobId === 'watched' && j.status === 'completed'));
});

test('an invalid score is refused with its findings and nothing runs', () => {
  const file = scoreFile('bad', 'true').replace(/$/, '');
  writeFileSync(file, 'name: bad\nsheet: { size: 0, total_items: 1 }\nprompt: { template: x }\n');
  const r = mozart('run', file);
  assert.equal(r.code, 1);
  assert.match(r.err, /not valid.*\n.*S005 sheet.size must be at least 1/);
});

test('garbage, unknown methods, bad params and oversized lines get errors; the conductor keeps answering', async () => {
  assert.match(await raw('this is not json\n'), /"code":-32700/);
  assert.match(await raw('{"jsonrpc":"2.0","id":1,"method":"no.such"}\n'), /"code":-32601/);
  assert.match(await raw('{"jsonrpc":"2.0","id":2,"method":"job.status","params":{"jobId":7}}\n'), /"code":-32602/);
  assert.match(await raw('{"jsonrpc":"2.0","id":3,"method":"job.status","params":{"jobId":"nope"}}\n'), /"code":-32000.*No job named 'nope'/);
  // A 50 MB line, while 200 clients connect at once and ask for the status.
  const huge = raw(Buffer.concat([Buffer.alloc(50 * 1024 * 1024, 'x'), Buffer.from('\n')]));
  const crowd = await Promise.all(
    Array.from({ length: 200 }, async () => {
      const c = await ConductorClient.connect(socket);
      try {
        return await c.request('daemon.status', {});
      } finally {
        c.close();
      }
    }),
  );
  assert.match(await huge, /Message too large/);
  assert.equal(crowd.length, 200);
  assert.ok(crowd.every((s) => s.socket === socket));
  const client = await ConductorClient.connect(socket);
  const status = await client.request('daemon.status', {});
  client.close();
  assert.equal(status.socket, socket);
});

test('cancel stops a running job and every process its agent started', async () => {
  // The agent starts a background child, records both pids, and then waits forever.
  const file = scoreFile('cancelled', 'sleep 600 & echo "$$ $!" > "$MOZART_WORKSPACE/pids"; echo started; wait', 2);
  const client = await ConductorClient.connect(socket);
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'cancelled' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.output');
  const pids = readFileSync(join(summary.workspace, 'pids'), 'utf8').trim().split(' ').map(Number);
  assert.ok(pids.length === 2 && pids.every(isAlive));
  const r = mozart('cancel', 'cancelled');
  assert.equal(r.code, 0, r.err);
  await log.waitFor((e) => e.type === 'job.cancelled');
  client.close();
  assert.deepEqual(pids.map(isAlive), [false, false], 'the agent and its child are gone');
  const state = JSON.parse(mozart('status', 'cancelled', '--json').out) as JobState;
  assert.equal(state.status, 'cancelled');
  assert.deepEqual(Object.values(state.sheets).map((s) => s.status), ['pending', 'pending'], 'the interrupted sheet runs again on resume');
});

test('subscribers get job and sheet events as they happen; pause and resume complete the job', async () => {
  // Sheet 1 waits for a go file, so the pause lands while it runs.
  const file = scoreFile('pausable', 'while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 3);
  const client = await ConductorClient.connect(socket);
  const log = new EventLog(client);
  const waitFor = log.waitFor.bind(log);
  await client.request('events.subscribe', { jobId: 'pausable' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await waitFor((e) => e.type === 'sheet.started' && e.sheet === 1);
  await client.request('job.pause', { jobId: 'pausable' });
  writeFileSync(join(summary.workspace, 'go'), '');
  await waitFor((e) => e.type === 'job.paused');
  const paused = await client.request('job.status', { jobId: 'pausable' });
  assert.equal(paused.status, 'paused');
  assert.equal(paused.sheets['1']!.status, 'completed', 'the running sheet finished before the pause');
  assert.equal(paused.sheets['2']!.status, 'pending');
  const resumed = await client.request('job.resume', { jobId: 'pausable' });
  assert.equal(resumed.status, 'running', 'the answer to a resume is the job running, not the status it had');
  await waitFor((e) => e.type === 'job.completed');
  const done = await client.request('job.status', { jobId: 'pausable' });
  client.close();
  assert.deepEqual(Object.values(done.sheets).map((s) => s.attempts), [1, 1, 1], 'no validated sheet ran twice');
});

test('kill -9 of the conductor mid-job: the next conductor resumes the job; no validated sheet re-runs', async () => {
  // Sheet 2 blocks until the go file exists; each run of a sheet is logged.
  const file = scoreFile('survivor', 'echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/runs"; echo running; while [ "$MOZART_SHEET_NUM" = 2 ] && [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 3);
  const client = await ConductorClient.connect(socket);
  const sheet2Running = new Promise<void>((res) => {
    client.onEvent = (e) => e.type === 'sheet.output' && e.sheet === 2 && res();
  });
  await client.request('events.subscribe', { jobId: 'survivor' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await sheet2Running;
  const { pid } = await client.request('daemon.status', {});
  const closed = new Promise<void>((r) => (client.onClose = r));
  process.kill(pid, 'SIGKILL');
  await closed;

  writeFileSync(join(summary.workspace, 'go'), '');
  assert.equal(mozart('start').code, 0);
  const again = await ConductorClient.connect(socket);
  const done = new Promise<void>((res) => {
    again.onEvent = (e) => e.type === 'job.completed' && res();
  });
  await again.request('events.subscribe', { jobId: 'survivor' });
  const state = await again.request('job.status', { jobId: 'survivor' });
  if (state.status !== 'completed') await done;
  const final = await again.request('job.status', { jobId: 'survivor' });
  again.close();
  assert.equal(final.status, 'completed');
  const runs = readFileSync(join(summary.workspace, 'runs'), 'utf8').trim().split('\n');
  assert.deepEqual(runs, ['run-1', 'run-2', 'run-2', 'run-3']);
});

test('stop with a running job pauses and checkpoints it; after start, resume completes it', async () => {
  const file = scoreFile('stopped', 'echo running; while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  const client = await ConductorClient.connect(socket);
  const running = new Promise<void>((res) => {
    client.onEvent = (e) => e.type === 'sheet.output' && res();
  });
  await client.request('events.subscribe', { jobId: 'stopped' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await running;
  client.close();
  assert.equal(mozart('stop').code, 0); // interrupts the running agent; the sheet goes back to pending
  assert.equal(mozart('start').code, 0);
  const listed = JSON.parse(mozart('list', '--json').out) as { jobId: string; status: string }[];
  assert.equal(listed.find((j) => j.jobId === 'stopped')?.status, 'paused');
  writeFileSync(join(summary.workspace, 'go'), '');
  const resumed = mozart('resume', 'stopped');
  assert.equal(resumed.code, 0, resumed.err);
  const again = await ConductorClient.connect(socket);
  const done = new Promise<void>((res) => {
    again.onEvent = (e) => e.type === 'job.completed' && res();
  });
  await again.request('events.subscribe', { jobId: 'stopped' });
  if ((await again.request('job.status', { jobId: 'stopped' })).status !== 'completed') await done;
  const final = await again.request('job.status', { jobId: 'stopped' });
  again.close();
  assert.equal(final.status, 'completed');
  assert.deepEqual(Object.values(final.sheets).map((s) => s.attempts), [1, 1], JSON.stringify(final.sheets['1']));
});

test('restart: running jobs pause at a safe point, and continue under the new conductor', async () => {
  const file = scoreFile('restarted', 'echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/runs"; echo running; while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  const before = await ConductorClient.connect(socket);
  const log = new EventLog(before);
  await before.request('events.subscribe', { jobId: 'restarted' });
  const summary = await before.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.output');
  const oldPid = (await before.request('daemon.status', {})).pid;
  before.close();
  const r = mozart('restart');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Conductor restarted \(pid \d+\)[\s\S]*Resumed restarted\./);
  const after = await ConductorClient.connect(socket);
  const done = new EventLog(after);
  await after.request('events.subscribe', { jobId: 'restarted' });
  assert.notEqual((await after.request('daemon.status', {})).pid, oldPid);
  assert.equal((await after.request('job.status', { jobId: 'restarted' })).status, 'running');
  writeFileSync(join(summary.workspace, 'go'), '');
  await done.waitFor((e) => e.type === 'job.completed');
  const final = await after.request('job.status', { jobId: 'restarted' });
  after.close();
  assert.deepEqual(Object.values(final.sheets).map((s) => [s.status, s.attempts]), [['completed', 1], ['completed', 1]]);
  // The interrupted sheet ran again from its start; no completed sheet ran twice.
  assert.deepEqual(readFileSync(join(summary.workspace, 'runs'), 'utf8').trim().split('\n'), ['run-1', 'run-1', 'run-2']);
});
