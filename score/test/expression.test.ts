// skip_when expressions: parsed by nunjucks, evaluated by our own interpreter over plain data only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkExpression, parseExpression, SheetsMap } from '../src/expression.js';
import { evaluateExpression, ExprError } from '../src/expression-eval.js';
import type { ExprScope, SheetView } from '../src/expression.js';

const sheet = (over: Partial<SheetView> = {}): SheetView => ({
  status: 'completed', validation_passed: true, attempt_count: 1, retries: 0, completion_attempts: 0, exit_code: 0, error_code: null, error_category: null,
  error_message: null, passed_validations: ['out.txt'], failed_validations: [], cost_usd: 0.5, skipped: false, ...over,
});
const scope: ExprScope = {
  sheets: new SheetsMap(new Map([[1, sheet()], [2, sheet({ status: 'failed', validation_passed: false, retries: 3, error_code: 'E201', failed_validations: ['report'] })], [3, sheet({ status: 'pending', validation_passed: null })]])),
  job: { job_id: 'j', job_name: 'j', status: 'running', total_sheets: 4, last_completed_sheet: 1, completed_sheets: 1, failed_sheets: 1, total_retry_count: 3, total_estimated_cost: 1 },
};
const run = (text: string) => {
  const { expression, problem } = parseExpression(text);
  assert.ok(expression, problem?.message);
  return evaluateExpression(expression, scope);
};

test('conditions read sheets and the job the way the original writes them', () => {
  const table: [string, boolean][] = [
    ['sheets.get(1) and sheets[1].validation_passed', true],
    ['sheets.get(9) and sheets[9].validation_passed', false],
    ["sheets[2].status == 'failed'", true],
    ['not sheets[2].validation_passed', true],
    ['sheets[3].validation_passed is none', true],
    ['sheets[2].retries >= 3 and sheets[2].error_code == "E201"', true],
    ["'report' in sheets[2].failed_validations", true],
    ['len(sheets) == 3 and 2 in sheets', true],
    ['job.total_sheets - job.completed_sheets > 2', true],
    ['any([sheets[1].skipped, sheets[2].skipped])', false],
    ['sheets[1].cost_usd + sheets[2].cost_usd > 0.9', true],
    ['True if sheets[1].validation_passed else False', true],
    ['max(1, job.failed_sheets, 0) == 1', true],
    ['sheets["1"].passed_validations | length == 1', true],
  ];
  for (const [text, expected] of table) assert.equal(run(text), expected, text);
});

test('nothing outside the checkpoint is reachable: prototypes, constructors, globals', () => {
  for (const text of ['job.constructor', 'job.__proto__', "job['constructor']['constructor']('return process')()", 'sheets[1].toString', 'range(3)', 'process', 'sheets[1].status.length']) {
    const { expression } = parseExpression(text);
    assert.ok(expression, text);
    assert.throws(() => evaluateExpression(expression, scope), ExprError, text);
    assert.ok(checkExpression(expression).some((p) => p.severity === 'error'), `${text} is reported before it runs`);
  }
});

test('template tags, empty and oversized conditions are refused at parse time', () => {
  assert.match(parseExpression('x }}{{ y').problem?.message ?? '', /'}}' has no place/);
  assert.match(parseExpression('  ').problem?.message ?? '', /empty/);
  assert.match(parseExpression('a or '.repeat(500)).problem?.message ?? '', /over 2000/);
  const early = parseExpression('sheets[1].status ==').problem;
  assert.deepEqual([early?.start, early?.end], [18, 19]);
  assert.match(early?.message ?? '', /ends too early/);
});

test('the static check names unknown fields and sheets out of range at their offsets', () => {
  const check = (text: string) => {
    const { expression } = parseExpression(text);
    assert.ok(expression);
    return checkExpression(expression, { sheetCount: 3, ownSheet: 3 }).map((p) => [p.severity, p.start, p.end, p.message.split(/[.;]/)[0]]);
  };
  assert.deepEqual(check('sheets[1].passed'), [['error', 10, 16, "A sheet has no field 'passed'"]]);
  assert.deepEqual(check('job.stat'), [['error', 4, 8, "The job has no field 'stat'"]]);
  assert.deepEqual(check('sheets[4].status'), [['error', 7, 8, 'The job has no sheet 4 (it has 3)']]);
  assert.deepEqual(check('sheets[3].status'), [['warning', 7, 8, "Sheet 3's own state is always pending when its skip_when is decided"]]);
  assert.deepEqual(check('sheets[1].status | safe'), [['error', 19, 23, "The filter 'safe' is not available in a condition"]]);
  assert.deepEqual(check('sheets.get(1) and sheets[2].validation_passed'), []);
});
