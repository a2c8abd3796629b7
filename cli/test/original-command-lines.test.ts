// Command lines as the original's README and CLAUDE.md write them, against a real conductor: a job
// another conductor ran is found by id in its workspace (-w), adopted from its checkpoint, and the
// commands do what the original's docs say.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobState } from '../../protocol/src/job-state.js';
import { harness, scoreFile } from '../../conductor/test/daemon/harness.js';

const first = harness();
const second = harness();
let file = '';
let ws = '';

before(() => {
  assert.equal(first.mozart('start').code, 0);
  // Sheet 3 fails until the go file exists, so the job ends failed with work left to resume.
  file = scoreFile('my-job', 'if [ "$MOZART_SHEET_NUM" -lt 3 ] || [ -e "$MOZART_WORKSPACE/go" ]; then touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"; fi', 3, 'retry: { max_retries: 0 }\n');
  ws = join(dirname(file), 'ws');
  assert.equal(first.mozart('run', file, '--watch').code, 1);
  first.mozart('stop');
  // Another conductor (another MOZART_HOME) that has never heard of the job.
  assert.equal(second.mozart('start').code, 0);
});
after(() => second.mozart('stop'));

test('status my-job -w ./workspace: the job is adopted from its checkpoint and shown', () => {
  const status = second.mozart('status', 'my-job', '-w', ws);
  assert.equal(status.code, 1, 'a failed job: exit 1, as for any status of a failed job');
  assert.match(status.err, /Adopted job 'my-job' from the checkpoint in .*ws \(failed, 2\/3 sheets done\)/);
  assert.match(status.out, /my-job: failed/);
  const json = JSON.parse(second.mozart('status', 'my-job', '--workspace', ws, '--json').out) as JobState;
  assert.equal(json.sheets['3']?.status, 'failed');
});

test('diagnose <job> --workspace <dir> and recover <job> --workspace <dir> --dry-run', () => {
  const diagnose = second.mozart('diagnose', 'my-job', '--workspace', ws);
  assert.equal(diagnose.code, 1, diagnose.err);
  assert.match(diagnose.out, /Sheet 3/);
  const recover = second.mozart('recover', 'my-job', '--workspace', ws, '--dry-run');
  assert.equal(recover.code, 1, recover.out + recover.err);
  assert.match(recover.out + recover.err, /3/);
});

test('resume my-job --reload-config -c updated.yaml -w ./workspace finishes the job without re-running done sheets', () => {
  writeFileSync(join(ws, 'go'), '');
  const updated = join(dirname(file), 'updated.yaml');
  writeFileSync(updated, readFileSync(file, 'utf8'));
  const resumed = second.mozart('resume', 'my-job', '--reload-config', '-c', updated, '-w', ws, '--watch');
  assert.equal(resumed.code, 0, resumed.out + resumed.err);
  const state = JSON.parse(second.mozart('status', 'my-job', '-w', ws, '--json').out) as JobState;
  assert.equal(state.status, 'completed');
  assert.deepEqual([1, 2, 3].map((n) => state.sheets[String(n)]?.attempts), [1, 1, 2]);
});

test('a workspace holding another job is refused, saying which job it holds', () => {
  const wrong = second.mozart('status', 'other-job', '-w', ws);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /is job 'my-job', not 'other-job'/);
});
