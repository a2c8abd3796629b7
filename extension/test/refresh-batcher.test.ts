// The tree and the progress notifications are refreshed in gathered batches: a lone change soon,
// a busy job's changes at most once per interval, and only the jobs that changed. Injected timers:
// nothing sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RefreshBatcher, REFRESH_DELAY_MS, REFRESH_INTERVAL_MS } from '../src/jobs/refresh-batcher.js';
import type { Refresh } from '../src/jobs/refresh-batcher.js';
import { FakeTimers } from './support/fake-timers.js';

function batcher() {
  const timers = new FakeTimers();
  const b = new RefreshBatcher(timers);
  const seen: { at: number; refresh: Refresh }[] = [];
  b.onRefresh((refresh) => seen.push({ at: timers.now(), refresh }));
  return { timers, b, seen };
}

const ids = (r: Refresh) => (r.all ? 'all' : [...r.jobIds].sort().join(','));

test('a lone change is shown after the short delay, and names only its job', () => {
  const { timers, b, seen } = batcher();
  b.schedule('a');
  timers.advance(REFRESH_DELAY_MS - 1);
  assert.equal(seen.length, 0, 'not before the delay');
  timers.advance(1);
  assert.deepEqual(seen.map((s) => ids(s.refresh)), ['a']);
  assert.equal(timers.pending, 0, 'no timer left running once idle');
});

test('a change every 10 ms for 10 s is at most one refresh per interval, none lost', () => {
  const { timers, b, seen } = batcher();
  for (let t = 0; t < 10_000; t += 10) {
    b.schedule(t % 20 === 0 ? 'a' : 'b');
    timers.advance(10);
  }
  timers.advance(REFRESH_INTERVAL_MS);
  assert.ok(seen.length <= Math.ceil(10_000 / REFRESH_INTERVAL_MS) + 1, `${seen.length} refreshes`);
  assert.ok(seen.length >= Math.floor(10_000 / REFRESH_INTERVAL_MS), 'it keeps refreshing while busy');
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.at - seen[i - 1]!.at >= REFRESH_INTERVAL_MS, `refreshes ${i - 1} and ${i} are ${seen[i]!.at - seen[i - 1]!.at} ms apart`);
  assert.equal(ids(seen.at(-1)!.refresh), 'a,b');
  assert.equal(timers.pending, 0);
});

test('a whole-tree change covers the jobs gathered with it; flush delivers at once', () => {
  const { timers, b, seen } = batcher();
  b.schedule('a');
  b.schedule(undefined);
  b.flush();
  assert.deepEqual(seen.map((s) => ids(s.refresh)), ['all']);
  assert.equal(timers.pending, 0, 'the timer went with the flush');
  b.flush();
  assert.equal(seen.length, 1, 'nothing pending, nothing delivered');
  // Right after a flush, the next change waits out the interval.
  b.schedule('c');
  timers.advance(REFRESH_INTERVAL_MS - 1);
  assert.equal(seen.length, 1);
  timers.advance(1);
  assert.deepEqual(seen.map((s) => ids(s.refresh)), ['all', 'c']);
});
