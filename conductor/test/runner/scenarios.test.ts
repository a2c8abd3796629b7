// The runtime spec's scenarios, run as whole jobs with real processes on the command backend.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAlive, prepareJob, runScore, scoreDir } from '../support/job.js';


const header = (command: string, extra = '') => `name: scenario
workspace: ./ws
pause_between_sheets_seconds: 0
backend:
  type: command
  command: ${JSON.stringify(command)}
  timeout_seconds: 60
${extra.includes('retry:') ? '' : 'retry: { max_retries: 2, base_delay_seconds: 1 }'}
${extra}`;

test('a three-sheet job completes when every sheet writes what its validations want', async () => {
  const { state, events, workspace } = await runScore(`${header('cat > "$MOZART_WORKSPACE/out-$MOZART_SHEET_NUM.md"')}
sheet: { size: 1, total_items: 3 }
prompt:
  template: "Write sheet {{ sheet_num }} of {{ total_sheets }}"
validations:
  - type: content_contains
    path: "{workspace}/out-{sheet_num}.md"
    pattern: "Write sheet {sheet_num} of 3"
`);
  assert.equal(state.status, 'completed');
  assert.deepEqual(Object.values(state.sheets).map((s) => [s.status, s.attempts]), [['completed', 1], ['completed', 1], ['completed', 1]]);
  assert.match(readFileSync(join(workspace, 'out-2.md'), 'utf8'), /<mozart-preamble>[\s\S]*Write sheet 2 of 3[\s\S]*Success requirements/);
  assert.deepEqual(events.filter((e) => e.type === 'sheet.completed').map((e) => 'sheet' in e && e.sheet), [1, 2, 3]);
});

test('exit 0 without the expected file is retried, then fails with E201', async () => {
  const { state, events } = await runScore(`${header('true')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "make the file" }
validations:
  - { type: file_exists, path: "{workspace}/never.md", retry_count: 0 }
`);
  assert.equal(state.status, 'failed');
  const sheet = state.sheets['1']!;
  assert.equal(sheet.status, 'failed');
  assert.equal(sheet.attempts, 3); // first run + max_retries 2
  assert.equal(sheet.lastError?.code, 'E201');
  assert.equal(state.error?.code, 'E201');
  assert.equal(events.filter((e) => e.type === 'sheet.retrying').length, 2);
  assert.deepEqual(sheet.spans?.map((s) => (s.kind === 'attempt' ? `${s.attempt} ${s.outcome}` : s.wait)), ['1 retry', 'retry', '2 retry', 'retry', '3 failed']);
});

test('a sheet no validation applies to is done only when the agent succeeded', async () => {
  // Sheet 1 has no applicable rule and its agent fails: retried, then failed (never "done").
  // Sheet 2 (run separately) has none either and its agent succeeds: completed.
  const failing = await runScore(`${header('echo boom >&2; exit 4', 'retry: { max_retries: 1, base_delay_seconds: 1 }')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/late", condition: "sheet_num >= 2" }
`);
  assert.equal(failing.state.status, 'failed');
  assert.deepEqual([failing.state.sheets['1']!.attempts, failing.state.sheets['1']!.lastError?.code], [2, 'E009']);
  assert.match(failing.state.sheets['1']!.lastError?.message ?? '', /exited with code 4: boom/);
  const passing = await runScore(`${header('true')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
`);
  assert.equal(passing.state.status, 'completed');
});

test('a non-zero exit whose validations all pass is completed', async () => {
  const { state } = await runScore(`${header('touch "$MOZART_WORKSPACE/done"; exit 3')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/done" }
`);
  assert.equal(state.status, 'completed');
  assert.equal(state.sheets['1']!.exitCode, 3);
});

test('a rate limit waits without spending a retry, then completes', async () => {
  // First attempt: report a rate limit and fail; second attempt: do the work.
  const agent = 'if [ -e "$MOZART_WORKSPACE/seen" ]; then touch "$MOZART_WORKSPACE/done"; else touch "$MOZART_WORKSPACE/seen"; echo "Error: rate limit exceeded, try again later" >&2; exit 1; fi';
  const { state, events } = await runScore(`${header(agent, 'rate_limit: { wait_minutes: 1 }')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/done", retry_count: 0 }
`);
  assert.equal(state.status, 'completed');
  const sheet = state.sheets['1']!;
  assert.equal(sheet.retries, 0);
  assert.equal(sheet.rateLimitWaits, 1);
  assert.equal(sheet.errors[0]?.code, 'E102');
  const waiting = events.find((e) => e.type === 'sheet.waiting');
  assert.ok(waiting && waiting.type === 'sheet.waiting' && waiting.wait === 'rate_limit');
  // The timeline's spans: the rate-limited attempt, its wait, the attempt that did the work, in order.
  const spans = sheet.spans ?? [];
  assert.deepEqual(spans.map((s) => (s.kind === 'attempt' ? `${s.mode} ${s.outcome}` : `wait ${s.wait}`)), ['first rate_limit', 'wait rate_limit', 'retry completed']);
  for (const [i, span] of spans.entries()) {
    assert.ok(span.start <= span.end);
    if (i > 0) assert.ok(span.start >= spans[i - 1]!.end, 'spans do not overlap');
    if (span.kind === 'attempt') assert.ok(span.agentMs + span.validationMs <= span.end - span.start + 1, 'agent and validation time fit in the attempt');
  }
});

