// Proactive checkpoints (the score's `checkpoints`) through a real conductor: a matching sheet waits
// for `mozart approve`, a skip skips it, a warning-only trigger does not wait, and a wait survives
// a kill -9 of the conductor.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobState } from '../../../protocol/src/job-state.js';
import { EventLog, harness, scoreFile } from './harness.js';

const h = harness();

before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

const RUN = 'echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/runs"; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"';

function withCheckpoints(name: string, sheets: number, triggers: string): string {
  const file = scoreFile(name, RUN, sheets);
  writeFileSync(file, `${readFileSync(file, 'utf8')}checkpoints:\n  enabled: true\n  triggers:\n${triggers}`);
  return file;
}

function runs(file: string): string[] {
  const path = join(dirname(file), 'ws', 'runs');
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : [];
}

test('a matching sheet waits for approval, shown in status; approve lets it run and the job completes', async () => {
  const file = withCheckpoints('approve-me', 3, '    - { name: deploy-gate, sheet_nums: [2], message: "Sheet 2 deploys; check sheet 1 first" }\n');
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'approve-me' });
  await client.request('job.submit', { scoreFile: file });
  const asked = await log.waitFor((e) => e.type === 'sheet.approval_needed');
  assert.equal(asked.type === 'sheet.approval_needed' && asked.sheet, 2);
  assert.deepEqual(runs(file), ['run-1'], 'sheet 2 has not run while it waits');
  const status = h.mozart('status', 'approve-me');
  assert.match(status.out, /sheet +2 pending .*awaiting approval: Sheet 2 deploys; check sheet 1 first \('mozart approve approve-me --sheet 2'/);
  const state = JSON.parse(h.mozart('status', 'approve-me', '--json').out) as JobState;
  assert.equal(state.sheets['2']?.approval?.trigger, 'deploy-gate');
  assert.equal(state.sheets['2']?.approval?.decision, undefined);

  const approved = h.mozart('approve', 'approve-me');
  assert.equal(approved.code, 0, approved.err);
  assert.match(approved.out, /Sheet 2 of 'approve-me' is approved/);
  await log.waitFor((e) => e.type === 'job.completed');
  client.close();
  assert.deepEqual(runs(file), ['run-1', 'run-2', 'run-3']);
  assert.ok(log.events.some((e) => e.type === 'sheet.approved' && e.decision === 'proceed'));
  // The wait is on the sheet's timeline: from the question to the answer, before the attempt.
  const done = JSON.parse(h.mozart('status', 'approve-me', '--json').out) as JobState;
  const spans = done.sheets['2']?.spans ?? [];
  assert.deepEqual(spans.map((s) => (s.kind === 'wait' ? `wait:${s.wait}` : s.kind)), ['wait:approval', 'attempt']);
  const [wait, attempt] = spans as [(typeof spans)[number], (typeof spans)[number]];
  assert.equal(wait.start, Date.parse(state.sheets['2']?.approval?.since ?? ''));
  assert.ok(wait.end >= wait.start && attempt.start >= wait.end, `the wait ${wait.start}–${wait.end} comes before the attempt at ${attempt.start}`);
  const again = h.mozart('approve', 'approve-me');
  assert.equal(again.code, 1);
  assert.match(again.err, /not running/);
});

test('approve --skip skips the sheet without running its agent; a warning-only trigger does not wait', async () => {
  const file = withCheckpoints('skip-me', 3, '    - { name: risky, prompt_contains: ["SHEET 3"] }\n    - { name: heads-up, sheet_nums: [1], requires_confirmation: false, message: "sheet 1 starts" }\n');
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'skip-me' });
  await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.approval_needed' && e.sheet === 3);
  const skipped = h.mozart('approve', 'skip-me', '--sheet', '3', '--skip');
  assert.equal(skipped.code, 0, skipped.err);
  await log.waitFor((e) => e.type === 'job.completed');
  client.close();
  assert.deepEqual(runs(file), ['run-1', 'run-2']);
  const state = JSON.parse(h.mozart('status', 'skip-me', '--json').out) as JobState;
  assert.equal(state.sheets['3']?.status, 'skipped');
  assert.match(state.sheets['3']?.skipReason ?? '', /checkpoint 'risky' by a person/);
  const warning = log.events.find((e) => e.type === 'sheet.checkpoint_warning');
  assert.ok(warning && warning.type === 'sheet.checkpoint_warning' && warning.sheet === 1 && warning.message === 'sheet 1 starts');
  assert.equal(log.events.filter((e) => e.type === 'sheet.approval_needed').length, 1, 'only the confirming trigger asked');
});

test('a wait survives a kill -9 of the conductor: the next one asks again, and approval then completes the job', async () => {
  const file = withCheckpoints('approve-restart', 2, '    - { name: gate, sheet_nums: [2] }\n');
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'approve-restart' });
  await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.approval_needed');
  const { pid } = await client.request('daemon.status', {});
  const closed = new Promise<void>((r) => (client.onClose = r));
  process.kill(pid, 'SIGKILL');
  await closed;

  assert.equal(h.mozart('start').code, 0);
  const again = await h.connect();
  const log2 = new EventLog(again);
  await again.request('events.subscribe', { jobId: 'approve-restart' });
  const state = await again.request('job.status', { jobId: 'approve-restart' });
  if (!(state.status === 'running' && state.sheets['2']?.approval && !state.sheets['2'].approval.decision && h.mozart('approve', 'approve-restart').code === 0)) {
    await log2.waitFor((e) => e.type === 'sheet.approval_needed');
    assert.equal(h.mozart('approve', 'approve-restart').code, 0);
  }
  const final = await again.request('job.status', { jobId: 'approve-restart' });
  if (final.status !== 'completed') await log2.waitFor((e) => e.type === 'job.completed');
  again.close();
  assert.deepEqual(runs(file), ['run-1', 'run-2'], 'sheet 1 did not run again; sheet 2 ran once, after approval');
});

test('a desktop notice goes to a connected editor window as job.notice; without one the OS notifier is used', async () => {
  const file = scoreFile('noticed', RUN, 1, 'notifications:\n  - { type: desktop, on_events: [job_complete] }\n');
  const editor = await h.connect();
  const log = new EventLog(editor);
  await editor.request('events.subscribe', { editor: true });
  await editor.request('job.submit', { scoreFile: file });
  const notice = await log.waitFor((e) => e.type === 'job.notice' && e.jobId === 'noticed');
  assert.ok(notice.type === 'job.notice' && /noticed/.test(notice.title) && notice.level === 'info', JSON.stringify(notice));
  editor.close();

  // A plain subscriber is not an editor window: the notice is not handed to it.
  const plain = await h.connect();
  const plainLog = new EventLog(plain);
  await plain.request('events.subscribe', { jobId: 'noticed' });
  await plain.request('job.submit', { scoreFile: file, fresh: true });
  await plainLog.waitFor((e) => e.type === 'job.completed');
  plain.close();
  assert.equal(plainLog.events.filter((e) => e.type === 'job.notice').length, 0);
});
