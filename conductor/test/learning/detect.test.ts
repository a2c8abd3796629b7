// Pattern detection as a table: outcomes in, the patterns the totals show out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addOutcome, emptyAggregate } from '../../src/learning/aggregate.js';
import { emptyLearningState } from '../../src/learning/decisions.js';
import { detectPatterns } from '../../src/learning/detect.js';
import type { AttemptOutcome } from '../../src/learning/outcome.js';
import { patternId } from '../../src/learning/outcome.js';
import { failThenComplete, outcome, rule, T0 } from './fixtures.js';

function detect(outcomes: AttemptOutcome[], scoreId?: string) {
  const agg = emptyAggregate();
  for (const o of outcomes) addOutcome(agg, o);
  return detectPatterns(agg, emptyLearningState(), T0 + 10_000, scoreId);
}

const kinds = (outcomes: AttemptOutcome[]) =>
  detect(outcomes)
    .map((p) => `${p.kind}:${p.key}:${p.frequency}`)
    .sort();

const cases: { name: string; outcomes: AttemptOutcome[]; expected: string[] }[] = [
  { name: 'nothing recorded, nothing learned', outcomes: [], expected: [] },
  { name: 'one failure is not yet a pattern', outcomes: [outcome({ passed: false, decision: 'fail' })], expected: [] },
  {
    name: 'a rule failing twice is a recurring validation failure, and its cause a semantic one',
    outcomes: [outcome({ passed: false, decision: 'fail' }), outcome({ at: T0 + 1, passed: false, decision: 'fail' })],
    expected: ['semantic_failure:pattern not found:2', 'validation_failure:rule-a:2'],
  },
  {
    name: 'retries that pass after E202 twice: retry success; completion used twice: completion mode',
    outcomes: [...failThenComplete(T0), ...failThenComplete(T0 + 5000, { sheet: 2 })],
    expected: ['completion_mode:S:2', 'retry_success:E202:2', 'semantic_failure:pattern not found:2', 'validation_failure:rule-a:2'],
  },
  {
    name: 'three first-attempt passes: first-attempt success',
    outcomes: [outcome(), outcome({ sheet: 2 }), outcome({ sheet: 3 })],
    expected: ['first_attempt_success:S:3'],
  },
  {
    name: 'completion attempts do not count as first attempts',
    outcomes: [outcome({ mode: 'completion' }), outcome({ mode: 'completion', sheet: 2 }), outcome({ mode: 'completion', sheet: 3 })],
    expected: ['completion_mode:S:3'],
  },
  {
    name: 'a rule failing on two different scores makes one pattern per score, one shared cause',
    outcomes: [outcome({ passed: false }), outcome({ passed: false }), outcome({ score: 'T', passed: false, rules: [rule('failed', { key: 'rule-b' })] }), outcome({ score: 'T', passed: false, rules: [rule('failed', { key: 'rule-b' })] })],
    expected: ['semantic_failure:pattern not found:4', 'validation_failure:rule-a:2', 'validation_failure:rule-b:2'],
  },
];

for (const c of cases) test(`detection: ${c.name}`, () => assert.deepEqual(kinds(c.outcomes), c.expected));

test('detection for one score keeps its own patterns and the shared ones, not other scores’', () => {
  const outcomes = [outcome({ passed: false }), outcome({ passed: false }), outcome({ score: 'T', passed: false, rules: [rule('failed', { key: 'rule-b' })] }), outcome({ score: 'T', passed: false, rules: [rule('failed', { key: 'rule-b' })] })];
  assert.deepEqual(
    detect(outcomes, 'T')
      .map((p) => p.key)
      .sort(),
    ['pattern not found', 'rule-b'],
  );
});

test('confidence grows with frequency and is capped as in the original', () => {
  const table: [failures: number, confidence: number][] = [
    [2, 0.7],
    [3, 0.8],
    [4, 0.9],
    [9, 0.9],
  ];
  for (const [failures, confidence] of table) {
    const outcomes = Array.from({ length: failures }, (_, i) => outcome({ at: T0 + i, passed: false }));
    const p = detect(outcomes).find((x) => x.kind === 'validation_failure');
    assert.ok(p);
    assert.equal(p.confidence.toFixed(2), confidence.toFixed(2), `${failures} failures`);
  }
});

test('a validation failure pattern describes the rule, requires it and carries its measures', () => {
  const id = patternId('validation_failure', 'rule-a');
  const outcomes = [outcome({ passed: false }), outcome({ at: T0 + 1, passed: false }), outcome({ at: T0 + 2, patterns: [id] }), outcome({ at: T0 + 3, patterns: [id] }), outcome({ at: T0 + 4, patterns: [id], passed: false })];
  const p = detect(outcomes).find((x) => x.kind === 'validation_failure');
  assert.ok(p);
  assert.equal(p.id, id);
  assert.deepEqual(p.requires, ['rule:rule-a']);
  assert.match(p.description, /“answer is 42” \(content_contains\) failed 3 of 5 checks, 3 on a first attempt \(pattern not found\)/);
  assert.equal(p.applications, 3);
  assert.equal(p.successes, 2);
  assert.ok(p.effectiveness > 0.4 && p.effectiveness < 0.9, `effectiveness ${p.effectiveness}`);
});

test('a rate-limit wait says nothing about the patterns in its prompt', () => {
  const id = patternId('validation_failure', 'rule-a');
  const outcomes = [outcome({ passed: false }), outcome({ passed: false }), outcome({ passed: false, patterns: [id], decision: 'wait', errorCode: 'E101' })];
  assert.equal(detect(outcomes).find((x) => x.id === id)?.applications, 0);
});
