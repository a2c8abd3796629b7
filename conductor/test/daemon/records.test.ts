// Subscribers that ask for records get the job's journal records, and folding them with
// applyJobRecord (the conductor's own fold) gives the state job.status answers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { JobRecordEvent } from '../../../protocol/src/events.js';
import { applyJobRecord, newSheet } from '../../../protocol/src/job-state.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { EventLog, harness, scoreFile } from './harness.js';

const h = harness({ MOZART_TEST_CLOCK_SCALE: '0.01' });

before(() => {
  const r = h.mozart('start');
  assert.equal(r.code, 0, r.err);
});

after(() => {
  h.mozart('stop');
});

test('folding the records a subscriber receives gives the state job.status answers', async () => {
  // Each sheet fails its first attempt and passes its second: retries, errors and waits are recorded.
  const command = 'if [ -e "$MOZART_WORKSPACE/tried$MOZART_SHEET_NUM" ]; then touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"; else touch "$MOZART_WORKSPACE/tried$MOZART_SHEET_NUM"; echo not yet >&2; exit 1; fi';
  const file = scoreFile('folded', command, 2);
  const withRecords = await h.connect();
  const plain = await h.connect();
  const records: JobRecordEvent[] = [];
  const plainRecords: unknown[] = [];
  withRecords.onRecord = (event) => records.push(event);
  plain.onRecord = (event) => plainRecords.push(event);
  const log = new EventLog(withRecords);
  await withRecords.request('events.subscribe', { jobId: 'folded', records: true });
  await plain.request('events.subscribe', { jobId: 'folded' });
  await withRecords.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'job.completed');
  const final = await withRecords.request('job.status', { jobId: 'folded' });
  withRecords.close();
  plain.close();

  assert.ok(records.length > 6, `records arrived (${records.length})`);
  assert.deepEqual(plainRecords, [], 'a subscriber that did not ask gets no records');
  // The state the job started from: every sheet fresh, nothing spent.
  const start: JobState = { ...structuredClone(final), status: 'pending', costUsd: 0, sheets: { 1: newSheet(), 2: newSheet() } };
  delete start.error;
  delete start.finishedAt;
  let folded = start;
  for (const { record } of records) folded = applyJobRecord(folded, record);
  assert.equal(folded.status, 'completed');
  assert.deepEqual(folded.sheets, final.sheets, 'the fold is the checkpoint, field for field');
  assert.deepEqual(Object.values(folded.sheets).map((s) => [s.attempts, s.retries, s.errors.length]), [
    [2, 1, 1],
    [2, 1, 1],
  ]);
});