test('a partial pass sends a completion prompt instead of a full retry', async () => {
  const agent = 'if grep -q "Still missing" ; then touch "$MOZART_WORKSPACE/b"; else touch "$MOZART_WORKSPACE/a"; fi';
  const { state, events, workspace } = await runScore(`${header(agent)}
sheet: { size: 1, total_items: 1 }
prompt: { template: "make a and b" }
validations:
  - { type: file_exists, path: "{workspace}/a", retry_count: 0 }
  - { type: file_exists, path: "{workspace}/b", retry_count: 0 }
`);
  assert.equal(state.status, 'completed');
  assert.equal(state.sheets['1']!.completionAttempts, 1);
  assert.equal(state.sheets['1']!.retries, 0);
  assert.ok(events.some((e) => e.type === 'sheet.completion'));
  assert.ok(existsSync(join(workspace, 'a')) && existsSync(join(workspace, 'b')));
});

test('a failing stage 1 rule keeps stage 2 rules from running', async () => {
  const { state } = await runScore(`${header('true', 'retry: { max_retries: 0, max_completion_attempts: 0 }')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/missing", stage: 1, retry_count: 0 }
  - { type: command_succeeds, command: "touch {workspace}/stage2-ran", stage: 2 }
`);
  const rules = state.sheets['1']!.validations!;
  assert.deepEqual(rules.map((r) => r.status), ['failed', 'not_run']);
  assert.equal(existsSync(join(state.workspace, 'stage2-ran')), false);
});

test('a condition skips a rule on the sheets it does not cover', async () => {
  const { state } = await runScore(`${header('touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"')}
sheet: { size: 1, total_items: 3 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}" }
  - { type: file_exists, path: "{workspace}/only-late", condition: "sheet_num >= 3", retry_count: 0 }
`);
  assert.deepEqual(state.sheets['1']!.validations!.map((r) => r.status), ['passed', 'skipped']);
  assert.deepEqual(state.sheets['3']!.validations!.map((r) => r.status), ['passed', 'failed']);
});

test('a timeout kills the agent and everything it started, records E001 and retries', async () => {
  const agent = 'sleep 300 & echo $! > "$MOZART_WORKSPACE/child.pid"; sleep 300';
  const { state, workspace } = await runScore(`${header(agent, 'retry: { max_retries: 1, base_delay_seconds: 1 }')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/never", retry_count: 0 }
`.replace('timeout_seconds: 60', 'timeout_seconds: 1'));
  const sheet = state.sheets['1']!;
  assert.equal(sheet.status, 'failed');
  assert.deepEqual(sheet.errors.map((e) => e.code), ['E001', 'E001']);
  const childPid = Number(readFileSync(join(workspace, 'child.pid'), 'utf8'));
  assert.ok(!isAlive(childPid), 'the background child of the agent must be gone');
});

test('skip_when_command exit 0 skips the sheet; a command that times out lets it run', async () => {
  const { state } = await runScore(`${header('touch "$MOZART_WORKSPACE/ran-$MOZART_SHEET_NUM"')}
sheet:
  size: 1
  total_items: 2
  skip_when_command:
    1: { command: "true", description: "nothing to do" }
    2: { command: "sleep 30", timeout_seconds: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/ran-{sheet_num}" }
`);
  assert.equal(state.sheets['1']!.status, 'skipped');
  assert.equal(state.sheets['1']!.skipReason, 'nothing to do');
  assert.equal(state.sheets['2']!.status, 'completed');
  assert.equal(state.status, 'completed');
});

test('fan_out {2: 3} runs five sheets; each instance sees its instance and fan_count; stage 3 waits for all', async () => {
  const agent = 'cat > "$MOZART_WORKSPACE/p-$MOZART_SHEET_NUM"; ls "$MOZART_WORKSPACE" > "$MOZART_WORKSPACE/seen-$MOZART_SHEET_NUM"';
  const { state, workspace } = await runScore(`${header(agent, 'parallel: { enabled: true, max_concurrent: 3 }')}
sheet:
  size: 1
  total_items: 3
  fan_out: { 2: 3 }
  dependencies: { 2: [1], 3: [2] }
prompt:
  template: "stage {{ stage }} instance {{ instance }} of {{ fan_count }}"
validations:
  - { type: file_exists, path: "{workspace}/p-{sheet_num}" }
`);
  assert.equal(state.status, 'completed');
  assert.equal(state.totalSheets, 5);
  assert.deepEqual(state.fanOutStages, [{ stage: 2, from: 2, to: 4 }], 'the checkpoint says which sheets are one stage, for views');
  assert.match(readFileSync(join(workspace, 'p-3'), 'utf8'), /stage 2 instance 2 of 3/);
  const seenByLast = readFileSync(join(workspace, 'seen-5'), 'utf8');
  for (const n of [2, 3, 4]) assert.match(seenByLast, new RegExp(`p-${n}`));
});

