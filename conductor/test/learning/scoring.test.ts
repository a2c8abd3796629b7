// Effectiveness, trust, priority, recency, relevance and the automatic status changes, as tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application, ApplicationStats } from '../../src/learning/aggregate.js';
import { automaticStatus, effectiveness, priority, recency, relevance, trust, UNTESTED_EFFECTIVENESS } from '../../src/learning/scoring.js';
import type { RelevanceInput } from '../../src/learning/scoring.js';
import { DAY, T0 } from './fixtures.js';

/** Applications from a string of results, "1101" = passed, passed, failed, passed; the last at `at`. */
function applied(results: string, at = T0): ApplicationStats {
  const recent: Application[] = [...results].map((r, i) => [at - (results.length - 1 - i) * 1000, r === '1' ? 1 : 0, r === '1' ? 1 : 0]);
  const successes = [...results].filter((r) => r === '1').length;
  const lastSuccess = recent.filter(([, ok]) => ok === 1).at(-1)?.[0] ?? 0;
  return { applications: results.length, successes, explorations: 0, firstApplied: recent[0]?.[0] ?? at, lastApplied: at, lastSuccess, recent, factors: { observations: successes, validationTypes: {}, errorCategories: {}, timeOfDay: {}, attempts: {} } };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

test('effectiveness: untested, proven, failing, and decayed with time', () => {
  const table: [string, ApplicationStats | undefined, number, number][] = [
    ['never applied', undefined, T0, UNTESTED_EFFECTIVENESS],
    ['two applications are not yet a measure', applied('11'), T0, UNTESTED_EFFECTIVENESS],
    ['five passes', applied('11111'), T0, round(0.7 * 1 + 0.3 * (5.5 / 6))],
    ['five failures', applied('00000'), T0, round(0.3 * (0.5 / 6))],
    ['old failures, recent passes: the recent ones weigh more', applied('0000011111'), T0, round(0.7 * 1 + 0.3 * (5.5 / 11))],
    ['five passes, 30 days without another', applied('11111'), T0 + 30 * DAY, round((0.7 + 0.3 * (5.5 / 6)) * 0.9)],
  ];
  for (const [name, a, now, expected] of table) assert.equal(round(effectiveness(a, now)), expected, name);
});

test('trust: neutral when unmeasured, up with passes, down faster with failures, shifted by status', () => {
  const table: [string, ApplicationStats | undefined, Parameters<typeof trust>[1], number][] = [
    ['never applied', undefined, 'pending', 0.5],
    ['never applied, validated', undefined, 'validated', 0.6],
    ['never applied, quarantined', undefined, 'quarantined', 0.3],
    ['always passed, just now', applied('11111'), 'pending', 1],
    ['always failed', applied('00000'), 'pending', 0.1],
    ['half and half', applied('1010'), 'pending', round(0.5 + 0.15 - 0.2 + 0.2)],
  ];
  for (const [name, a, status, expected] of table) assert.equal(round(trust(a, status, T0)), expected, name);
});

test('priority rises with frequency on a log scale; recency halves every week', () => {
  assert.equal(round(priority(0.8, 0)), 0);
  assert.equal(round(priority(0.8, 9)), 0.4);
  assert.equal(round(priority(0.8, 99)), 0.8);
  assert.equal(round(priority(0.8, 10_000)), 0.8);
  assert.equal(recency(T0, T0), 1);
  assert.equal(round(recency(T0, T0 + 7 * DAY)), 0.5);
  assert.equal(round(recency(T0, T0 + 14 * DAY)), 0.25);
});

test('relevance: the original weights, shared tags, and status and trust adjustments', () => {
  const base: RelevanceInput = { confidence: 0.8, frequency: 5, tags: ['score:S', 'rule:r'], lastSeen: T0, effectiveness: 0.55, applications: 0, status: 'pending', trust: 0.5 };
  const ctx = new Set(['score:S', 'rule:r', 'validation:x']);
  const plain = 0.8 * 0.25 + 0.5 * 0.2 + 0.4 * 0.25 + 1 * 0.15;
  const table: [string, RelevanceInput, ReadonlySet<string>, number][] = [
    ['two shared tags', base, ctx, round(plain)],
    ['no shared tag', base, new Set(['other']), round(plain - 0.4 * 0.25)],
    ['measured and effective', { ...base, applications: 5, effectiveness: 1 }, ctx, round(plain + 0.15)],
    ['validated with high trust', { ...base, status: 'validated', trust: 1 }, ctx, round(Math.min(1, plain + 0.1 + 0.1 + 0.3 * 0.33))],
    ['quarantined', { ...base, status: 'quarantined', trust: 0.3 }, ctx, round(plain - 0.3 - 0.1)],
    ['a month old', { ...base, lastSeen: T0 - 28 * DAY }, ctx, round(plain - 0.15 + 0.15 / 16)],
  ];
  for (const [name, input, tags, expected] of table) assert.equal(round(relevance(input, tags, T0)), expected, name);
});

test('automatic status: quarantine what keeps failing, validate what keeps passing, only after five applications', () => {
  const table: [string, Parameters<typeof automaticStatus>, string | undefined][] = [
    ['too few applications', ['pending', 0.1, 4], undefined],
    ['low trust: quarantined', ['pending', 0.1, 5], 'quarantined'],
    ['a validated pattern that turned bad', ['validated', 0.2, 8], 'quarantined'],
    ['already quarantined', ['quarantined', 0.1, 9], undefined],
    ['retired stays retired', ['retired', 0.1, 9], undefined],
    ['high trust: validated', ['pending', 0.9, 5], 'validated'],
    ['in between: left alone', ['pending', 0.6, 20], undefined],
  ];
  for (const [name, args, expected] of table) assert.equal(automaticStatus(...args)?.status, expected, name);
});
