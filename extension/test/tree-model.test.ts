// What the jobs tree shows: job and sheet statuses, attempts, durations, costs per sheet and per
// job, countdowns while a sheet retries or waits for a rate limit, and which actions each item offers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatCost, formatCountdown, formatDuration } from '../src/jobs/format.js';
import { summarise } from '../src/jobs/job-model.js';
import { FLAT_SHEET_LIMIT, RANGE_SIZE, jobActions, jobChildren, jobExtras, jobItem, memberGroups, memberItem, orderJobs, sheetItem, sheetRange } from '../src/jobs/tree-model.js';
import { plainText as t } from '../src/l10n.js';
import type { JobStatus } from '../../protocol/src/job-state.js';
import { T0, jobState, sheet, summary } from './support/jobs.js';

const tokens = (contextValue: string) => new Set(contextValue.split(' '));

describe('formatting', () => {
  test('durations read as a person would say them', () => {
    assert.equal(formatDuration(850), '850ms');
    assert.equal(formatDuration(12_400), '12s');
    assert.equal(formatDuration(4 * 60_000 + 5_000), '4m 05s');
    assert.equal(formatDuration(2 * 3_600_000 + 3 * 60_000), '2h 03m');
  });

  test('a countdown rounds up to whole seconds and stops at zero', () => {
    assert.equal(formatCountdown(T0 + 11_001, T0), '12s');
    assert.equal(formatCountdown(T0 - 5_000, T0), '0s');
  });

  test('costs below a cent keep their digits; none is rounded to zero', () => {
    assert.equal(formatCost(0.0042), '$0.0042');
    assert.equal(formatCost(1.234), '$1.23');
    assert.equal(formatCost(0), '$0.00');
  });
});

describe('sheet items', () => {
  test('a completed sheet shows attempts, duration and cost, with a passed icon', () => {
    const item = sheetItem('review', 2, sheet({ status: 'completed', attempts: 2, durationMs: 72_000, costUsd: 0.0315 }), 'running', T0, t);
    assert.equal(item.label, 'Sheet 2');
    assert.equal(item.description, 'completed · 2 attempts · 1m 12s · $0.03');
    assert.deepEqual(item.icon, { id: 'pass', color: 'testing.iconPassed' });
    assert.equal(item.ticksUntil, undefined);
  });

  test('a sheet waiting to retry says so with the next attempt number, a countdown and the error code', () => {
    const waiting = sheet({ status: 'pending', attempts: 2, retries: 1, waitingUntil: T0 + 12_000, waitReason: 'retry after E201' });
    const item = sheetItem('review', 1, waiting, 'running', T0, t);
    assert.equal(item.description, 'retrying in 12s · attempt 3 · E201');
    assert.equal(item.icon.id, 'history');
    assert.equal(item.ticksUntil, T0 + 12_000);
    assert.equal(sheetItem('review', 1, waiting, 'running', T0 + 7_000, t).description, 'retrying in 5s · attempt 3 · E201', 'the countdown moves with the clock');
  });

  test('a sheet waiting for a rate limit shows the time left and its attempt', () => {
    const item = sheetItem('review', 3, sheet({ status: 'pending', attempts: 1, rateLimitWaits: 1, waitingUntil: T0 + 250_000, waitReason: 'rate limited' }), 'running', T0, t);
    assert.equal(item.description, 'waiting for rate limit · 4m 10s left · attempt 2');
    assert.equal(item.icon.id, 'watch');
    assert.equal(item.ticksUntil, T0 + 250_000);
    assert.match(item.tooltip, /Waiting: rate limited \(4m 10s left\)/);
  });

  test('quota waits and completion prompts are told apart from retries', () => {
    assert.match(sheetItem('r', 1, sheet({ attempts: 1, waitingUntil: T0 + 3_600_000, waitReason: 'usage quota exhausted' }), 'running', T0, t).description, /^waiting for usage quota · 1h 00m left/);
    assert.match(sheetItem('r', 1, sheet({ attempts: 1, waitingUntil: T0 + 3_000, waitReason: 'completion' }), 'running', T0, t).description, /^completion prompt in 3s · attempt 2/);
  });

  test('a running sheet shows its attempt; a failed one its error code; a skipped one its reason', () => {
    assert.equal(sheetItem('r', 1, sheet({ status: 'in_progress', attempts: 3 }), 'running', T0, t).description, 'running · attempt 3');
    assert.equal(sheetItem('r', 1, sheet({ status: 'in_progress', attempts: 3 }), 'running', T0, t).icon.id, 'play-circle');
    const running = sheetItem('r', 1, sheet({ status: 'in_progress', attempts: 1, startedAt: new Date(T0 - 65_000).toISOString() }), 'running', T0, t);
    assert.equal(running.description, 'running 1m 05s · attempt 1', 'a running sheet shows how long it has run');
    assert.ok((running.ticksUntil ?? 0) > T0, 'and the time ticks on');
    const failed = sheetItem('r', 1, sheet({ status: 'failed', attempts: 3, costUsd: 0.5, lastError: { code: 'E201', category: 'validation', message: 'missing', attempt: 3, at: '' } }), 'failed', T0, t);
    assert.equal(failed.description, 'failed · E201 · 3 attempts · $0.50');
    assert.deepEqual(failed.icon, { id: 'error', color: 'testing.iconFailed' });
    assert.match(failed.tooltip, /Last error: E201 missing/);
    assert.equal(sheetItem('r', 1, sheet({ status: 'skipped', skipReason: 'skip_when_command exited 0' }), 'running', T0, t).description, 'skipped · skip_when_command exited 0');
  });

  test('context values offer a log only once the sheet ran, and resuming only for a failed sheet of a stopped job', () => {
    assert.ok(!tokens(sheetItem('r', 1, sheet(), 'running', T0, t).contextValue).has('hasLog'));
    assert.ok(tokens(sheetItem('r', 1, sheet({ status: 'in_progress', attempts: 1 }), 'running', T0, t).contextValue).has('hasLog'));
    const failedSheet = sheet({ status: 'failed', attempts: 2 });
    const whileRunning = tokens(sheetItem('r', 1, failedSheet, 'running', T0, t).contextValue);
    assert.ok(whileRunning.has('canDiagnose') && !whileRunning.has('canResumeFromSheet'));
    assert.ok(tokens(sheetItem('r', 1, failedSheet, 'failed', T0, t).contextValue).has('canResumeFromSheet'));
    assert.ok(tokens(sheetItem('r', 1, failedSheet, 'paused', T0, t).contextValue).has('sheet'));
  });
});

