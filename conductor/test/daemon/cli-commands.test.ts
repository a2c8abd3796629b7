// The job commands beyond run/pause/resume, against a real conductor: errors, diagnose, logs
// (--follow), recover, resume -c, modify, clear, --start-sheet, status --watch, the job limit,
// memory backpressure, health, and rate limits shared between jobs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DiagnoseReport, JobErrorEntry, JobSummary } from '../../../protocol/src/methods.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { EventLog, harness, scoreFile } from './harness.js';

// Time scale 0.05: a one-minute rate-limit wait lasts 3 s, long enough for a second job to meet it.
const h = harness({ MOZART_MAX_JOBS: '2', MOZART_TEST_CLOCK_SCALE: '0.05' });
const json = <T>(r: { out: string }): T => JSON.parse(r.out) as T;

before(() => {
  const r = h.mozart('start');
  assert.equal(r.code, 0, r.err);
});

after(() => {
  h.mozart('stop');
});

/** Sheet 2 writes its output only once `{workspace}/fix` exists; every run is logged. */
const flaky = 'echo "agent output for sheet $MOZART_SHEET_NUM"; echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/runs"; if [ "$MOZART_SHEET_NUM" = 2 ] && [ ! -e "$MOZART_WORKSPACE/fix" ]; then echo "cannot write" >&2; exit 1; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"';

test('a failed job explains itself; recover completes a sheet whose work appeared; resume runs only the rest', () => {
  const file = scoreFile('explained', flaky, 3, 'retry: { max_retries: 1, base_delay_seconds: 0.1 }\n');
  const run = h.mozart('run', file, '--watch');
  assert.equal(run.code, 1, 'a failed job exits 1');
  assert.match(run.out, /mozart diagnose explained/);
  const workspace = join(dirname(file), 'ws');

  const errors = json<JobErrorEntry[]>(h.mozart('errors', 'explained', '--json'));
  assert.deepEqual(errors.map((e) => [e.sheet, e.attempt, e.code]), [[2, 1, 'E201'], [2, 2, 'E201']]);
  assert.match(errors[0]!.suggestion ?? '', /file a validation expects is missing/);
  const verbose = h.mozart('errors', 'explained', '--verbose');
  assert.match(verbose.out, /category: validation\n\s+→ The agent finished/);
  assert.match(verbose.out, /Sheet 2 agent output \(last 20 lines; all of it: 'mozart logs explained --sheet 2'\):\n[\s\S]*cannot write/, "the original's -V: the end of the sheet's output");

  const diagnosis = h.mozart('diagnose', 'explained', '--json');
  assert.equal(diagnosis.code, 1);
  const report = json<DiagnoseReport>(diagnosis);
  assert.equal(report.job.status, 'failed');
  assert.deepEqual(report.failingSheets.map((s) => [s.sheet, s.status, s.attempts]), [[2, 'failed', 2]]);
  assert.equal(report.failingSheets[0]!.validations[0]!.status, 'failed');
  assert.match(report.failingSheets[0]!.stderrTail ?? '', /cannot write/);
  assert.ok(report.files.some((f) => f.label === 'Sheet 2 log' && existsSync(f.path)));
  assert.ok(report.suggestions.some((s) => s.includes("'mozart resume explained'")));
  assert.match(h.mozart('diagnose', 'explained').out, /What to do:[\s\S]*Sheet 2 \(E201\)/);

  const sheetLog = h.mozart('logs', 'explained', '--sheet', '2');
  assert.equal(sheetLog.code, 0);
  assert.equal(sheetLog.out.match(/agent output for sheet 2/g)?.length, 2, 'both attempts are in the sheet log');
  assert.match(sheetLog.out, /=== attempt 1[\s\S]*=== attempt 2/);
  assert.match(h.mozart('logs', 'explained').out, /sheet\.failed\s+sheet 2 E201/);
  assert.match(h.mozart('logs', 'explained', '--sheet', '9').err, /has no sheet 9/);

  // The work appears by other means: recover re-checks without running the agent.
  writeFileSync(join(workspace, 's2'), '');
  const dry = h.mozart('recover', 'explained', '--dry-run', '--json');
  assert.deepEqual(json<{ recovered: number[] }>(dry).recovered, [2]);
  assert.equal(json<JobState>(h.mozart('status', 'explained', '--json')).sheets['2']!.status, 'failed', 'a dry run records nothing');
  const recovered = h.mozart('recover', 'explained');
  assert.equal(recovered.code, 0, recovered.err);
  assert.match(recovered.out, /Recovered sheet 2/);
  const afterRecover = json<JobState>(h.mozart('status', 'explained', '--json'));
  assert.deepEqual([afterRecover.status, afterRecover.sheets['2']!.status, afterRecover.sheets['3']!.status], ['paused', 'completed', 'pending']);

  const resumed = h.mozart('resume', 'explained', '--watch');
  assert.equal(resumed.code, 0, resumed.out + resumed.err);
  assert.match(resumed.out, /✓ sheet 3 completed/);
  assert.deepEqual(readFileSync(join(workspace, 'runs'), 'utf8').trim().split('\n'), ['run-1', 'run-2', 'run-2', 'run-3'], 'recover ran no agent; resume ran only sheet 3');
});

