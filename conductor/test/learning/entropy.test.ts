// Pattern diversity, the exploration budget, the entropy response and drift, as tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application } from '../../src/learning/aggregate.js';
import { effectivenessDrift, epistemicDrift } from '../../src/learning/drift.js';
import { adjustBudget, boostedBudget, measureEntropy, responseNeeded } from '../../src/learning/entropy.js';
import type { BudgetSettings } from '../../src/learning/entropy.js';
import { T0 } from './fixtures.js';

const round = (x: number) => Math.round(x * 1000) / 1000;

test('entropy: even spread is full diversity, one dominant pattern is none', () => {
  const table: [string, number[], number, number, boolean][] = [
    ['no applications', [0, 0], 0, 0, false],
    ['one pattern takes all', [10, 0, 0], 0, 1, true],
    ['two even', [5, 5], 1, 0.5, false],
    ['four even', [3, 3, 3, 3], 1, 0.25, false],
    ['skewed', [9, 1], round((-(0.9 * Math.log2(0.9)) - 0.1 * Math.log2(0.1)) / 1), 0.9, true],
  ];
  for (const [name, counts, diversity, dominant, alert] of table) {
    const m = measureEntropy(counts, 0.5, T0);
    assert.equal(round(m.diversity), diversity, `${name}: diversity`);
    assert.equal(round(m.dominantShare), dominant, `${name}: dominant`);
    assert.equal(m.alert, alert, `${name}: alert`);
    assert.equal(m.uniquePatterns, counts.length);
  }
});

test('budget: starts at the initial share, boosts when diversity is low, decays otherwise, within floor and ceiling', () => {
  const s: BudgetSettings = { floor: 0.05, ceiling: 0.5, decayRate: 0.5, boostAmount: 0.1, initial: 0.15 };
  const first = adjustBudget(undefined, 0.9, 0.3, s, 'job', T0);
  assert.deepEqual([first.kind, first.value], ['initial', 0.15]);
  const boosted = adjustBudget(first, 0.1, 0.3, s, 'job', T0);
  assert.deepEqual([boosted.kind, round(boosted.value)], ['boost', 0.25]);
  const decayed = adjustBudget(boosted, 0.9, 0.3, s, 'job', T0);
  assert.deepEqual([decayed.kind, round(decayed.value)], ['decay', 0.125]);
  const floored = adjustBudget({ ...decayed, value: 0.06 }, 0.9, 0.3, s, 'job', T0);
  assert.deepEqual([floored.kind, floored.value], ['floor_enforced', 0.05]);
  const capped = adjustBudget({ ...decayed, value: 0.45 }, 0.1, 0.3, s, 'job', T0);
  assert.deepEqual([capped.kind, capped.value], ['ceiling_enforced', 0.5]);
  assert.equal(round(boostedBudget(undefined, 0.1, 0.3, s, 'job', T0).value), 0.25);
});

test('entropy response: needed under the threshold, not during the cooldown, not without applications', () => {
  const low = measureEntropy([10, 0], 0.5, T0);
  const high = measureEntropy([5, 5], 0.5, T0);
  const none = measureEntropy([0], 0.5, T0);
  const last = { job: 'job', at: new Date(T0 - 600_000).toISOString(), entropy: 0, threshold: 0.3, actions: [], budgetBoosted: false, revisited: [] };
  assert.equal(responseNeeded(low, 0.3, 3600, undefined, T0).needed, true);
  assert.equal(responseNeeded(high, 0.3, 3600, undefined, T0).needed, false);
  assert.equal(responseNeeded(none, 0.3, 3600, undefined, T0).needed, false);
  assert.match(responseNeeded(low, 0.3, 3600, last, T0).reason, /Cooldown active \(3000s remaining\)/);
  assert.equal(responseNeeded(low, 0.3, 60, last, T0).needed, true);
});

const apps = (results: string, rate = 1): Application[] => [...results].map((r, i) => [T0 + i, r === '1' ? 1 : 0, r === '1' ? rate : rate / 2]);

test('drift: compares the latest window with the one before; needs two windows', () => {
  assert.equal(effectivenessDrift('p', 'p', apps('11111'), 5, 0.2), undefined);
  const declining = effectivenessDrift('p', 'p', apps('1111100000'), 5, 0.2);
  assert.equal(declining?.drift.direction, 'negative');
  assert.equal(round(declining?.drift.before ?? 0), round(5.5 / 6));
  assert.equal(round(declining?.drift.after ?? 0), round(0.5 / 6));
  assert.equal(declining?.exceeded, true);
  const steady = effectivenessDrift('p', 'p', apps('1010110101'), 5, 0.2);
  assert.equal(steady?.drift.direction, 'stable');
  assert.equal(steady?.exceeded, false);
  const improving = effectivenessDrift('p', 'p', apps('0000011111'), 3, 0.2);
  assert.equal(improving?.drift.direction, 'positive');
});

test('epistemic drift: the confidence of the verdicts weakening, and how unsteady it is', () => {
  const weakening: Application[] = [...Array(5).fill([T0, 1, 1]), ...Array(5).fill([T0, 0, 0.4])];
  const d = epistemicDrift('p', 'p', weakening, 5, 0.15);
  assert.equal(d?.drift.direction, 'weakening');
  assert.equal(round(d?.drift.beliefChange ?? 0), -0.6);
  assert.ok((d?.drift.beliefEntropy ?? 0) > 0.3);
  assert.equal(d?.exceeded, true);
  const calm = epistemicDrift('p', 'p', Array(10).fill([T0, 1, 0.8]), 5, 0.15);
  assert.deepEqual([calm?.drift.direction, round(calm?.drift.beliefEntropy ?? 1), calm?.exceeded], ['stable', 0, false]);
});
