// A job's checkpoint damaged or lost under a real conductor: list still shows it with E401 and
// what to do, status and resume agree, and a lost snapshot never re-runs validated sheets.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobState } from '../../../protocol/src/job-state.js';
import { harness, scoreFile } from './harness.js';

const h = harness();
before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

// Sheets 4 and 5 do their work only once the go file exists.
const RUN = 'echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/../runs"; if [ "$MOZART_SHEET_NUM" -lt 4 ] || [ -e "$MOZART_WORKSPACE/go" ]; then touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"; fi';

function failAtSheet4(name: string): { file: string; ws: string; runs: () => string[] } {
  const file = scoreFile(name, RUN, 5, 'retry: { max_retries: 0 }\n');
  const ws = join(dirname(file), 'ws');
  return { file, ws, runs: () => readFileSync(join(dirname(file), 'runs'), 'utf8').trim().split('\n') };
}

test('a deleted state.json after compaction: status says E401 and to resume; resume takes validated sheets as done', () => {
  const job = failAtSheet4('lost-snapshot');
  assert.equal(h.mozart('run', job.file, '--watch').code, 1);
  assert.deepEqual(job.runs(), ['run-1', 'run-2', 'run-3', 'run-4']);
  // The job has ended: its store was closed (compacted), so the journal is empty.
  rmSync(join(job.ws, '.mozart', 'state', 'state.json'));
  const status = h.mozart('status', 'lost-snapshot');
  assert.equal(status.code, 1);
  assert.match(status.err, /E401 .*snapshot .*state\.json is missing.*Resume the job to rebuild it/);
  const listed = h.mozart('list', '--all');
  assert.match(listed.out, /lost-snapshot +failed +E401 /, 'the damaged job is listed, not hidden');

  writeFileSync(join(job.ws, 'go'), '');
  const resumed = h.mozart('resume', 'lost-snapshot', '--watch');
  assert.equal(resumed.code, 0, resumed.out + resumed.err);
  assert.deepEqual(job.runs(), ['run-1', 'run-2', 'run-3', 'run-4', 'run-4', 'run-5'], 'sheets 1-3 were validated and did not run again');
  const events = h.mozart('logs', 'lost-snapshot').out;
  assert.match(events, /job\.state_repaired .*sheet\(s\) 1, 2, 3 were taken as done because their validations pass now/);
  const state = JSON.parse(h.mozart('status', 'lost-snapshot', '--json').out) as JobState;
  assert.equal(state.status, 'completed');
});

test('the whole checkpoint gone (.mozart/state deleted): status says so; resume infers the validated sheets, says so, never re-runs them', () => {
  const job = failAtSheet4('lost-checkpoint');
  assert.equal(h.mozart('run', job.file, '--watch').code, 1);
  rmSync(join(job.ws, '.mozart', 'state'), { recursive: true });
  const status = h.mozart('status', 'lost-checkpoint');
  assert.equal(status.code, 1);
  assert.match(status.err, /no checkpoint in .*\.mozart\/state: it was deleted or moved.*Resume it .*sheets whose validations pass are taken as done/);

  writeFileSync(join(job.ws, 'go'), '');
  const resumed = h.mozart('resume', 'lost-checkpoint', '--watch');
  assert.equal(resumed.code, 0, resumed.out + resumed.err);
  assert.deepEqual(job.runs(), ['run-1', 'run-2', 'run-3', 'run-4', 'run-4', 'run-5'], 'sheets 1-3 pass their validations: not run again');
  assert.match(h.mozart('logs', 'lost-checkpoint').out, /job\.state_repaired .*The checkpoint \(.*\.mozart\/state\) was gone; sheet\(s\) 1, 2, 3 were taken as done because their validations pass now/);
  const state = JSON.parse(h.mozart('status', 'lost-checkpoint', '--json').out) as JobState;
  assert.equal(state.status, 'completed');
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => state.sheets[String(n)]?.attempts ?? 0), [0, 0, 0, 1, 1], 'the inferred sheets record no attempt of this run');
});

