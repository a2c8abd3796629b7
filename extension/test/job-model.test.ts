// Events from the conductor bring a job's state up to date between fetches, the way the runner's
// own records would.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEvent, summarise, summaryWithEvent, wantsRefresh } from '../src/jobs/job-model.js';
import { sheetWait } from '../src/jobs/tree-model.js';
import { T0, event, jobState, summary } from './support/jobs.js';

describe('applying events', () => {
  test('a sheet goes through started, retrying, started again and completed', () => {
    const state = jobState();
    applyEvent(state, event({ type: 'sheet.started', sheet: 1, attempt: 1, mode: 'normal' }));
    assert.equal(state.sheets['1']?.status, 'in_progress');
    applyEvent(state, event({ type: 'sheet.retrying', sheet: 1, attempt: 2, delayMs: 10_000, code: 'E201', reason: 'file missing' }, 5_000));
    assert.equal(state.sheets['1']?.status, 'pending');
    assert.equal(state.sheets['1']?.waitingUntil, T0 + 15_000, 'the wait runs from the event time');
    assert.equal(sheetWait(state.sheets['1']!)?.kind, 'retry');
    applyEvent(state, event({ type: 'sheet.started', sheet: 1, attempt: 2, mode: 'normal' }, 15_000));
    assert.equal(state.sheets['1']?.waitingUntil, undefined);
    applyEvent(state, event({ type: 'sheet.completed', sheet: 1, attempts: 2, durationMs: 4_000, costUsd: 0.02 }, 19_000));
    assert.deepEqual(
      { status: state.sheets['1']?.status, attempts: state.sheets['1']?.attempts, durationMs: state.sheets['1']?.durationMs, costUsd: state.sheets['1']?.costUsd },
      { status: 'completed', attempts: 2, durationMs: 4_000, costUsd: 0.02 },
    );
  });

  test('a rate-limit wait records its end and kind', () => {
    const state = jobState();
    applyEvent(state, event({ type: 'sheet.waiting', sheet: 2, wait: 'rate_limit', until: T0 + 60_000, reason: '429' }));
    assert.deepEqual(sheetWait(state.sheets['2']!), { kind: 'rate_limit', until: T0 + 60_000 });
    applyEvent(state, event({ type: 'sheet.waiting', sheet: 3, wait: 'quota', until: T0 + 60_000, reason: 'quota' }));
    assert.equal(sheetWait(state.sheets['3']!)?.kind, 'quota');
  });

  test('validation results replace earlier results of the same rule', () => {
    const state = jobState();
    const rule = { index: 0, type: 'file_exists' as const, description: 'file', stage: 1, status: 'failed' as const, message: 'missing' };
    applyEvent(state, event({ type: 'sheet.validation_failed', sheet: 1, rule }));
    applyEvent(state, event({ type: 'sheet.validation_passed', sheet: 1, rule: { ...rule, status: 'passed', message: '' } }));
    assert.deepEqual(state.sheets['1']?.validations?.map((v) => v.status), ['passed']);
  });

  test('job events set the job status and its error; cost updates set the cost', () => {
    const state = jobState();
    applyEvent(state, event({ type: 'job.cost_update', costUsd: 1.5 }));
    assert.equal(state.costUsd, 1.5);
    applyEvent(state, event({ type: 'job.failed', code: 'E201', message: 'sheet 2 failed' }, 1_000));
    assert.equal(state.status, 'failed');
    assert.deepEqual(state.error, { code: 'E201', message: 'sheet 2 failed' });
    applyEvent(state, event({ type: 'job.started' }, 2_000));
    assert.equal(state.status, 'running');
    assert.equal(state.error, undefined);
  });

  test("output changes nothing shown, and another job's events are ignored", () => {
    const state = jobState();
    assert.equal(applyEvent(state, event({ type: 'sheet.output', sheet: 1, stream: 'stdout', text: 'hi' })), false);
    assert.equal(applyEvent(state, event({ type: 'sheet.started', sheet: 1, attempt: 1, mode: 'normal' }, 0, 'other-job')), false);
    assert.equal(state.sheets['1']?.status, 'pending');
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
