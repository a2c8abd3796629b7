// The original-shaped checkpoint view on real files: coalesced writes, the pause and the end
// written at once, an older write never replacing a newer one, no temporary file left behind, and
// the mapping's edges (10 KB tails by bytes, the verdicts and messages per sheet status).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyJobRecord, newSheet } from '../../../protocol/src/job-state.js';
import type { JobRecord, JobState } from '../../../protocol/src/job-state.js';
import { CheckpointView, writeCheckpointViewSync } from '../../src/state/checkpoint-view.js';
import { originalSheet, tailBytes } from '../../src/state/original-checkpoint.js';
import { fillUp, mountTmpfs, tmpfsUnavailable } from '../support/tmpfs.js';

function jobState(sheets: number): JobState {
  const state: JobState = { version: 1, jobId: 'view-job', name: 'view-job', scoreFile: '/s.yaml', workspace: '/w', status: 'pending', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', totalSheets: sheets, sheets: {}, costUsd: 0 };
  for (let n = 1; n <= sheets; n++) state.sheets[String(n)] = newSheet();
  return state;
}

/** A view over a state that records are applied to, as the runner's store does. */
function setup(sheets: number, minIntervalMs: number) {
  const workspace = mkdtempSync(join(tmpdir(), 'mozart-view-'));
  let state = jobState(sheets);
  const view = new CheckpointView({ workspace, jobId: 'view-job', state: () => state, minIntervalMs });
  const save = (record: JobRecord) => {
    state = applyJobRecord(state, record);
    view.saved(record);
  };
  const read = () => JSON.parse(readFileSync(join(workspace, 'view-job.json'), 'utf8')) as { status: string; last_completed_sheet: number; sheets: Record<string, { status: string }> };
  return { workspace, view, save, read };
}

const done = (num: number): JobRecord => ({ t: 'sheet', at: new Date().toISOString(), num, patch: { status: 'completed', attempts: 1, finishedAt: new Date().toISOString() } });

test('a burst of sheet changes is one write; a pause is on disk when saved() returns; close leaves no temporary file', async () => {
  const { workspace, view, save, read } = setup(50, 60_000);
  save({ t: 'job', at: new Date().toISOString(), status: 'running', error: null });
  for (let n = 1; n <= 50; n++) save(done(n));
  assert.equal(view.writes, 0, 'nothing is written on the sheets path');
  save({ t: 'job', at: new Date().toISOString(), status: 'paused', error: null });
  assert.equal(view.writes, 1, 'the pause is written at once, with every change before it');
  assert.equal(read().status, 'paused');
  assert.equal(read().last_completed_sheet, 50);
  view.close();
  await view.settled();
  assert.equal(view.writes, 1, 'close writes nothing when the file already shows everything');
  assert.deepEqual(readdirSync(workspace), ['view-job.json']);
});

test('a write still in flight when the end is written never replaces it', async () => {
  const { workspace, view, save, read } = setup(3, 0);
  save(done(1));
  // Let the timer fire: a write of "sheet 1 done, job pending" starts and is in flight.
  // (A timer set after the view's fires after it, in the same pass: the write has begun, not landed.)
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(Reflect.get(view, 'inFlight'), 'the first write has begun');
  assert.equal(view.writes, 0, 'and has not landed');
  save(done(2));
  save({ t: 'job', at: new Date().toISOString(), status: 'completed', error: null });
  assert.equal(read().status, 'completed');
  await view.settled();
  assert.equal(view.writes, 1, 'only the newer write reached the file');
  view.close();
  await view.settled();
  assert.equal(read().status, 'completed', 'the older write landed after and was dropped');
  assert.equal(read().sheets['2']!.status, 'completed');
  assert.deepEqual(readdirSync(workspace), ['view-job.json'], 'its temporary file is gone');
});

test('a view that takes long to write is written less often: the next write waits ten times the last one', async () => {
  const { view, save } = setup(400, 0);
  const tail = 'x'.repeat(10_240);
  for (let n = 1; n <= 400; n++) save({ t: 'sheet', at: new Date().toISOString(), num: n, patch: { status: 'completed', attempts: 1, stdoutTail: tail, stderrTail: tail } });
  await new Promise((r) => setTimeout(r, 0));
  await view.settled();
  assert.equal(view.writes, 1);
  assert.ok(view.lastWriteDurationMs > 0, 'the write was timed');
  assert.ok(view.spacingMs >= view.lastWriteDurationMs * 10, `spacing ${view.spacingMs} ms after a ${view.lastWriteDurationMs} ms write`);
  view.close();
  await view.settled();
});

test('tails are the last 10 KB by bytes; each status has its verdict and message', () => {
  const big = 'x'.repeat(5000) + 'é'.repeat(5000) + 'END';
  const cut = tailBytes(big);
  assert.equal(cut.truncated, true);
  assert.ok(Buffer.byteLength(cut.text ?? '') <= 10240);
  assert.ok(cut.text?.endsWith('END'));
  assert.deepEqual(tailBytes('short'), { text: 'short', truncated: false });

  const failed = originalSheet(4, { ...newSheet(), status: 'failed', attempts: 2, exitCode: 3, errors: [{ code: 'E201', category: 'validation', message: 'retry', attempt: 1, at: 'a' }, { code: 'E201', category: 'validation', message: 'final', attempt: 2, at: 'b' }], lastError: { code: 'E201', category: 'validation', message: 'final', attempt: 2, at: 'b' }, validations: [{ index: 0, type: 'file_exists', description: 'out', stage: 1, status: 'failed', message: 'missing' }, { index: 1, type: 'command_succeeds', description: '', stage: 2, status: 'not_run', message: '' }] });
  assert.equal(failed.validation_passed, false);
  assert.equal(failed.error_message, 'final');
  assert.deepEqual((failed.validation_details as { passed: boolean; description: string }[]).map((d) => [d.passed, d.description]), [[false, 'out']], 'rules that did not run are left out');
  assert.deepEqual((failed.error_history as { error_type: string }[]).map((e) => e.error_type), ['transient', 'permanent']);
  assert.equal(failed.outcome_category, 'failed_exhausted');

  const skipped = originalSheet(5, { ...newSheet(), status: 'skipped', skipReason: 'skip_when' });
  assert.deepEqual([skipped.error_message, skipped.validation_passed, skipped.validation_details], ['skip_when', null, null]);
  const first = originalSheet(6, { ...newSheet(), status: 'completed', attempts: 1, exitCode: 0, durationMs: 1500 });
  assert.deepEqual([first.validation_passed, first.first_attempt_success, first.outcome_category, first.execution_duration_seconds], [true, true, 'success_first_try', 1.5]);
});

test('a view written outside a run on a full disk: the write fails and leaves no temporary file', { skip: tmpfsUnavailable() }, () => {
  const fs = mountTmpfs(64);
  try {
    const workspace = join(fs.dir, 'ws');
    mkdirSync(workspace);
    writeFileSync(join(workspace, 'view-job.json'), '{"old": true}\n');
    fillUp(fs.dir);
    assert.throws(() => writeCheckpointViewSync(workspace, jobState(20)), (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOSPC');
    assert.deepEqual(readdirSync(workspace), ['view-job.json'], 'no temporary file beside the view');
    assert.equal(readFileSync(join(workspace, 'view-job.json'), 'utf8'), '{"old": true}\n', 'the old view is untouched');
  } finally {
    fs.unmount();
  }
});
