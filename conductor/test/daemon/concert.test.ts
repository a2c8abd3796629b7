// A self-chaining score through a real conductor: each run starts the next after the cooldown,
// and the chain stops at max_chain_depth. Before the fix every run_job hook failed inside the
// conductor ("run_job hooks need the conductor"), so no score could chain at all.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { EventLog, harness, scoreFile } from './harness.js';

const h = harness();

before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

test('a self-chaining score runs max_chain_depth more times, each after the cooldown, then stops', async () => {
  const file = scoreFile('chain', 'echo run >> "$MOZART_WORKSPACE/../runs.log"; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  writeFileSync(file, `${readFileSync(file, 'utf8')}
concert: { enabled: true, max_chain_depth: 2, cooldown_between_jobs_seconds: 1 }
on_success:
  - { type: run_job, job_path: score.yaml, detached: true, fresh: true }
`);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'chain' });
  assert.equal(h.mozart('run', file).code, 0);
  const stop = (await log.waitFor((e) => e.type === 'job.hook' && !e.ok)) as Extract<RunnerEvent, { type: 'job.hook' }>;
  assert.match(stop.message, /concert stops here: this job is number 2 .*max_chain_depth is 2/);
  client.close();

  assert.equal(readFileSync(join(dirname(file), 'runs.log'), 'utf8'), 'run\nrun\nrun\n', 'the first run and two chained ones');
  const starts = log.events.filter((e) => e.type === 'job.started').map((e) => Date.parse(e.at));
  const ends = log.events.filter((e) => e.type === 'job.completed').map((e) => Date.parse(e.at));
  assert.equal(starts.length, 3);
  for (let i = 1; i < starts.length; i++) assert.ok((starts[i] as number) - (ends[i - 1] as number) >= 1000, `run ${i + 1} waited the 1s cooldown`);
  const hooks = log.events.filter((e): e is Extract<RunnerEvent, { type: 'job.hook' }> => e.type === 'job.hook').map((e) => e.ok);
  assert.deepEqual(hooks, [true, true, false]);
  const concertLog = readFileSync(join(dirname(file), 'ws', 'concert.log'), 'utf8').trim().split('\n');
  assert.equal(concertLog.length, 3);
  assert.match(concertLog[2] ?? '', /depth 2\] chain: run_job failed: The concert stops here/);
  assert.match(h.mozart('status', 'chain').out, /concert depth 2 of at most 2, started by 'chain'/);
});

test('cancelling a job whose next run waits out the cooldown cancels that run', async () => {
  const file = scoreFile('chain-cancel', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  writeFileSync(file, `${readFileSync(file, 'utf8')}
concert: { enabled: true, max_chain_depth: 5, cooldown_between_jobs_seconds: 600 }
on_success:
  - { type: run_job, job_path: score.yaml, detached: true, fresh: true }
`);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'chain-cancel' });
  assert.equal(h.mozart('run', file).code, 0);
  const scheduled = (await log.waitFor((e) => e.type === 'job.hook')) as Extract<RunnerEvent, { type: 'job.hook' }>;
  assert.match(scheduled.message, /'chain-cancel' \(.*score.yaml\) starts 600s after 'chain-cancel' ends, as concert depth 1/);
  await log.waitFor((e) => e.type === 'job.completed');
  client.close();
  assert.match(h.mozart('status', 'chain-cancel').out, /concert depth 0 of at most 5; next: 'chain-cancel' (at \d|when this job ends)/);
  const cancelled = h.mozart('cancel', 'chain-cancel');
  assert.equal(cancelled.code, 0, cancelled.err);
  const again = h.mozart('cancel', 'chain-cancel');
  assert.equal(again.code, 1, 'nothing is left to cancel');
  assert.match(again.err, /not running \(completed\)/);
  assert.doesNotMatch(h.mozart('status', 'chain-cancel').out, /next:/);
});

test("a chained score in examples/ with job_path 'examples/…' (the original's style) runs its next job", async () => {
  const file = scoreFile('chain-root', 'echo run >> "$MOZART_WORKSPACE/../../runs.log"; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  const root = dirname(file);
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'examples'));
  const chained = join(root, 'examples', 'chain-root.yaml');
  writeFileSync(chained, `${readFileSync(file, 'utf8')}
concert: { enabled: true, max_chain_depth: 1, cooldown_between_jobs_seconds: 0 }
on_success:
  - { type: run_job, job_path: examples/chain-root.yaml, detached: true, fresh: true }
`);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'chain-root' });
  assert.equal(h.mozart('run', chained).code, 0);
  const stop = (await log.waitFor((e) => e.type === 'job.hook' && !e.ok)) as Extract<RunnerEvent, { type: 'job.hook' }>;
  assert.match(stop.message, /concert stops here/);
  client.close();
  assert.equal(readFileSync(join(root, 'runs.log'), 'utf8'), 'run\nrun\n', 'the first run and the chained one');
  const started = log.events.filter((e): e is Extract<RunnerEvent, { type: 'job.hook' }> => e.type === 'job.hook' && e.ok);
  assert.match(started[0]?.message ?? '', new RegExp(`${chained.replace(/[.]/g, '\\.')}`));
});