describe('job items', () => {
  test('the job shows its status, progress, failures and the cost summed over its sheets', () => {
    const state = jobState({ status: 'running', costUsd: 0 }, { 1: { status: 'completed', attempts: 1, costUsd: 0.25 }, 2: { status: 'failed', attempts: 3, costUsd: 0.125 }, 3: { status: 'in_progress', attempts: 1, costUsd: 0.0075 } });
    const item = jobItem(summarise(state), jobExtras(state), t);
    assert.equal(item.label, 'review');
    assert.equal(item.description, 'running · 1/3 sheets · 1 failed · $0.38');
    assert.match(item.tooltip, /Cost: \$0\.38/);
    assert.doesNotMatch(item.tooltip, /\d{4}-\d\d-\d\dT|Z$/m, 'times are local, not raw ISO');
    assert.equal(item.collapsible, true);
    assert.equal(item.expanded, true, 'a running job shows its sheets at once');
    assert.equal(jobItem(summary({ status: 'completed' }), undefined, t).expanded, false);
  });

  test('a failed job shows its error code and a failed icon', () => {
    const item = jobItem(summary({ status: 'failed', completedSheets: 2, failedSheets: 1, error: { code: 'E201', message: 'validation failed' } }), undefined, t);
    assert.equal(item.description, 'failed E201 · 2/3 sheets · 1 failed', 'the code beside the status, where a narrow view keeps it');
    assert.deepEqual(item.icon, { id: 'error', color: 'testing.iconFailed' });
    assert.match(item.tooltip, /Error: E201 validation failed/);
  });

  test('each status offers exactly the actions that apply', () => {
    const actions = (status: JobStatus) => tokens(jobItem(summary({ status }), undefined, t).contextValue);
    const running = actions('running');
    assert.ok(running.has('canPause') && running.has('canCancel'));
    assert.ok(!running.has('canResume') && !running.has('canModify') && !running.has('canResumeFailed'));
    const failed = actions('failed');
    assert.ok(failed.has('canResume') && failed.has('canResumeFailed') && failed.has('canModify'));
    assert.ok(!failed.has('canPause') && !failed.has('canCancel'));
    const paused = actions('paused');
    assert.ok(paused.has('canResume') && !paused.has('canResumeFailed'));
    assert.ok(tokens(jobActions({ status: 'completed', workspace: '/w', scoreFile: '/s.yaml' }).join(' ')).has('canRerun'), 'a finished job with its score can be re-run');
    assert.ok(tokens(jobActions({ status: 'failed', workspace: '/w', scoreFile: '/s.yaml' }).join(' ')).has('canRerun'));
    assert.ok(!tokens(jobActions({ status: 'running', workspace: '/w', scoreFile: '/s.yaml' }).join(' ')).has('canRerun'), 'a running one cannot');
    assert.ok(!tokens(jobActions({ status: 'completed', workspace: '/w', scoreFile: '' }).join(' ')).has('canRerun'), 'nor one whose score is not known');
    const completed = actions('completed');
    assert.ok(!completed.has('canResume') && !completed.has('canPause') && !completed.has('canModify'));
    for (const set of [running, failed, paused, completed]) {
      assert.ok(set.has('job') && set.has('canDiagnose') && set.has('canShowLog') && set.has('hasWorkspace') && set.has('hasScore'));
    }
    assert.ok(!tokens(jobItem(summary({ workspace: '', scoreFile: '' }), undefined, t).contextValue).has('hasWorkspace'));
  });

  test('the list puts running jobs first, then the most recently updated', () => {
    const jobs = orderJobs([
      summary({ jobId: 'old-done', status: 'completed', updatedAt: '2025-01-01T10:00:00Z' }),
      summary({ jobId: 'new-failed', status: 'failed', updatedAt: '2025-01-01T12:00:00Z' }),
      summary({ jobId: 'running', status: 'running', updatedAt: '2025-01-01T09:00:00Z' }),
    ]);
    assert.deepEqual(jobs.map((j) => j.jobId), ['running', 'new-failed', 'old-done']);
  });
});

