// The conductor config's job-wide settings at work in a real conductor: the learning store's limits
// read at start, `learning.enabled: false` set live stopping every job's outcomes from being
// recorded, and `notifications` added to a job whose score has none.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { json, startServer } from '../backends/http-server.js';
import { harness, scoreFile } from './harness.js';

const h = harness();
const stats = (): { store: { outcomes: number; max_outcomes: number; max_age_days: number } } => {
  const r = h.mozart('learning-stats', '--json');
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as { store: { outcomes: number; max_outcomes: number; max_age_days: number } };
};

before(() => {
  writeFileSync(join(h.home, 'conductor.yaml'), 'learning:\n  max_outcomes: 5000\n  max_age_days: 7\n');
  assert.equal(h.mozart('start').code, 0);
});
after(() => h.mozart('stop'));

test("the learning store's limits come from the file at start", () => {
  const { store } = stats();
  assert.deepEqual([store.max_outcomes, store.max_age_days], [5000, 7]);
  const changed = h.mozart('config', 'set', 'learning.max_age_days', '30');
  assert.match(changed.out, /learning\.max_age_days: 7 → 30 — takes effect after restart/);
  assert.equal(stats().store.max_age_days, 7, 'not while this conductor runs');
});

test('learning.enabled false, set while the conductor runs, stops outcomes being recorded; true brings them back', () => {
  const file = scoreFile('learns', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  assert.equal(h.mozart('run', file, '--watch').code, 0);
  const first = stats().store.outcomes;
  assert.ok(first >= 2, `each sheet's attempt is recorded (${first})`);

  const off = h.mozart('config', 'set', 'learning.enabled', 'false');
  assert.match(off.out, /learning\.enabled: true → false — applied now/);
  assert.equal(h.mozart('run', file, '--fresh', '--watch').code, 0);
  assert.equal(stats().store.outcomes, first, 'nothing recorded while off');

  assert.match(h.mozart('config', 'set', 'learning.enabled', 'true').out, /applied now/);
  assert.equal(h.mozart('run', file, '--fresh', '--watch').code, 0);
  assert.ok(stats().store.outcomes >= first + 2, 'recorded again');
});

test("the file's notifications reach a job whose score has none, from the next job on", async () => {
  const server = await startServer((_q, r) => json(r, 200, {}));
  try {
    const channel = `[{type: webhook, on_events: [job_complete], config: {url: "${server.url}/all-jobs"}}]`;
    const set = h.mozart('config', 'set', 'notifications', channel);
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /notifications: \[\] → webhook — applies to jobs started from now on/);
    const delivered = server.nextRequest();
    assert.equal(h.mozart('run', scoreFile('plain', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1), '--watch').code, 0);
    const request = await delivered;
    assert.equal(request.url, '/all-jobs');
    assert.equal(request.body.event_type, 'job_complete');
    assert.equal((request.body.context as Record<string, unknown>).job_name, 'plain');
  } finally {
    await server.close();
  }
});