test('a journal line that is JSON but not a record: a tail is cut off and reported; in the middle it is E401 with what to do', () => {
  const job = failAtSheet4('bad-journal');
  assert.equal(h.mozart('run', job.file, '--watch').code, 1);
  const journal = join(job.ws, '.mozart', 'state', 'journal.ndjson');
  appendFileSync(journal, 'null\n');
  writeFileSync(join(job.ws, 'go'), '');
  const resumed = h.mozart('resume', 'bad-journal', '--watch');
  assert.equal(resumed.code, 0, resumed.out + resumed.err);
  assert.match(h.mozart('logs', 'bad-journal').out, /job\.state_repaired .*is valid JSON but not a journal record; it was cut off/);
  assert.deepEqual(job.runs(), ['run-1', 'run-2', 'run-3', 'run-4', 'run-4', 'run-5']);

  // Damage followed by records is not guessed past.
  const other = failAtSheet4('bad-middle');
  assert.equal(h.mozart('run', other.file, '--watch').code, 1);
  const state = join(other.ws, '.mozart', 'state');
  writeFileSync(join(state, 'journal.ndjson'), `{"seq":1000000000}\n${JSON.stringify({ seq: 1000000001, record: { t: 'job', at: new Date().toISOString(), status: 'paused' } })}\n`);
  const status = h.mozart('status', 'bad-middle');
  assert.equal(status.code, 1);
  assert.match(status.err, /E401 .*damaged at line 1: it is valid JSON but not a journal record, and records follow it.*delete that line/);
  assert.equal(h.mozart('resume', 'bad-middle').code, 1);
  assert.match(h.mozart('list', '--all').out, /bad-middle +failed +E401 /);
});

/** The seq the job's snapshot holds (its journal is empty once the job has ended). */
const snapshotSeq = (ws: string): number => (JSON.parse(readFileSync(join(ws, '.mozart', 'state', 'state.json'), 'utf8')) as { seq: number }).seq;

test('journal records and snapshots that parse but are not a job\'s: never an internal error; a tail is cut off, otherwise E401 and listed', () => {
  // A sheet record with nothing but its kind at the end: status answers; resume cuts it off and says so.
  const tail = failAtSheet4('bad-record-tail');
  assert.equal(h.mozart('run', tail.file, '--watch').code, 1);
  appendFileSync(join(tail.ws, '.mozart', 'state', 'journal.ndjson'), `${JSON.stringify({ seq: snapshotSeq(tail.ws) + 1, record: { t: 'sheet' } })}\n`);
  const status = h.mozart('status', 'bad-record-tail', '--json');
  assert.equal(status.code, 0, status.err);
  assert.equal((JSON.parse(status.out) as JobState).status, 'failed');
  assert.match(h.mozart('list', '--all').out, /bad-record-tail +failed /);
  writeFileSync(join(tail.ws, 'go'), '');
  const resumed = h.mozart('resume', 'bad-record-tail', '--watch');
  assert.equal(resumed.code, 0, resumed.out + resumed.err);
  assert.match(h.mozart('logs', 'bad-record-tail').out, /job\.state_repaired .*is valid JSON but not a journal record \(its record has no time \(at\)\); it was cut off/);
  assert.deepEqual(tail.runs(), ['run-1', 'run-2', 'run-3', 'run-4', 'run-4', 'run-5']);

  // A record that is a bare number, with a record after it: E401 naming the line and what to do.
  const middle = failAtSheet4('bad-record-middle');
  assert.equal(h.mozart('run', middle.file, '--watch').code, 1);
  const seq = snapshotSeq(middle.ws);
  writeFileSync(join(middle.ws, '.mozart', 'state', 'journal.ndjson'), `${JSON.stringify({ seq: seq + 1, record: 1 })}\n${JSON.stringify({ seq: seq + 2, record: { t: 'job', at: new Date().toISOString(), status: 'paused' } })}\n`);
  const damaged = h.mozart('status', 'bad-record-middle');
  assert.equal(damaged.code, 1);
  assert.doesNotMatch(damaged.err, /Internal error/);
  assert.match(damaged.err, /E401 .*damaged at line 1: it is valid JSON but not a journal record \(its record is not an object\), and records follow it.*delete that line/);
  assert.match(h.mozart('list', '--all').out, /bad-record-middle +failed +E401 /);
  const refused = h.mozart('resume', 'bad-record-middle');
  assert.equal(refused.code, 1);
  assert.match(refused.err, /E401 .*damaged at line 1/, 'resume says what status says');

  // A snapshot whose state has no sheets.
  const hollow = failAtSheet4('no-sheets');
  assert.equal(h.mozart('run', hollow.file, '--watch').code, 1);
  const snapshotFile = join(hollow.ws, '.mozart', 'state', 'state.json');
  const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { state: Partial<JobState> };
  delete snapshot.state.sheets;
  writeFileSync(snapshotFile, JSON.stringify(snapshot));
  const noSheets = h.mozart('status', 'no-sheets');
  assert.equal(noSheets.code, 1);
  assert.doesNotMatch(noSheets.err, /Internal error/);
  assert.match(noSheets.err, /E401 .*state\.json is not in Mozart's format \(its state has no sheets\)\. Move the folder .* aside and resume/);
  assert.match(h.mozart('list', '--all').out, /no-sheets +failed +E401 /);
});
