// skip_when against a real checkpoint shape: which sheets a condition skips, and why it says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobState } from '../../../protocol/src/job-state.js';
import { newSheet } from '../../../protocol/src/job-state.js';
import { checkpointScope, skipWhenReason } from '../../src/runner/skip-when.js';

function state(): JobState {
  const passed = { index: 0, type: 'file_exists' as const, description: 'out.txt', stage: 1, status: 'passed' as const, message: '' };
  return {
    version: 1, jobId: 'j', name: 'j', scoreFile: '/s.yaml', workspace: '/ws', status: 'running', createdAt: '', updatedAt: '', totalSheets: 3, costUsd: 0.25,
    sheets: {
      '1': { ...newSheet(), status: 'completed', attempts: 1, validations: [passed] },
      '2': { ...newSheet(), status: 'failed', attempts: 4, retries: 3, validations: [{ ...passed, status: 'failed', description: 'report.md' }], lastError: { code: 'E201', category: 'validation', message: 'missing', attempt: 4, at: '' } },
      '3': newSheet(),
    },
  };
}

test('the checkpoint reads with the original field names', () => {
  const { sheets, job } = checkpointScope(state());
  assert.equal(sheets.byNumber.get(1)?.validation_passed, true);
  assert.equal(sheets.byNumber.get(2)?.validation_passed, false);
  assert.equal(sheets.byNumber.get(3)?.validation_passed, null);
  assert.deepEqual(sheets.byNumber.get(2)?.failed_validations, ['report.md']);
  assert.equal(sheets.byNumber.get(2)?.error_code, 'E201');
  assert.deepEqual({ ...job }, { job_id: 'j', job_name: 'j', status: 'running', total_sheets: 3, last_completed_sheet: 1, completed_sheets: 1, failed_sheets: 1, total_retry_count: 3, total_estimated_cost: 0.25 });
});

test('a true condition skips with its text; a false one runs; one that cannot be evaluated skips and says why', () => {
  assert.equal(skipWhenReason(undefined, state()), undefined);
  assert.equal(skipWhenReason('sheets[1].validation_passed', state()), 'skip_when is true: sheets[1].validation_passed');
  assert.equal(skipWhenReason('sheets[2].validation_passed', state()), undefined);
  assert.equal(skipWhenReason('sheets[7].status', state()), 'skip_when could not be evaluated (there is no sheet 7), so the sheet is skipped: sheets[7].status');
  assert.match(skipWhenReason('sheets[1].status ==', state()) ?? '', /^skip_when could not be read \(The condition ends too early/);
});
