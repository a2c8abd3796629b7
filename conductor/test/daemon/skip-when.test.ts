// sheet.skip_when through a real conductor: conditions over the checkpoint decide which sheets run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobState } from '../../../protocol/src/job-state.js';
import { harness, scoreFile } from './harness.js';

const h = harness();

before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

test('a true condition skips its sheet with the reason; a false one lets it run', () => {
  const file = scoreFile('skipping', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 3);
  writeFileSync(file, readFileSync(file, 'utf8').replace('sheet: { size: 1, total_items: 3 }', `sheet:
  size: 1
  total_items: 3
  skip_when:
    2: "sheets[1].status == 'failed'"
    3: "sheets.get(2) and sheets[2].validation_passed"`));
  const run = h.mozart('run', file, '--watch');
  assert.equal(run.code, 0, run.err + run.out);
  const state = JSON.parse(h.mozart('status', 'skipping', '--json').out) as JobState;
  assert.equal(state.sheets['2']?.status, 'completed');
  assert.equal(state.sheets['3']?.status, 'skipped');
  assert.equal(state.sheets['3']?.skipReason, 'skip_when is true: sheets.get(2) and sheets[2].validation_passed');
  const ws = join(dirname(file), 'ws');
  assert.ok(existsSync(join(ws, 's2')) && !existsSync(join(ws, 's3')), 'the skipped sheet never ran its agent');
});

test('a condition that cannot be written correctly is refused before anything runs', () => {
  const file = scoreFile('skip-typo', 'true', 2);
  writeFileSync(file, readFileSync(file, 'utf8').replace('sheet: { size: 1, total_items: 2 }', 'sheet: { size: 1, total_items: 2, skip_when: { 2: "sheets[1].passed" } }'));
  const run = h.mozart('run', file);
  assert.equal(run.code, 1);
  assert.match(run.err, /V110 sheet.skip_when for sheet 2: A sheet has no field 'passed'/);
});

test('sheet.descriptions label the sheets in status and diagnose', () => {
  const file = scoreFile('labelled', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"; test $MOZART_SHEET_NUM -ne 2', 2);
  writeFileSync(file, readFileSync(file, 'utf8').replace('sheet: { size: 1, total_items: 2 }', 'sheet: { size: 1, total_items: 2, descriptions: { 1: Gather sources, 2: Write the report } }').replace('validations:', 'retry: { max_retries: 0 }\nvalidations:\n  - { type: command_succeeds, command: "test {sheet_num} -ne 2", description: "not sheet 2" }'));
  assert.equal(h.mozart('run', file, '--watch').code, 1);
  const status = h.mozart('status', 'labelled');
  assert.match(status.out, /sheet +1 completed .*\(Gather sources\)/);
  assert.match(status.out, /sheet +2 failed .*\(Write the report\)/);
  assert.match(h.mozart('diagnose', 'labelled').out, /Sheet 2 \(Write the report\): failed/);
  const state = JSON.parse(h.mozart('status', 'labelled', '--json').out) as JobState;
  assert.equal(state.sheets['1']?.description, 'Gather sources');
});
