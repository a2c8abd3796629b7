// The reports behind `errors`, `diagnose` and `logs`, as pure functions of a checkpoint and files.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { diagnose, jobErrors, readLogChunk } from '../../src/daemon/reports.js';
import type { JobState, SheetState } from '../../../protocol/src/job-state.js';
import { newSheet } from '../../../protocol/src/job-state.js';

function state(sheets: Record<string, Partial<SheetState>>, extra: Partial<JobState> = {}): JobState {
  return {
    version: 1,
    jobId: 'job',
    name: 'job',
    scoreFile: '/s/score.yaml',
    workspace: '/s/ws',
    status: 'failed',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:09Z',
    totalSheets: Object.keys(sheets).length,
    sheets: Object.fromEntries(Object.entries(sheets).map(([k, v]) => [k, { ...newSheet(), ...v }])),
    costUsd: 0,
    ...extra,
  };
}

const error = (code: string, at: string, attempt = 1) => ({ code, category: code === 'E201' ? 'validation' : 'timeout', message: `${code} happened`, attempt, at });

test('errors come oldest first across sheets, each with what to do about its code', () => {
  const s = state({ 1: { errors: [error('E001', '2026-01-01T00:00:05Z')] }, 2: { errors: [error('E201', '2026-01-01T00:00:01Z'), error('E201', '2026-01-01T00:00:07Z', 2)] } });
  assert.deepEqual(jobErrors(s).map((e) => [e.sheet, e.code, e.attempt]), [[2, 'E201', 1], [1, 'E001', 1], [2, 'E201', 2]]);
  assert.deepEqual(jobErrors(s, 1).map((e) => e.code), ['E001']);
  assert.match(jobErrors(s)[1]!.suggestion ?? '', /timeout_seconds/);
});

test('diagnose names the failing sheets, their last error, next steps and the files to open', () => {
  const s = state(
    { 1: { status: 'completed' }, 2: { status: 'failed', attempts: 3, errors: [error('E201', '2026-01-01T00:00:01Z')], stderrTail: 'x'.repeat(10_000), validations: [{ index: 0, type: 'file_exists', description: 'out', stage: 1, status: 'failed', message: 'missing' }] } },
    { worktree: { path: '/repo/.worktrees/job', branch: 'mozart/job' } },
  );
  const report = diagnose(s);
  assert.deepEqual(report.failingSheets.map((f) => [f.sheet, f.status, f.attempts, f.lastError?.code]), [[2, 'failed', 3, 'E201']]);
  assert.ok((report.failingSheets[0]!.stderrTail ?? '').length <= 4001, 'output tails are cut to their end');
  assert.ok(report.suggestions.some((x) => x.startsWith('Sheet 2 (E201)')));
  assert.ok(report.suggestions.some((x) => x.includes("'mozart recover job'")));
  // Every way on from a failure names its CLI command (the editor's diagnose panel makes each a button).
  assert.ok(report.suggestions.some((x) => x.includes("'mozart logs job --sheet 2'")));
  assert.ok(report.suggestions.some((x) => x.includes("'mozart resume job --self-healing'")));
  assert.ok(report.suggestions.some((x) => x.includes("'mozart run /s/score.yaml --fresh'")));
  const paused = diagnose(state({ 1: { status: 'completed' }, 2: { status: 'pending' } }, { status: 'paused' })).suggestions;
  assert.ok(paused.some((x) => x.includes("'mozart resume job'") && x.includes("'mozart modify job -c SCORE --resume'")), paused.join(' | '));
  assert.ok(paused.some((x) => x.includes("'mozart cancel job'")), paused.join(' | '));
  assert.deepEqual(
    report.files.map((f) => f.label),
    ['Score', 'Workspace', 'Worktree (mozart/job)', 'Event log', 'Checkpoint', 'Sheet 2 log', 'Sheet 2 prompt'],
  );
});

test('a log chunk never ends inside a UTF-8 character; a negative offset reads the end; a missing log is empty', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-log-'));
  const file = join(dir, 'log');
  writeFileSync(file, 'ab€cd'); // € is three bytes: a b [e2 82 ac] c d
  const first = readLogChunk(file, 0, 3);
  assert.deepEqual([first.text, first.nextOffset], ['ab', 2]);
  const next = readLogChunk(file, first.nextOffset, 100);
  assert.deepEqual([next.text, next.nextOffset], ['€cd', 7]);
  assert.equal(readLogChunk(file, -2, 100).text, 'cd');
  assert.deepEqual(readLogChunk(join(dir, 'none'), 0, 10), { path: join(dir, 'none'), text: '', nextOffset: 0 });
});
