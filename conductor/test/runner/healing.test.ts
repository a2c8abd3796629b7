// Self-healing as a user meets it: whole jobs on the command backend with real files, where a sheet
// would fail for good and a known cause can (or cannot) be fixed.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { prepareJob, runScore, scoreDir } from '../support/job.js';

const score = (command: string, extra: string) => `name: healing
workspace: ./ws
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(command)}, timeout_seconds: 60 }
retry: { max_retries: 1, base_delay_seconds: 1 }
sheet: { size: 1, total_items: 1 }
prompt: { template: "write the report" }
${extra}`;

// The agent writes into a folder it does not create; it fails while the folder is missing.
const writesIntoReports = 'echo done > "$MOZART_WORKSPACE/reports/out.md"';
const reportRule = 'validations:\n  - { type: file_exists, path: "{workspace}/reports/out.md", retry_count: 0 }\n';

test('without --self-healing a missing output folder fails the sheet (E201) and nothing is created', async () => {
  const { state, workspace } = await runScore(score(writesIntoReports, reportRule));
  assert.equal(state.status, 'failed');
  assert.equal(state.sheets['1']!.lastError?.code, 'E201');
  assert.equal(existsSync(join(workspace, 'reports')), false);
});

test('--self-healing creates a missing output folder inside the workspace and retries with a fresh budget', async () => {
  const { state, events, workspace } = await runScore(score(writesIntoReports, reportRule), 0.001, { selfHealing: { autoConfirm: false } });
  assert.equal(state.status, 'completed');
  const sheet = state.sheets['1']!;
  assert.equal(sheet.healingAttempts, 1);
  assert.equal(sheet.attempts, 3, 'two attempts spent the budget, healing earned a third');
  const healing = events.find((e) => e.type === 'sheet.healing');
  assert.ok(healing && healing.type === 'sheet.healing');
  assert.deepEqual(healing.applied.map((a) => a.name), ['create-output-folder']);
  assert.match(healing.applied[0]!.message, new RegExp(`Created ${join(workspace, 'reports')}`));
});

test('a folder outside the workspace is only a suggestion without --yes, and is created with it', async () => {
  const outside = join(mkdtempSync(join(tmpdir(), 'mozart-outside-')), 'deep', 'reports');
  const command = `echo done > ${JSON.stringify(join(outside, 'out.md'))}`;
  const rule = `validations:\n  - { type: file_exists, path: ${JSON.stringify(join(outside, 'out.md'))}, retry_count: 0 }\n`;
  const asked = await runScore(score(command, rule), 0.001, { selfHealing: { autoConfirm: false } });
  assert.equal(asked.state.status, 'failed');
  assert.equal(existsSync(outside), false, 'nothing outside the workspace was created without --yes');
  assert.match(asked.state.sheets['1']!.lastError?.message ?? '', /Self-healing: Create .*deep\/reports.*only with --yes/);
  const allowed = await runScore(score(command, rule), 0.001, { selfHealing: { autoConfirm: true } });
  assert.equal(allowed.state.status, 'completed');
  assert.ok(existsSync(join(outside, 'out.md')));
});

test('a working directory removed after the job was accepted is a clear preflight error (E603); healing re-creates it', async () => {
  // The score check (V005) refuses a missing working directory up front, so remove it between
  // acceptance and the run, as a cleanup script might.
  const text = score('pwd > "$MOZART_WORKSPACE/out.md"', 'validations:\n  - { type: file_exists, path: "{workspace}/out.md", retry_count: 0 }\n').replace('timeout_seconds: 60 }', 'timeout_seconds: 60, working_directory: ./agent-home }');
  const run = async (selfHealing?: { autoConfirm: boolean }) => {
    const { dir, scoreFile } = scoreDir(text);
    mkdirSync(join(dir, 'agent-home'));
    const job = prepareJob(scoreFile, dir, 0.001, undefined, selfHealing ? { selfHealing } : {});
    rmdirSync(join(dir, 'agent-home'));
    const state = await job.runner.run();
    job.store.close();
    return { state, dir };
  };
  const plain = await run();
  assert.equal(plain.state.status, 'failed');
  assert.equal(plain.state.sheets['1']!.lastError?.code, 'E603');
  assert.equal(plain.state.sheets['1']!.attempts, 0, 'no agent ran');
  assert.match(plain.state.sheets['1']!.lastError?.message ?? '', /working directory .*agent-home does not exist/);
  const healed = await run({ autoConfirm: false });
  assert.equal(healed.state.status, 'completed');
  assert.ok(existsSync(join(healed.dir, 'agent-home')));
});

test('what healing cannot fix it explains: a missing agent program', async () => {
  const text = `name: healing
workspace: ./ws
backend: { type: claude_cli, cli_path: ./no-such-claude, timeout_seconds: 60 }
sheet: { size: 1, total_items: 1 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/x" }
`;
  const { state, events } = await runScore(text, 0.001, { selfHealing: { autoConfirm: true } });
  assert.equal(state.status, 'failed');
  assert.equal(state.sheets['1']!.lastError?.code, 'E505');
  assert.match(state.sheets['1']!.lastError?.message ?? '', /Self-healing: backend.cli_path .* points at .*no-such-claude, which does not exist/);
  const healing = events.filter((e) => e.type === 'sheet.healing');
  assert.equal(healing.length, 1);
});

test("a template broken after acceptance (E304) is explained from the conductor's own check of the score, not one made in place", async () => {
  const text = score('true', 'validations:\n  - { type: file_exists, path: "{workspace}/x" }\n').replace('prompt: { template: "write the report" }', 'prompt: { template_file: prompt.j2 }');
  const { dir, scoreFile } = scoreDir(text);
  writeFileSync(join(dir, 'prompt.j2'), 'write the report\n');
  const asked: string[] = [];
  // The conductor hands the runner its worker-backed check; a finding only it gives shows it was used.
  const checkScore = async (file: string) => {
    asked.push(file);
    return { result: { findings: [{ id: 'V001', severity: 'error' as const, message: 'from the conductor check', file: join(dir, 'prompt.j2'), range: { start: { line: 0, character: 3 }, end: { line: 0, character: 4 } } }] } };
  };
  const job = prepareJob(scoreFile, dir, 0.001, undefined, { selfHealing: { autoConfirm: false }, checkScore });
  writeFileSync(join(dir, 'prompt.j2'), 'write {% if %} the report\n');
  const state = await job.runner.run();
  job.store.close();
  assert.equal(state.sheets['1']!.lastError?.code, 'E304');
  assert.deepEqual(asked, [scoreFile]);
  assert.match(state.sheets['1']!.lastError?.message ?? '', /Self-healing: .*prompt\.j2:1:4: V001 from the conductor check/);
});
