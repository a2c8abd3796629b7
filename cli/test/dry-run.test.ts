// `mozart run --dry-run`: the plan of fan-out and dependency scores, the plan despite errors, and
// `--prompt N` byte for byte what the agent of sheet N receives from a real conductor.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { EventLog, harness } from '../../conductor/test/daemon/harness.js';

const CLI = resolve(__dirname, '../../dist/cli.js');
const EXAMPLES = resolve(__dirname, '../../examples');
const dir = mkdtempSync(join(tmpdir(), 'mozart-dry-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Plan {
  totalSheets: number;
  order: string;
  maxConcurrent: number;
  sheets: { num: number; stage: number; instance: number; fanCount: number; startItem: number; endItem: number; dependsOn: number[]; validations: { type: string; target: string }[] }[];
}

test('a fan-out score: every sheet with its stage, instance, dependencies and the validations that apply', () => {
  const r = run('run', join(EXAMPLES, 'parallel-research-fanout.yaml'), '--dry-run', '--json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { valid: boolean; plan: Plan };
  assert.equal(report.valid, true);
  const { plan } = report;
  assert.equal(plan.order, 'dependencies');
  assert.equal(plan.maxConcurrent, 3);
  assert.deepEqual(plan.sheets.map((s) => [s.num, s.stage, s.instance, s.fanCount, s.dependsOn]), [
    [1, 1, 1, 1, []],
    [2, 2, 1, 3, [1]],
    [3, 2, 2, 3, [1]],
    [4, 2, 3, 3, [1]],
    [5, 3, 1, 1, [2, 3, 4]],
  ]);
  // Conditional rules: each stage has its own, with {instance} filled in.
  assert.deepEqual(plan.sheets.map((s) => s.validations.map((v) => v.type)), [['file_exists'], ['content_regex'], ['content_regex'], ['content_regex'], ['command_succeeds']]);
  assert.match(plan.sheets[2]?.validations[0]?.target ?? '', /research-2\.md ~ ANGLE/);

  const text = run('run', join(EXAMPLES, 'parallel-research-fanout.yaml'), '-n');
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^sheet 3 {2}stage 2, instance 2 of 3 {2}item 3 {2}after 1$/m);
  assert.match(text.stdout, /^sheet 5 {2}stage 3 {2}item 5 {2}after 2, 3, 4$/m);
  assert.match(text.stdout, /is valid/);
});

test('a batched score without dependencies runs in order: items per sheet, each after the one before', () => {
  const r = run('run', join(EXAMPLES, 'sheet-review.yaml'), '--dry-run', '--json');
  const { plan } = JSON.parse(r.stdout) as { plan: Plan };
  assert.equal(plan.order, 'sequential');
  assert.deepEqual(plan.sheets.map((s) => [s.startItem, s.endItem, s.dependsOn]), [[1, 4, []], [5, 8, [1]], [9, 10, [2]]]);
  assert.match(plan.sheets[1]?.validations[1]?.target ?? '', /seq 5 8/);
});

test('the plan is shown when the score has errors but can be planned, with the findings, and exits 1', () => {
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, `name: broken
workspace: ./ws
backend: { type: command, command: "true", working_directory: ./no-such-folder }
sheet: { size: 1, total_items: 2, dependencies: { 2: [1] } }
prompt: { template: "sheet {{ sheet_num }}" }
retyr: { max_retries: 1 }
`);
  const r = run('run', file, '--dry-run');
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /^sheet 2 {2}stage 2 {2}item 2 {2}after 1$/m);
  assert.match(r.stdout, /error V005 Working directory does not exist/);
  assert.match(r.stdout, /warning S001 Unknown key 'retyr' at the top level\. Did you mean 'retry'\?/);
  assert.match(r.stdout, /not valid: 1 error, 1 warning/);
  // A score whose schema is broken cannot be planned: no plan, the findings, exit 1.
  writeFileSync(file, 'name: broken\nsheet: { size: two, total_items: 2 }\nprompt: { template: x }\n');
  const unplanned = run('run', file, '--dry-run');
  assert.equal(unplanned.code, 1);
  assert.match(unplanned.stdout, /^No plan: /m);
  assert.equal(run('run', file, '--prompt', '1').code, 2, '--prompt without --dry-run is a usage error');
  assert.equal(run('run', join(EXAMPLES, 'sheet-review.yaml'), '-n', '--prompt', '4').code, 1, 'there is no sheet 4');
});

const h = harness();
before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

test('--prompt N prints exactly the prompt the agent of sheet N receives', async () => {
  const file = join(dir, 'prompt.yaml');
  writeFileSync(file, `name: prompt-exact
workspace: ./ws-prompt
pause_between_sheets_seconds: 0
backend: { type: command, command: 'cat > "$MOZART_WORKSPACE/p$MOZART_SHEET_NUM.txt"', timeout_seconds: 30 }
sheet: { size: 2, total_items: 5, fan_out: {} }
learning: { enabled: false }
prompt:
  variables: { who: [ann, bob, cy, dee, eve] }
  template: |
    Sheet {{ sheet_num }}/{{ total_sheets }} covers {% for i in range(start_item, end_item + 1) %}{{ who[i - 1] }} {% endfor %}
  prompt_extensions: ["Be brief."]
validations:
  - { type: file_exists, path: "{workspace}/p{sheet_num}.txt", description: prompt saved }
  - { type: content_contains, path: "{workspace}/p{sheet_num}.txt", pattern: "covers", condition: "sheet_num >= 2" }
`);
  const client = await h.connect();
  const log = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'prompt-exact' });
  assert.equal(h.mozart('run', file).code, 0);
  const end = await log.waitFor((e) => e.type === 'job.completed' || e.type === 'job.failed');
  client.close();
  assert.equal(end.type, 'job.completed');
  for (const n of [1, 2, 3]) {
    const dry = run('run', file, '--dry-run', '--prompt', String(n));
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, readFileSync(join(dir, 'ws-prompt', `p${n}.txt`), 'utf8'), `sheet ${n}`);
  }
  assert.match(run('run', file, '--dry-run', '--prompt', '3').stdout, /covers eve [\s\S]*Be brief\./);
});