test('resume -c takes a changed score (more sheets); a score with another name or workspace is refused', () => {
  const file = scoreFile('growing', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"; echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/runs"', 2);
  assert.equal(h.mozart('run', file, '--watch').code, 0);
  const bigger = join(dirname(file), 'bigger.yaml');
  writeFileSync(bigger, readFileSync(file, 'utf8').replace('total_items: 2', 'total_items: 4'));
  const renamed = join(dirname(file), 'renamed.yaml');
  writeFileSync(renamed, readFileSync(file, 'utf8').replace('name: growing', 'name: other'));
  const moved = join(dirname(file), 'moved.yaml');
  writeFileSync(moved, readFileSync(file, 'utf8').replace('workspace: ./ws', 'workspace: ./elsewhere'));

  assert.match(h.mozart('resume', 'growing', '-c', renamed).err, /named 'other', not 'growing'/);
  assert.match(h.mozart('resume', 'growing', '--reload-config', moved).err, /uses the workspace .*elsewhere.*checkpoint lives there/);
  assert.equal(json<JobState>(h.mozart('status', 'growing', '--json')).totalSheets, 2, 'a refused resume changed nothing');

  const r = h.mozart('resume', 'growing', '-c', bigger, '--watch');
  assert.equal(r.code, 0, r.out + r.err);
  const state = json<JobState>(h.mozart('status', 'growing', '--json'));
  assert.equal(state.totalSheets, 4);
  assert.equal(state.scoreFile, bigger);
  assert.deepEqual(readFileSync(join(dirname(file), 'ws', 'runs'), 'utf8').trim().split('\n'), ['run-1', 'run-2', 'run-3', 'run-4']);
});

test('modify pauses a running job at a safe point, applies the score, and --resume continues it', async () => {
  const file = scoreFile('modified', 'echo running; while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'modified' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.output' && e.sheet === 1);
  const changed = join(dirname(file), 'changed.yaml');
  writeFileSync(changed, readFileSync(file, 'utf8').replace('total_items: 2', 'total_items: 3'));
  const modifying = h.mozartLive(['modify', 'modified', '-c', changed, '--resume', '--json']);
  await log.waitFor((e) => e.type === 'job.pausing');
  writeFileSync(join(summary.workspace, 'go'), ''); // lets the running sheet finish: the safe point
  const modified = await modifying;
  assert.equal(modified.code, 0, modified.err);
  assert.equal(json<JobSummary>(modified).totalSheets, 3);
  await log.waitFor((e) => e.type === 'job.completed');
  client.close();
  const types = log.events.map((e) => e.type).filter((t) => t.startsWith('job.'));
  assert.deepEqual(types, ['job.started', 'job.pausing', 'job.paused', 'job.started', 'job.completed']);
  const state = json<JobState>(h.mozart('status', 'modified', '--json'));
  assert.deepEqual(Object.values(state.sheets).map((s) => [s.status, s.attempts]), [['completed', 1], ['completed', 1], ['completed', 1]]);
});

test('logs --follow streams a running sheet and ends with the job; status --watch follows it too', async () => {
  const file = scoreFile('followed', 'echo "first line"; while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; echo "second line"; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'followed' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.output');
  let sawFirst: () => void = () => undefined;
  const first = new Promise<void>((r) => (sawFirst = r));
  const following = h.mozartLive(['logs', 'followed', '--sheet', '1', '--follow'], (out) => out.includes('first line') && sawFirst());
  let sawStatus: () => void = () => undefined;
  const statusShown = new Promise<void>((r) => (sawStatus = r));
  const watching = h.mozartLive(['status', 'followed', '--watch'], (out) => out.includes('followed: running') && sawStatus());
  await Promise.all([first, statusShown]); // both are subscribed before the sheet can finish
  writeFileSync(join(summary.workspace, 'go'), '');
  const [followed, watched] = await Promise.all([following, watching]);
  client.close();
  assert.equal(followed.code, 0, followed.err);
  assert.match(followed.out, /first line\nsecond line/);
  assert.equal(watched.code, 0, watched.err);
  assert.match(watched.out, /followed: running[\s\S]*✓ sheet 1 completed[\s\S]*Job 'followed' completed/);
});

test('clear forgets finished jobs and keeps their workspaces; other jobs stay', () => {
  const done = scoreFile('cleared', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  assert.equal(h.mozart('run', done, '--watch').code, 0);
  const failing = scoreFile('kept-failed', 'exit 3', 1, 'retry: { max_retries: 0 }\n');
  assert.equal(h.mozart('run', failing, '--watch').code, 1);
  const r = h.mozart('clear', '--status', 'completed', '--json');
  assert.equal(r.code, 0, r.err);
  assert.ok(json<{ cleared: string[] }>(r).cleared.includes('cleared'));
  const listed = json<JobSummary[]>(h.mozart('list', '--all', '--json')).map((j) => j.jobId);
  assert.ok(!listed.includes('cleared'));
  assert.ok(listed.includes('kept-failed'), 'a failed job stays when only completed ones are cleared');
  assert.ok(existsSync(join(dirname(done), 'ws', 's1')), 'the workspace is untouched');
  assert.match(h.mozart('clear', 'cleared').err, /No job named 'cleared'/);
  assert.match(h.mozart('clear').out, /Cleared \d+ jobs?: .*kept-failed/);
  assert.ok(existsSync(join(dirname(failing), 'ws', '.mozart', 'state', 'state.json')), 'its checkpoint stays on disk');
});

test('run --start-sheet skips the sheets before it', () => {
  const file = scoreFile('late-start', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 3);
  const r = h.mozart('run', file, '--start-sheet', '2', '--watch');
  assert.equal(r.code, 0, r.out + r.err);
  const state = json<JobState>(h.mozart('status', 'late-start', '--json'));
  assert.deepEqual(Object.values(state.sheets).map((s) => s.status), ['skipped', 'completed', 'completed']);
  assert.match(state.sheets['1']!.skipReason ?? '', /--start-sheet 2/);
  assert.match(h.mozart('run', file, '--fresh', '-s', '7').err, /between 1 and 3/);
  assert.match(h.mozart('run', file, '-s', 'x').err, /--start-sheet must be a whole number/);
});

test('the job limit refuses more work with a clear message; health reports it', async () => {
  const blocked = 'echo waiting; while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"';
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', {});
  const a = await client.request('job.submit', { scoreFile: scoreFile('limit-a', blocked, 1) });
  const b = await client.request('job.submit', { scoreFile: scoreFile('limit-b', blocked, 1) });
  const refused = h.mozart('run', scoreFile('limit-c', blocked, 1));
  assert.equal(refused.code, 1);
  assert.match(refused.err, /already running 2 jobs, its limit.*'limit-c' was not started/);
  const health = await client.request('daemon.health', {});
  assert.equal(health.ok, false);
  assert.deepEqual(health.checks.map((c) => c.name), ['registry', 'memory', 'disk', 'jobs']);
  assert.match(health.checks.find((c) => c.name === 'jobs')!.detail, /2 of at most 2/);
  const conductorStatus = h.mozart('conductor-status');
  assert.equal(conductorStatus.code, 1, 'a failing health check makes conductor-status exit 1');
  assert.match(conductorStatus.out, /! jobs: 2 of at most 2 jobs running/);
  assert.match(conductorStatus.out, /✓ registry: .* is writable/);
  for (const s of [a, b]) writeFileSync(join(s.workspace, 'go'), '');
  await log.waitFor((e) => e.type === 'job.completed' && e.jobId === 'limit-a');
  await log.waitFor((e) => e.type === 'job.completed' && e.jobId === 'limit-b');
  client.close();
  assert.equal(h.mozart('run', scoreFile('limit-c', blocked.replace('while', 'touch "$MOZART_WORKSPACE/go"; while'), 1), '--watch').code, 0, 'accepted once a slot is free');
});

test('a rate limit met by one job holds the other job on the same backend, spending no retries', async () => {
  // The first run of any job's sheet reports a rate limit (once per marker file); later runs work.
  const dir = dirname(scoreFile('unused', 'true'));
  const marker = join(dir, 'limited-once');
  const agent = `if [ ! -e ${JSON.stringify(marker)} ]; then touch ${JSON.stringify(marker)}; echo "Error: rate limit exceeded" >&2; exit 1; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`;
  const extra = 'rate_limit: { wait_minutes: 1 }\n';
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', {});
  await client.request('job.submit', { scoreFile: scoreFile('limited-a', agent, 1, extra) });
  const waiting = await log.waitFor((e) => e.type === 'sheet.waiting' && e.jobId === 'limited-a');
  await client.request('job.submit', { scoreFile: scoreFile('limited-b', agent, 1, extra) });
  const held = await log.waitFor((e) => e.type === 'sheet.waiting' && e.jobId === 'limited-b');
  assert.ok(held.type === 'sheet.waiting' && waiting.type === 'sheet.waiting');
  assert.match(held.reason, /Another job on the same backend was rate limited/);
  assert.equal(held.until, waiting.until, 'the second job waits exactly as long as the first');
  await log.waitFor((e) => e.type === 'job.completed' && e.jobId === 'limited-a');
  await log.waitFor((e) => e.type === 'job.completed' && e.jobId === 'limited-b');
  client.close();
  const b = json<JobState>(h.mozart('status', 'limited-b', '--json'));
  assert.deepEqual([b.sheets['1']!.attempts, b.sheets['1']!.retries], [1, 0], 'job b never ran into the limit itself');
  assert.ok(!log.events.some((e) => e.type === 'sheet.started' && e.jobId === 'limited-b' && e.at < new Date(waiting.until).toISOString()), 'job b started no attempt before the wait ended');
});

test('a checkpoint the disk refuses stops the job with E403; the conductor keeps serving; resume finishes it', async (t) => {
  const file = scoreFile('unsaveable', 'echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/runs"; echo running; while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'unsaveable' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.output' && e.sheet === 1);
  // An immutable journal refuses every write, even root's, as a full disk or a read-only mount would.
  const journal = join(summary.workspace, '.mozart', 'state', 'journal.ndjson');
  if (spawnSync('chattr', ['+i', journal]).status !== 0) {
    writeFileSync(join(summary.workspace, 'go'), '');
    await log.waitFor((e) => e.type === 'job.completed');
    client.close();
    t.skip('chattr +i is not available here (needs root and a filesystem with attributes)');
    return;
  }
  try {
    writeFileSync(join(summary.workspace, 'go'), ''); // sheet 1 finishes; recording that fails
    const failed = await log.waitFor((e) => e.type === 'job.failed');
    assert.ok(failed.type === 'job.failed');
    assert.equal(failed.code, 'E403');
    assert.match(failed.message, /Cannot save the job's checkpoint: EPERM.*nothing saved before is lost.*'mozart resume unsaveable'/);
    const status = await client.request('job.status', { jobId: 'unsaveable' });
    assert.deepEqual([status.status, status.error?.code], ['failed', 'E403']);
    assert.equal((await client.request('daemon.status', {})).socket, h.socket, 'the conductor keeps serving');
    assert.ok(!log.events.some((e) => e.type === 'sheet.started' && e.sheet === 2), 'nothing started after the failure');
  } finally {
    spawnSync('chattr', ['-i', journal]);
    client.close();
  }
  const resumed = h.mozart('resume', 'unsaveable', '--watch');
  assert.equal(resumed.code, 0, resumed.out + resumed.err);
  // Only the journal refused writes: closing the store wrote a fresh snapshot (a new file) holding
  // sheet 1's end, so nothing ran twice. (Were the whole disk full, sheet 1 would run again.)
  assert.deepEqual(readFileSync(join(summary.workspace, 'runs'), 'utf8').trim().split('\n'), ['run-1', 'run-2']);
});

test('memory pressure refuses new work with a clear message and loses nothing', () => {
  const tight = harness({ MOZART_MIN_FREE_MEMORY_MB: String(1024 * 1024 * 1024) });
  assert.equal(tight.mozart('start').code, 0);
  try {
    const r = tight.mozart('run', scoreFile('squeezed', 'true', 1));
    assert.equal(r.code, 1);
    assert.match(r.err, /Memory is short: \d+ MB available, below the \d+ MB.*'squeezed' was not started; nothing was lost/);
    assert.deepEqual(json<JobSummary[]>(tight.mozart('list', '--all', '--json')), []);
  } finally {
    tight.mozart('stop');
  }
});

test('a pause is reported as pausing at once (answer and list); a paused job can be cancelled, keeping its done sheets', async () => {
  const file = scoreFile('pause-then-cancel', 'while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 3);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'pause-then-cancel' });
  const summary = await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.started' && e.sheet === 1);
  const paused = await client.request('job.pause', { jobId: 'pause-then-cancel' });
  assert.deepEqual([paused.status, paused.pausing], ['running', true], 'the answer says pausing while sheet 1 still runs');
  const listed = (await client.request('job.list', {})).find((j) => j.jobId === 'pause-then-cancel');
  assert.equal(listed?.pausing, true);
  writeFileSync(join(summary.workspace, 'go'), '');
  await log.waitFor((e) => e.type === 'job.paused');
  const cancelled = h.mozart('cancel', 'pause-then-cancel');
  assert.equal(cancelled.code, 0, cancelled.err);
  await log.waitFor((e) => e.type === 'job.cancelled');
  client.close();
  const state = json<JobState>(h.mozart('status', 'pause-then-cancel', '--json'));
  assert.deepEqual([state.status, state.sheets['1']!.status], ['cancelled', 'completed']);
});