describe('job children', () => {
  test('a job lists every sheet in order, including sheets not started yet', () => {
    const state = jobState({ totalSheets: 4 }, { 2: { status: 'completed', attempts: 1 } });
    delete state.sheets['4'];
    const children = jobChildren(state, T0, t);
    assert.deepEqual(children.map((c) => c.label), ['Sheet 1', 'Sheet 2', 'Sheet 3', 'Sheet 4']);
    assert.equal(children[3]?.description, 'pending');
  });

  test('a fanned-out stage groups its instances under the stage; other sheets stay at the top', () => {
    const state = jobState({ totalSheets: 5 }, { 2: { status: 'completed', attempts: 1, costUsd: 0.25 }, 3: { status: 'in_progress', attempts: 1 } });
    state.fanOutStages = [{ stage: 2, from: 2, to: 4 }];
    const children = jobChildren(state, T0, t);
    assert.deepEqual(children.map((c) => c.label), ['Sheet 1', 'Stage 2 · 3 instances', 'Sheet 5']);
    const stage = children[1]!;
    assert.deepEqual([stage.kind, stage.range, stage.id], ['range', { from: 2, to: 4 }, 'stage:review:2']);
    assert.equal(stage.description, '1/3 done · 1 running · $0.25');
    assert.match(stage.tooltip, /^Sheets 2–4, run in parallel/);
    assert.deepEqual(sheetRange(state, 2, 4, T0, t).map((c) => c.label), ['Sheet 2', 'Sheet 3', 'Sheet 4']);
  });

  test(`a job with more than ${FLAT_SHEET_LIMIT} sheets groups them in ranges of ${RANGE_SIZE} that summarise their sheets`, () => {
    const state = jobState({ totalSheets: 250 }, { 1: { status: 'completed', attempts: 1, costUsd: 0.5 }, 2: { status: 'failed', attempts: 2 }, 150: { status: 'in_progress', attempts: 1 } });
    const ranges = jobChildren(state, T0, t);
    assert.deepEqual(ranges.map((r) => r.label), ['Sheets 1–100', 'Sheets 101–200', 'Sheets 201–250']);
    assert.equal(ranges[0]?.description, '1/100 done · 1 failed · $0.50');
    assert.equal(ranges[1]?.description, '0/100 done · 1 running');
    assert.deepEqual(ranges[2]?.range, { from: 201, to: 250 });
    // Nothing that runs spins (an animation redraws the window for as long as the job runs).
    assert.deepEqual(ranges.map((r) => r.icon.id), ['error', 'play-circle', 'folder']);
  });
});

