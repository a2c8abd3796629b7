// The learning store on real files: what survives a reopen, a torn last line, retention by count
// and age, a drop interrupted by a crash, and damaged files.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { addOutcome, emptyAggregate, removeOutcome } from '../../src/learning/aggregate.js';
import { LearningStore } from '../../src/learning/store.js';
import type { LearningStoreOptions } from '../../src/learning/store.js';
import { DAY, failThenComplete, outcome, T0 } from './fixtures.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'mozart-learning-'));
// Every store opened here is tracked: a store may still be writing its totals off the event loop
// (retention on open asks for a snapshot), so a test's folder goes only once those writes are done.
const opened: LearningStore[] = [];
const open = (dir: string, over: Partial<LearningStoreOptions> = {}) => {
  const store = LearningStore.open({ dir, durable: false, now: () => T0, ...over });
  opened.push(store);
  return store;
};
const doomed: string[] = [];
const removeLater = (dir: string) => doomed.push(dir);
afterEach(async () => {
  for (const store of opened.splice(0)) await store.flushed();
  for (const dir of doomed.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const segments = (dir: string) => readdirSync(join(dir, 'outcomes')).sort();

test('adding then removing every outcome leaves the totals empty', () => {
  const agg = emptyAggregate();
  const all = [...failThenComplete(T0), ...failThenComplete(T0 + 5000, { sheet: 2 }), outcome({ at: T0 + 9000, patterns: ['p1'], sheet: 3 })];
  for (const o of all) addOutcome(agg, o);
  for (const o of all) removeOutcome(agg, o);
  const empty = emptyAggregate();
  assert.deepEqual({ ...agg, lastBySheet: {}, sheetEntries: 0 }, { ...empty });
});

test('what is recorded is there after a reopen, from the snapshot plus the outcomes after it', async () => {
  const dir = tempDir();
  const store = open(dir, { snapshotEvery: 3 });
  for (let i = 0; i < 6; i++) store.record(outcome({ at: T0 + i, sheet: i + 1, passed: i % 2 === 0 }));
  await store.flushed();
  assert.equal((JSON.parse(readFileSync(join(dir, 'totals.json'), 'utf8')) as { seq: number }).seq, 6);
  store.record(outcome({ at: T0 + 6, sheet: 7 }));
  const before = JSON.stringify(store.aggregate);
  // No close: as after a kill, the snapshot covers 6 outcomes and the 7th is only in the log.
  const reopened = open(dir);
  assert.equal(reopened.info.outcomes, 7);
  assert.equal(JSON.stringify(reopened.aggregate), before);
  reopened.close();
  removeLater(dir);
});

test('a torn last line is skipped and counted; the store stays readable and appends to a new segment', () => {
  const dir = tempDir();
  const store = open(dir);
  store.record(outcome());
  store.record(outcome({ at: T0 + 1, sheet: 2 }));
  const [segment] = segments(dir);
  appendFileSync(join(dir, 'outcomes', segment as string), '{"seq":3,"at":17');
  const reopened = open(dir);
  assert.equal(reopened.aggregate.outcomes, 2);
  assert.equal(reopened.info.damagedLines, 1);
  reopened.record(outcome({ at: T0 + 2, sheet: 3 }));
  assert.equal(segments(dir).length, 2, 'nothing is appended after the torn line');
  assert.equal(open(dir).aggregate.outcomes, 3);
  removeLater(dir);
});

test('retention by count: the oldest segments go, and their outcomes leave the totals', async () => {
  const dir = tempDir();
  const store = open(dir, { maxOutcomes: 1000 });
  for (let i = 0; i < 2500; i++) store.record(outcome({ at: T0 + i, sheet: i, passed: i >= 1500 }));
  await store.flushed(); // dropped segments' files go once a snapshot without them is on disk
  // Segments of 100: at most maxOutcomes plus the segment being written.
  assert.ok(store.info.outcomes >= 1000 && store.info.outcomes <= 1100, `kept ${store.info.outcomes}`);
  assert.equal(store.aggregate.outcomes, store.info.outcomes);
  assert.equal(store.aggregate.passes, store.info.outcomes, 'the failures recorded first are the ones dropped');
  const fresh = emptyAggregate();
  for (const s of segments(dir)) for (const line of readFileSync(join(dir, 'outcomes', s), 'utf8').split('\n').filter(Boolean)) addOutcome(fresh, JSON.parse(line));
  assert.equal(fresh.attempts, store.aggregate.attempts);
  assert.equal(fresh.passes, store.aggregate.passes);
  assert.equal(open(dir).aggregate.outcomes, store.info.outcomes);
  removeLater(dir);
});

test('retention by age: segments whose newest outcome is older than max_age go on open', () => {
  const dir = tempDir();
  const store = open(dir, { maxOutcomes: 1000 });
  for (let i = 0; i < 150; i++) store.record(outcome({ at: T0 + i }));
  store.close();
  const later = open(dir, { maxOutcomes: 1000, maxAgeDays: 30, now: () => T0 + 31 * DAY });
  assert.equal(later.info.outcomes, 50, 'the full old segment of 100 went; the one being written stays');
  removeLater(dir);
});

test('a segment left behind by a drop interrupted by a crash is removed on open', () => {
  const dir = tempDir();
  const store = open(dir, { maxOutcomes: 1000 });
  for (let i = 0; i < 1250; i++) store.record(outcome({ at: T0 + i }));
  store.close();
  const kept = segments(dir);
  writeFileSync(join(dir, 'outcomes', 'outcomes-000000000001.ndjson'), JSON.stringify({ ...outcome(), seq: 1 }) + '\n');
  const reopened = open(dir, { maxOutcomes: 1000 });
  assert.deepEqual(segments(dir), kept);
  assert.equal(reopened.aggregate.outcomes, reopened.info.outcomes);
  removeLater(dir);
});

test('damaged totals are rebuilt from the log; damaged decisions are set aside, and both are reported', () => {
  const dir = tempDir();
  const store = open(dir);
  for (let i = 0; i < 5; i++) store.record(outcome({ at: T0 + i, sheet: i }));
  store.decide({ t: 'rate_limit', record: { backend: 'claude_cli', code: 'E101', at: T0, until: T0 + 60_000 } });
  store.close();
  writeFileSync(join(dir, 'totals.json'), '{ not json');
  writeFileSync(join(dir, 'decisions', 'state.json'), 'garbage');
  const messages: string[] = [];
  const reopened = open(dir, { onError: (m) => messages.push(m) });
  assert.equal(reopened.aggregate.outcomes, 5);
  assert.equal(reopened.state.rateLimits.length, 0);
  assert.ok(messages.some((m) => m.includes('rebuilt from the outcome log')), messages.join('\n'));
  assert.ok(messages.some((m) => m.includes('moved to')), messages.join('\n'));
  assert.ok(readdirSync(dir).some((n) => n.startsWith('decisions.damaged-')));
  removeLater(dir);
});

test('decisions survive a reopen; a missing folder is created', () => {
  const dir = join(tempDir(), 'deep', 'learning');
  mkdirSync(dir, { recursive: true });
  const store = open(dir);
  store.decide({ t: 'status', id: 'p1', decision: { status: 'quarantined', at: T0, by: 'user', applications: 0, successes: 0 } });
  const reopened = open(dir);
  assert.equal(reopened.state.statuses.p1?.status, 'quarantined');
  assert.ok(existsSync(join(dir, 'outcomes')));
});
