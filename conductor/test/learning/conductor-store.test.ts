// The learning store under a real conductor: a kill -9 while outcomes are written loses at most the
// one in flight and leaves the store readable; nothing secret or raw reaches it; rate limits outlive
// a restart; quarantine from a client takes a pattern out of prompts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import type { JobRecord, JobState } from '../../../protocol/src/job-state.js';
import type { AttemptOutcome } from '../../src/learning/outcome.js';
import { LearningStore } from '../../src/learning/store.js';
import { JournalStore } from '../../src/state/journal-store.js';
import { EventLog, harness, scoreFile } from '../daemon/harness.js';

const h = harness({ MOZART_TEST_CLOCK_SCALE: '0.01' });
after(() => h.mozart('stop'));

/** Every outcome line in the store's log files, and how many lines did not parse. */
function outcomeLines(home: string): { outcomes: AttemptOutcome[]; unreadable: number } {
  const dir = join(home, 'learning', 'outcomes');
  const outcomes: AttemptOutcome[] = [];
  let unreadable = 0;
  for (const name of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        outcomes.push(JSON.parse(line) as AttemptOutcome);
      } catch {
        unreadable++;
      }
    }
  }
  return { outcomes, unreadable };
}

test('kill -9 of the conductor while outcomes are written loses at most the one in flight; the store reopens', async () => {
  assert.equal(h.mozart('start').code, 0);
  const SHEETS = 250;
  const file = scoreFile('busy', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', SHEETS);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'busy' });
  const { pid } = await client.request('daemon.status', {});
  const summary = await client.request('job.submit', { scoreFile: file });
  await log.waitFor((e) => e.type === 'sheet.completed' && e.sheet >= 40);
  const closed = new Promise<void>((resolve) => (client.onClose = resolve));
  process.kill(pid, 'SIGKILL');
  await closed;

  const checkpoint = JournalStore.read<JobState, JobRecord>(join(summary.workspace, '.mozart', 'state'), (s, r) => applyJobRecord(s, r));
  assert.ok(checkpoint);
  const completed = Object.entries(checkpoint.sheets).filter(([, s]) => s.status === 'completed').map(([k]) => Number(k));
  assert.ok(completed.length >= 40 && completed.length < SHEETS, `killed mid-job: ${completed.length} sheets done`);
  const { outcomes, unreadable } = outcomeLines(h.home);
  assert.ok(unreadable <= 1, `${unreadable} torn lines: at most the outcome in flight`);
  const recorded = new Set(outcomes.filter((o) => o.job === 'busy' && o.passed).map((o) => o.sheet));
  // An attempt's outcome is written before its sheet is checkpointed as completed.
  const lost = completed.filter((n) => !recorded.has(n));
  assert.deepEqual(lost, [], 'every sheet the checkpoint calls completed has its outcome');
  assert.ok(recorded.size <= completed.length + 1, 'beyond the checkpoint: at most the attempt in flight');

  const reopened = LearningStore.open({ dir: join(h.home, 'learning'), durable: false });
  assert.equal(reopened.info.outcomes, outcomes.length);
  reopened.close();

  // A new conductor takes the same store and the interrupted job up again.
  assert.equal(h.mozart('start').code, 0);
  assert.equal(h.mozart('status', 'busy', '--watch').code, 0);
  const stats = JSON.parse(h.mozart('learning-stats', '--json').out) as { executions: { total: number }; store: { damaged_lines: number } };
  assert.ok(stats.executions.total >= SHEETS, `${stats.executions.total} outcomes after the restart`);
});

test('no secret, prompt or agent output reaches the learning store', () => {
  const secret = 'sk-ant-test-SECRET-7f3a';
  const dir = mkdtempSync(join(tmpdir(), 'mozart-secret-'));
  const file = join(dir, 'score.yaml');
  const agent = `echo "my token is ${secret}"; echo "PROMPT-ECHO: $(cat "$MOZART_PROMPT_FILE")" >&2; echo ${secret} > "$MOZART_WORKSPACE/out"`;
  writeFileSync(
    file,
    `name: secretive
workspace: ./ws
backend: { type: command, command: ${JSON.stringify(agent)}, env: { API_KEY: ${secret} } }
sheet: { size: 1, total_items: 1 }
prompt: { template: "PROMPT-TEXT-unique-91 {{ sheet_num }}" }
retry: { max_retries: 1, base_delay_seconds: 0.1 }
validations:
  - { type: command_succeeds, command: "echo ${secret}-in-command-output; false", description: "a check that prints" }
`,
  );
  const r = h.mozart('run', file, '--watch');
  assert.equal(r.code, 1, r.out + r.err);
  const everything = readdirSync(join(h.home, 'learning'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
    .join('\n');
  assert.ok(everything.includes('a check that prints'), 'the rule description is kept');
  for (const forbidden of [secret, 'PROMPT-TEXT-unique-91', 'PROMPT-ECHO', 'my token is', dirname(file)]) assert.ok(!everything.includes(forbidden), `the store holds ${forbidden}`);
});

test('a backend’s rate limit outlives a conductor restart and holds the next job back', async () => {
  const marker = join(mkdtempSync(join(tmpdir(), 'mozart-limit-')), 'limited-once');
  const agent = `if [ ! -e ${JSON.stringify(marker)} ]; then touch ${JSON.stringify(marker)}; echo "Error: rate limit exceeded" >&2; exit 1; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`;
  // Time scale 1 for this one: the wait must still be running after the restart.
  h.mozart('stop');
  const slow = { ...h.env, MOZART_TEST_CLOCK_SCALE: '1' };
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(__dirname, '../../../dist/cli.js'), ...args], { env: slow, encoding: 'utf8' });
  assert.equal(cli('start').status, 0);
  let client = await h.connect();
  let log = new EventLog(client);
  await client.request('events.subscribe', {});
  await client.request('job.submit', { scoreFile: scoreFile('limited-first', agent, 1, 'rate_limit: { wait_minutes: 1 }\n') });
  const waiting = await log.waitFor((e) => e.type === 'sheet.waiting' && e.jobId === 'limited-first');
  client.close();
  assert.equal(cli('stop').status, 0);
  assert.equal(cli('start').status, 0);
  const stats = JSON.parse(cli('learning-stats', '--json').stdout) as { rate_limits: { active: { backend: string; until: string }[] } };
  assert.equal(stats.rate_limits.active.length, 1, JSON.stringify(stats.rate_limits));
  assert.ok(waiting.type === 'sheet.waiting');
  assert.equal(Date.parse(stats.rate_limits.active[0]?.until ?? ''), waiting.until);
  client = await h.connect();
  log = new EventLog(client);
  await client.request('events.subscribe', {});
  await client.request('job.submit', { scoreFile: scoreFile('limited-second', agent, 1) });
  const held = await log.waitFor((e) => e.type === 'sheet.waiting' && e.jobId === 'limited-second');
  assert.ok(held.type === 'sheet.waiting');
  assert.match(held.reason, /Another job on the same backend was rate limited/);
  await client.request('job.cancel', { jobId: 'limited-second' });
  client.close();
  assert.equal(cli('stop').status, 0);
});
