// cost_limits.warn_at_percent: one warning per crossing, per limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costWarnings } from '../../src/runner/cost-warning.js';

const limits = { enabled: true, max_cost_per_sheet: 1, max_cost_per_job: 10, cost_per_1k_input_tokens: 0.003, cost_per_1k_output_tokens: 0.015, warn_at_percent: 80 };

test('a crossing warns once; below the mark, or already past it, nothing', () => {
  assert.deepEqual(costWarnings(limits, 2, 0.5, 5, 0.2), []);
  const sheet = costWarnings(limits, 2, 0.7, 5, 0.2);
  assert.deepEqual(sheet.map((w) => [w.sheet, w.limitUsd, Number(w.costUsd.toFixed(2))]), [[2, 1, 0.9]]);
  assert.deepEqual(costWarnings(limits, 2, 0.85, 5, 0.05), [], 'already past 80%: no second warning');
  const job = costWarnings(limits, 3, 0, 7.9, 0.2);
  assert.deepEqual(job.map((w) => [w.sheet, w.limitUsd]), [[undefined, 10]]);
  assert.match(job[0]?.message ?? '', /80% or more of cost_limits.max_cost_per_job \(\$10\)/);
  assert.equal(costWarnings({ ...limits, enabled: false }, 1, 0.7, 0, 0.5).length, 0);
});