describe('cluster members', () => {
  test("a single conductor's jobs stay a flat list; a cluster's are grouped by member, queued jobs apart", () => {
    assert.equal(memberGroups([summary({ jobId: 'a' }), summary({ jobId: 'b' })]), undefined);
    const groups = memberGroups([summary({ jobId: 'a', member: 'vm-2' }), summary({ jobId: 'b', member: 'vm-1', status: 'completed' }), summary({ jobId: 'c', status: 'pending' }), summary({ jobId: 'd', member: 'vm-2', status: 'completed' })]);
    assert.deepEqual(groups?.map((g) => [g.member, g.jobs.map((j) => j.jobId)]), [
      ['', ['c']],
      ['vm-1', ['b']],
      ['vm-2', ['a', 'd']],
    ]);
    const [queued, , busy] = groups ?? [];
    assert.deepEqual(queued && memberItem(queued, t), { id: 'member:', kind: 'member', jobId: '', member: '', label: 'Not on a member yet', description: '1 jobs', tooltip: 'Jobs waiting in the cluster queue, or never run in the cluster', icon: { id: 'inbox' }, contextValue: 'member', collapsible: true });
    assert.equal(busy && memberItem(busy, t).description, '1 running · 2 jobs');
    assert.equal(busy && memberItem(busy, t).label, 'vm-2');
  });
});

test('a pausing job says so, offers Cancel but not Pause again; a paused job can be cancelled; a job at rest can be removed', () => {
  const pausing = jobItem(summary({ status: 'running', pausing: true }), undefined, t);
  assert.match(pausing.description, /^pausing…/);
  assert.match(pausing.tooltip, /pauses once its running sheets end/);
  assert.equal(pausing.icon.id, 'loading~spin');
  const actions = tokens(pausing.contextValue);
  assert.ok(actions.has('canCancel') && !actions.has('canPause') && !actions.has('canRemove'));
  const paused = tokens(jobItem(summary({ status: 'paused' }), undefined, t).contextValue);
  assert.ok(paused.has('canCancel') && paused.has('canResume') && paused.has('canRemove'));
  const failed = tokens(jobItem(summary({ status: 'failed' }), undefined, t).contextValue);
  assert.ok(failed.has('canRemove') && !failed.has('canCancel'));
  const running = tokens(jobItem(summary({ status: 'running' }), undefined, t).contextValue);
  assert.ok(running.has('canPause') && running.has('canCancel') && !running.has('canRemove'));
});

test('a sheet waiting at a proactive checkpoint says so and offers Approve / Skip while its job runs', () => {
  const waiting = { ...sheet({ status: 'pending' }), approval: { trigger: 'gate', message: 'check sheet 1 first', attempt: 1, since: new Date(T0).toISOString() } };
  const item = sheetItem('job', 2, waiting, 'running', T0, t);
  assert.equal(item.description, 'awaiting approval · check sheet 1 first');
  assert.match(item.contextValue ?? '', /\bawaitingApproval\b/);
  assert.doesNotMatch(sheetItem('job', 2, waiting, 'paused', T0, t).contextValue ?? '', /awaitingApproval/, 'a paused job asks again when it resumes');
  const decided = { ...waiting, approval: { ...waiting.approval, decision: 'proceed' as const } };
  assert.doesNotMatch(sheetItem('job', 2, decided, 'running', T0, t).contextValue ?? '', /awaitingApproval/);
});

test('a job in a concert shows its depth, parent and next job; a running job counts its sheets awaiting approval', () => {
  const state = jobState({ jobId: 'chain-2', status: 'running', totalSheets: 2 });
  state.concert = { depth: 2, maxDepth: 5, parent: 'chain-1', next: { jobId: 'chain-3', scoreFile: '/s/c3.yaml' } };
  state.sheets['2'] = { ...sheet({ status: 'pending' }), approval: { trigger: 'gate', message: 'ok?', attempt: 1, since: new Date(T0).toISOString() } };
  const item = jobItem(summarise(state), jobExtras(state), t);
  assert.match(item.description ?? '', /1 awaiting approval · concert 2\/5/);
  assert.match(item.tooltip ?? '', /Concert: depth 2 of at most 5, started by 'chain-1'; next: 'chain-3'/);
});