test('parallel max_concurrent 2 never runs more than two agents at once', async () => {
  // Each agent takes a slot directory atomically; more than two at once would need a third slot.
  const agent = 'for s in 1 2 3; do if mkdir "$MOZART_WORKSPACE/slot-$s" 2>/dev/null; then echo $s > "$MOZART_WORKSPACE/used-$MOZART_SHEET_NUM"; sleep 0.2; rmdir "$MOZART_WORKSPACE/slot-$s"; break; fi; done';
  const { state, workspace } = await runScore(`${header(agent, 'parallel: { enabled: true, max_concurrent: 2 }')}
sheet: { size: 1, total_items: 6 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/used-{sheet_num}" }
`);
  assert.equal(state.status, 'completed');
  const slots = [1, 2, 3, 4, 5, 6].map((n) => readFileSync(join(workspace, `used-${n}`), 'utf8').trim());
  assert.ok(!slots.includes('3'), `a third concurrent slot was used: ${slots}`);
  assert.ok(slots.includes('2'), 'two agents should have overlapped at least once');
});

test('stale detection stops an agent that goes silent, as E001, and retries it', async () => {
  const agent = 'echo working; sleep 300';
  const { state } = await runScore(`${header(agent, 'retry: { max_retries: 1, base_delay_seconds: 1 }\nstale_detection: { enabled: true, idle_timeout_seconds: 1, check_interval_seconds: 0.5 }')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/never", retry_count: 0 }
`);
  const sheet = state.sheets['1']!;
  assert.deepEqual(sheet.errors.map((e) => e.code), ['E001', 'E001']);
  assert.match(sheet.errors[0]!.message, /no output for too long/);
});

test('the circuit breaker opens after consecutive failures and pauses before the next attempt', async () => {
  const { events, state } = await runScore(`${header('exit 1', 'retry: { max_retries: 3, base_delay_seconds: 1 }\ncircuit_breaker: { failure_threshold: 2, recovery_timeout_seconds: 5 }')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/never", retry_count: 0 }
`);
  assert.equal(state.sheets['1']!.attempts, 4);
  const opened = events.filter((e) => e.type === 'job.circuit_open');
  assert.equal(opened.length, 2, 'opens after failures 2 and (half-open) 3');
});

test('on_success hooks run after the job completes, with placeholders filled in', async () => {
  const { state, workspace, events } = await runScore(`${header('touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"')}
sheet: { size: 1, total_items: 2 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}" }
on_success:
  - { type: run_command, command: "echo {job_id} {sheet_count} > {workspace}/hook.txt", description: "record" }
`);
  assert.equal(state.status, 'completed');
  assert.equal(readFileSync(join(workspace, 'hook.txt'), 'utf8').trim(), 'test-job 2');
  assert.ok(events.some((e) => e.type === 'job.hook' && e.ok));
});

test('cancel kills the running agent group and leaves the sheet to run again', async () => {
  const { dir, scoreFile } = scoreDir(`${header('echo $$ > "$MOZART_WORKSPACE/agent.pid"; echo started; sleep 300')}
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
`);
  let started: () => void = () => undefined;
  const agentRunning = new Promise<void>((r) => (started = r));
  const job = prepareJob(scoreFile, dir, 0.001, (e) => e.type === 'sheet.output' && started());
  const running = job.runner.run();
  await agentRunning;
  job.runner.cancel();
  const state = await running;
  job.store.close();
  assert.equal(state.status, 'cancelled');
  assert.equal(state.sheets['1']!.status, 'pending');
  assert.ok(!isAlive(Number(readFileSync(join(job.workspace, 'agent.pid'), 'utf8'))));
});

test("render_variables fills a variable's own {{ workspace }} before the agent sees the prompt", async () => {
  const { state, workspace } = await runScore(`${header('cat > "$MOZART_WORKSPACE/prompt.txt"; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"')}
sheet: { size: 1, total_items: 1 }
prompt:
  template: "{{ preamble }}"
  render_variables: true
  variables:
    preamble: "Write under {{ workspace }}, sheet {{ sheet_num }}."
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}" }
`);
  assert.equal(state.status, 'completed');
  assert.match(readFileSync(join(workspace, 'prompt.txt'), 'utf8'), new RegExp(`^Write under ${workspace}, sheet 1\\.$`, 'm'));
});
