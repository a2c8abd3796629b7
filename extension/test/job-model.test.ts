// Events from the conductor bring a job's state up to date between fetches, the way the runner's
// own records would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyJobRecord } from '../../protocol/src/job-state.js';
import { summarise, summaryWithEvent, wantsRefresh } from '../src/jobs/job-model.js';
import { sheetWait } from '../src/jobs/tree-model.js';
import { T0, event, jobState, summary } from './support/jobs.js';

describe('folding records (the fold the conductor uses, applyJobRecord)', () => {
  const at = (ms: number) => new Date(T0 + ms).toISOString();
  test('a sheet goes through started, retrying, started again and completed', () => {
    const state = jobState();
    applyJobRecord(state, { t: 'sheet', at: at(0), num: 1, patch: { status: 'in_progress', attempts: 1, startedAt: at(0) } });
    assert.equal(state.sheets['1']?.status, 'in_progress');
    applyJobRecord(state, { t: 'sheet', at: at(5_000), num: 1, patch: { status: 'pending', retries: 1 }, error: { code: 'E201', category: 'validation', message: 'file missing', attempt: 1, at: at(5_000) } });
    applyJobRecord(state, { t: 'sheet', at: at(5_000), num: 1, patch: { waitingUntil: T0 + 15_000, waitReason: 'retry after E201' } });
    assert.equal(state.sheets['1']?.status, 'pending');
    assert.equal(state.sheets['1']?.waitingUntil, T0 + 15_000);
    assert.equal(sheetWait(state.sheets['1']!)?.kind, 'retry');
    applyJobRecord(state, { t: 'sheet', at: at(15_000), num: 1, patch: { waitingUntil: null, waitReason: null } });
    applyJobRecord(state, { t: 'sheet', at: at(15_000), num: 1, patch: { status: 'in_progress', attempts: 2 } });
    assert.equal(state.sheets['1']?.waitingUntil, undefined);
    applyJobRecord(state, { t: 'sheet', at: at(19_000), num: 1, patch: { status: 'completed', durationMs: 4_000, finishedAt: at(19_000) }, addCostUsd: 0.02 });
    assert.deepEqual(
      { status: state.sheets['1']?.status, attempts: state.sheets['1']?.attempts, durationMs: state.sheets['1']?.durationMs, costUsd: state.sheets['1']?.costUsd },
      { status: 'completed', attempts: 2, durationMs: 4_000, costUsd: 0.02 },
    );
  });

  test('a rate-limit wait records its end and kind', () => {
    const state = jobState();
    applyJobRecord(state, { t: 'sheet', at: at(0), num: 2, patch: { status: 'pending', waitingUntil: T0 + 60_000, waitReason: 'rate limited' } });
    assert.deepEqual(sheetWait(state.sheets['2']!), { kind: 'rate_limit', until: T0 + 60_000 });
    applyJobRecord(state, { t: 'sheet', at: at(0), num: 3, patch: { status: 'pending', waitingUntil: T0 + 60_000, waitReason: 'usage quota exhausted' } });
    assert.equal(sheetWait(state.sheets['3']!)?.kind, 'quota');
  });

  test('job records set the job status and its error; costs add up', () => {
    const state = jobState();
    applyJobRecord(state, { t: 'sheet', at: at(0), num: 1, patch: {}, addCostUsd: 1.5 });
    assert.equal(state.costUsd, 1.5);
    applyJobRecord(state, { t: 'job', at: at(1_000), status: 'failed', error: { code: 'E201', message: 'sheet 2 failed' } });
    assert.equal(state.status, 'failed');
    assert.deepEqual(state.error, { code: 'E201', message: 'sheet 2 failed' });
    applyJobRecord(state, { t: 'job', at: at(2_000), status: 'running', error: null });
    assert.equal(state.status, 'running');
    assert.equal(state.error, undefined);
  });
});

describe('summaries', () => {
  test('a summary counts completed and skipped sheets as done, and failed ones apart', () => {
    const s = summarise(jobState({ totalSheets: 4 }, { 1: { status: 'completed' }, 2: { status: 'skipped' }, 3: { status: 'failed' } }));
    assert.deepEqual([s.completedSheets, s.failedSheets, s.totalSheets], [2, 1, 4]);
  });

  test('a summary without its full state follows job-level events', () => {
    const failed = summaryWithEvent(summary(), event({ type: 'job.failed', code: 'E999', message: 'boom' }));
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.error, { code: 'E999', message: 'boom' });
    const same = summary();
    assert.equal(summaryWithEvent(same, event({ type: 'sheet.output', sheet: 1, stream: 'stdout', text: '' })), same);
  });

  test('job lifecycle events ask for a fresh state; sheet events and cost updates do not', () => {
    assert.ok(wantsRefresh(event({ type: 'job.completed' })));
    assert.ok(!wantsRefresh(event({ type: 'job.cost_update', costUsd: 1 })));
    assert.ok(!wantsRefresh(event({ type: 'sheet.started', sheet: 1, attempt: 1, mode: 'normal' })));
  });
});
