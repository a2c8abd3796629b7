// Command lines as the original's README and CLAUDE.md write them, against a real conductor: first a
// job another conductor ran is found by id in its workspace (-w), adopted from its checkpoint; then
// every command line of those docs is run as written.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

// ---------------------------------------------------------------------------------------------
// Every command line of the original's README and CLAUDE.md (fixtures/original-command-lines.txt,
// as written there), run through /bin/sh with `mozart` on PATH and HOME pointing at a fresh home,
// so `~/.mozart/mozart.log` and the default socket are what the docs mean. `<job-id>` and `<dir>`
// stand for my-job and ./workspace; every other line runs exactly as written.

const FIXTURE = readFileSync(join(__dirname, 'fixtures', 'original-command-lines.txt'), 'utf8');
const ENTRIES = ((): string[] => {
  const out: string[] = [];
  let block: string[] | undefined;
  for (const line of FIXTURE.split('\n')) {
    if (line === '<<<') block = [];
    else if (line === '>>>') {
      out.push((block as string[]).join('\n'));
      block = undefined;
    } else if (block) block.push(line);
    else if (line.trim() && !line.startsWith('#')) out.push(line);
  }
  return out;
})();
const ran = new Set<string>();

const root = mkdtempSync(join(tmpdir(), 'mozart-docs-'));
const home = join(root, 'home');
const bin = join(root, 'bin');
mkdirSync(home);
mkdirSync(bin);
writeFileSync(join(bin, 'mozart'), `#!/bin/sh\nexec "${process.execPath}" "${resolve(__dirname, '../../dist/cli.js')}" "$@"\n`, { mode: 0o755 });
const shEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}`, NO_COLOR: '1' };
delete shEnv.MOZART_HOME;
delete shEnv.MOZART_SOCKET;

const dirOf = (name: string): string => {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};
const A = dirOf('project');
// The conductor the docs' lines start (in HOME's ~/.mozart), should a test stop before its own stop.
after(() => spawnSync(join(bin, 'mozart'), ['stop'], { env: shEnv }));

/** A line with its placeholders filled: `<job-id>` my-job and `<dir>` ./workspace unless `vars` say otherwise. */
const fill = (line: string, vars: Record<string, string> = {}): string =>
  Object.entries({ '<job-id>': 'my-job', '<dir>': './workspace', ...vars }).reduce((text, [name, value]) => text.replaceAll(name, value), line);

/** Runs one line of the fixture (checked to be one) in `cwd`. */
function sh(line: string, cwd = A, vars: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  assert.ok(ENTRIES.includes(line), `not a line of the original's docs: ${line}`);
  ran.add(line);
  const r = spawnSync('/bin/sh', ['-c', fill(line, vars)], { cwd, env: shEnv, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts a line that runs until stopped; resolves `seen` once its output matches. */
function shLive(line: string, until: RegExp, cwd = A): { seen: Promise<string>; exited: Promise<{ code: number | null; out: string }>; kill(): void } {
  assert.ok(ENTRIES.includes(line), `not a line of the original's docs: ${line}`);
  ran.add(line);
  const child = spawn('/bin/sh', ['-c', `exec ${fill(line)}`], { cwd, env: shEnv });
  let out = '';
  let matched: ((text: string) => void) | undefined;
  const seen = new Promise<string>((r) => (matched = r));
  const onData = (d: Buffer) => {
    out += d.toString();
    if (until.test(out)) matched?.(out);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; out: string }>((r) => child.on('close', (code) => r({ code, out })));
  return { seen, exited, kill: () => child.kill() };
}

/** A mozart command that is not a line of the docs (waiting for a job to stop, say). */
const mz = (cwd: string, ...args: string[]) => {
  const r = spawnSync(join(bin, 'mozart'), args, { cwd, env: shEnv, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** A score on the command backend: sheet N passes when {workspace}/sN exists; each run is logged. */
function writeScore(dir: string, file: string, name: string, workspace: string, sheets: number, command: string, extra = ''): void {
  writeFileSync(
    join(dir, file),
    `name: ${name}
workspace: ${workspace}
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(`echo run-$MOZART_SHEET_NUM >> "${dir}/runs"; ${command}`)}, timeout_seconds: 120 }
retry: { max_retries: 0 }
sheet: { size: 1, total_items: ${sheets} }
prompt: { template: "sheet {{ sheet_num }}" }
${extra || 'validations:\n  - { type: file_exists, path: "{workspace}/s{sheet_num}", description: "sheet output" }\n'}`,
  );
}
const runs = (dir: string): string[] => readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n');
/** A workspace's checkpoint (snapshot and journal) and its original-format view, file by file. */
const checkpointFiles = (workspace: string): Record<string, string> => {
  const state = join(workspace, '.mozart', 'state');
  const files = Object.fromEntries(readdirSync(state).map((f) => [f, readFileSync(join(state, f), 'utf8')]));
  for (const f of readdirSync(workspace).filter((n) => n.endsWith('.json'))) files[f] = readFileSync(join(workspace, f), 'utf8');
  return files;
};
const waitFor = (file: string) => `while [ ! -e "${file}" ]; do sleep 0.05; done`;

// hello-world: sheet 2 waits for a go file, so it is running when the conductor is stopped.
writeScore(A, 'hello-world.yaml', 'hello-world', './workspace/hello-world', 2, `if [ "$MOZART_SHEET_NUM" = 2 ]; then ${waitFor(join(A, 'go-hello'))}; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`);
// my-job: sheets 2 and 3 wait for go files; updated.yaml adds sheets 4-6, and 6 fails until `fix` exists.
const myJob = `n=$MOZART_SHEET_NUM; if [ $n = 2 ]; then ${waitFor(join(A, 'go2'))}; fi; if [ $n = 3 ]; then ${waitFor(join(A, 'go3'))}; fi; if [ $n = 6 ] && [ ! -e "${join(A, 'fix')}" ]; then echo "Error: no fix yet"; exit 1; fi; touch "$MOZART_WORKSPACE/s$n"`;
writeScore(A, 'my-job.yaml', 'my-job', './workspace', 3, myJob);
writeScore(A, 'updated.yaml', 'my-job', './workspace', 6, myJob);
// V002, as in the original: a workspace's parent folder must exist (./workspace for hello-world's).
mkdirSync(join(A, 'workspace'));

test("the original's quick start: start, validate, run, status, a stop that interrupts, setsid start, resume", () => {
  const version = sh('mozart --version');
  assert.equal(version.code, 0);
  assert.match(version.out, /^(\d+\.\d+\.\d+|dev)\n$/);
  assert.equal(sh('mozart start').code, 0);
  assert.match(sh('mozart conductor-status').out, /pid/i);
  assert.equal(sh('mozart validate hello-world.yaml').code, 0);
  const run = sh('mozart run hello-world.yaml');
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /Job 'hello-world' started: 2 sheets/);
  const status = sh('mozart status hello-world --workspace ./workspace/hello-world');
  assert.equal(status.code, 0, status.err);
  assert.match(status.out, /hello-world: running/);
  assert.equal(sh('mozart stop').code, 0, 'stop pauses the running job at a safe point');
  // The shell's `&` job is `mozart start`, which returns once the conductor listens: wait for it.
  assert.ok(ENTRIES.includes('setsid mozart start &'));
  ran.add('setsid mozart start &');
  assert.equal(spawnSync('/bin/sh', ['-c', 'setsid mozart start & wait $!'], { cwd: A, env: shEnv }).status, 0);
  assert.equal(sh('mozart conductor-status').code, 0);
  const resumed = sh('mozart resume hello-world --workspace ./workspace/hello-world');
  assert.equal(resumed.code, 0, resumed.err);
  writeFileSync(join(A, 'go-hello'), '');
  assert.equal(mz(A, 'status', 'hello-world', '--watch').code, 0, 'the job completes');
  assert.deepEqual(runs(A), ['run-1', 'run-2', 'run-2'], 'sheet 1 did not run again; sheet 2, interrupted, ran again');

  const dashboard = sh('mozart dashboard --port 8000');
  assert.equal(dashboard.code, 2);
  assert.match(dashboard.err, /VS Code extension's Mozart view/);
});

test("CLAUDE.md's pause, modify and two-step workflows, monitoring, and the debugging protocol", async () => {
  rmSync(join(A, 'runs'), { force: true });
  assert.equal(sh('mozart validate my-job.yaml').code, 0);
  assert.equal((JSON.parse(sh('mozart validate my-job.yaml --json').out) as { valid: boolean }).valid, true);
  assert.equal(sh('mozart run my-job.yaml').code, 0);

  // Watching while the job is paused gracefully: the watch ends when it has paused.
  const watch = shLive('mozart status my-job -w ./workspace --watch', /my-job/);
  await watch.seen;
  const pause = sh('mozart pause my-job --workspace ./workspace');
  assert.equal(pause.code, 0, pause.err);
  writeFileSync(join(A, 'go2'), '');
  const watched = await watch.exited;
  assert.equal(watched.code, 1, 'a paused job is not a completed one');
  assert.match(watched.out, /paused/);
  const tail = shLive('tail -f workspace/mozart.log', /paus/);
  assert.match(await tail.seen, /sheet 2/);
  tail.kill();
  await tail.exited;

  const modify = sh('mozart modify my-job --config updated.yaml --workspace ./workspace --resume');
  assert.equal(modify.code, 0, modify.err);
  assert.equal(sh('mozart pause my-job -w ./workspace').code, 0);
  writeFileSync(join(A, 'go3'), '');
  assert.match(sh('mozart status my-job -w ./workspace --watch').out, /paused/);
  const twoStep = sh('mozart resume my-job --reload-config -c updated.yaml -w ./workspace');
  assert.equal(twoStep.code, 0, twoStep.err);
  assert.equal(mz(A, 'status', 'my-job', '--watch').code, 1, 'sheet 6 fails until the fix');
  assert.match(sh('mozart list').out, /my-job +failed/);

  const status = sh('mozart status <job-id> --workspace <dir>');
  assert.equal(status.code, 1);
  assert.match(status.out, /my-job: failed/);
  const diagnose = sh('mozart diagnose <job-id> --workspace <dir>');
  assert.equal(diagnose.code, 1);
  assert.match(diagnose.out, /Sheet 6/);
  const errors = sh('mozart errors <job-id> --verbose');
  assert.equal(errors.code, 0, errors.err);
  assert.match(errors.out, /sheet +6 +attempt +1 +E\d{3}[\s\S]*category: [\s\S]*Sheet 6 agent output[^\n]*\n[\s\S]*Error: no fix yet/);
  const [validations, outputs] = ENTRIES.filter((e) => e.startsWith('cat workspace/my-job.json'));
  assert.match(sh(validations as string).out, /^✗ sheet output$/m, "sheet 6's failed rule, by its description");
  assert.match(sh(outputs as string).out, /=== Sheet 6 ===\n[\s\S]*Error: no fix yet/);

  writeFileSync(join(A, 'fix'), '');
  assert.equal(sh('mozart resume <job-id> --workspace <dir>').code, 0);
  assert.equal(mz(A, 'status', 'my-job', '--watch').code, 0);
  assert.deepEqual(runs(A).sort(), ['run-1', 'run-2', 'run-3', 'run-4', 'run-5', 'run-6', 'run-6'], 'only the failed sheet ran twice');
  const final = sh('mozart status <job-id>');
  assert.equal(final.code, 0);
  assert.match(final.out, /my-job: completed/);
});

test("an external timeout around 'mozart run' cannot corrupt a job: run returns once the job is submitted", () => {
  const dir = dirOf('timed');
  writeScore(dir, 'my-job.yaml', 'timed', './workspace', 2, 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"');
  const r = sh('timeout 600 mozart run my-job.yaml', dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(mz(dir, 'status', 'timed', '--watch').code, 0);
});

test("run -w DIR (the original's --workspace override) runs the job in DIR, not in the score's workspace", () => {
  const dir = dirOf('elsewhere');
  writeScore(dir, 'score.yaml', 'moved', './workspace', 1, 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"');
  const r = mz(dir, 'run', 'score.yaml', '-w', './other', '--watch');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, new RegExp(`workspace ${join(dir, 'other')}`));
  assert.ok(existsSync(join(dir, 'other', 's1')), 'the sheet ran in DIR');
  assert.ok(!existsSync(join(dir, 'workspace')), "the score's workspace was not used");
  assert.equal((JSON.parse(mz(dir, 'status', 'moved', '--json').out) as JobState).status, 'completed');
});

test("recovery and self-healing as CLAUDE.md writes them: recover --dry-run, resume, resume --self-healing, run --self-healing [--yes]", () => {
  // job-id writes into a folder nobody creates: it fails until self-healing creates it.
  const dir = dirOf('recovery');
  const intoReports = 'echo done > "$MOZART_WORKSPACE/reports/s$MOZART_SHEET_NUM"';
  const reports = 'validations:\n  - { type: file_exists, path: "{workspace}/reports/s{sheet_num}", description: "report" }\n';
  writeScore(dir, 'job.yaml', 'job-id', './dir', 1, intoReports, reports);
  assert.equal(mz(dir, 'run', 'job.yaml', '--watch').code, 1);
  const before = { checkpoint: checkpointFiles(join(dir, 'dir')), runs: runs(dir) };
  const recover = sh('mozart recover job-id --workspace ./dir --dry-run', dir);
  assert.equal(recover.code, 1, 'the sheet still fails');
  assert.match(recover.out, /Still failing: sheet 1\./);
  assert.deepEqual({ checkpoint: checkpointFiles(join(dir, 'dir')), runs: runs(dir) }, before, 'a dry run changes no checkpoint file and runs no agent');
  assert.equal(sh('mozart resume job-id --workspace ./dir', dir).code, 0);
  assert.equal(mz(dir, 'status', 'job-id', '--watch').code, 1, 'resuming alone cannot fix a missing folder');
  assert.equal(sh('mozart resume job-id --self-healing', dir).code, 0);
  assert.equal(mz(dir, 'status', 'job-id', '--watch').code, 0, 'self-healing created the folder and the sheet passed');
  assert.match(mz(dir, 'logs', 'job-id').out, /sheet\.healing/);

  const healed = dirOf('healed');
  writeScore(healed, 'my-job.yaml', 'healed', './workspace', 1, intoReports, reports);
  assert.equal(sh('mozart run my-job.yaml --self-healing', healed).code, 0);
  assert.equal(mz(healed, 'status', 'healed', '--watch').code, 0);
  assert.match(mz(healed, 'logs', 'healed').out, /sheet\.healing/);
  // A folder outside the workspace is only a suggested remedy: applied with --yes.
  const outside = dirOf('healed-yes');
  writeScore(outside, 'my-job.yaml', 'healed-yes', './workspace', 1, 'echo done > "$MOZART_WORKSPACE/../outside/s$MOZART_SHEET_NUM"', 'validations:\n  - { type: file_exists, path: "{workspace}/../outside/s{sheet_num}", description: "report" }\n');
  assert.equal(sh('mozart run my-job.yaml --self-healing --yes', outside).code, 0);
  assert.equal(mz(outside, 'status', 'healed-yes', '--watch').code, 0);
  assert.ok(existsSync(join(outside, 'outside', 's1')));
});

test("the examples CLAUDE.md checks, and the conductor's log, foreground start and stop", async () => {
  const repo = resolve(__dirname, '../..');
  assert.equal(sh('mozart validate examples/sheet-review.yaml', repo).code, 0);
  const dry = sh('mozart run examples/sheet-review.yaml --dry-run', repo);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /sheet 3/i);

  const log = shLive('tail -f ~/.mozart/mozart.log', /listening on/);
  await log.seen;
  log.kill();
  await log.exited;
  assert.equal(sh('mozart stop').code, 0);
  const foreground = shLive('mozart start --foreground', /listening on/);
  await foreground.seen;
  assert.equal(sh('mozart conductor-status').code, 0);
  assert.equal(sh('mozart stop').code, 0);
  assert.equal((await foreground.exited).code, 0, 'the foreground conductor ends when stopped');
});

test("the README's command tables: each row's command against a job in its turn, config's sub-commands, mcp, the learning commands", async () => {
  const dir = dirOf('tables');
  // Sheet 1 waits for a go file (so the job can be paused while it runs); sheet 2 fails until its output is made by hand.
  writeScore(dir, 'table.yaml', 'table-job', './workspace', 2, `n=$MOZART_SHEET_NUM; if [ $n = 1 ]; then ${waitFor(join(dir, 'go'))}; touch "$MOZART_WORKSPACE/s1"; fi; echo "sheet $n ran"`);
  mkdirSync(join(dir, 'workspace'));
  const vars = { '<config>': 'table.yaml', '<job-id>': 'table-job', '[job-id]': 'table-job' };
  const row = (line: string) => sh(line, dir, vars);
  assert.equal(mz(dir, 'start').code, 0);
  try {
    assert.equal(row('mozart validate <config>').code, 0);
    const run = row('mozart run <config>');
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /Job 'table-job' started: 2 sheets/);
    const pause = row('mozart pause <job-id>');
    assert.equal(pause.code, 0, pause.err);
    assert.match(pause.out, /Job 'table-job' will pause at the next safe point/);
    writeFileSync(join(dir, 'go'), '');
    assert.match(mz(dir, 'status', 'table-job', '--watch').out, /paused/);
    const modify = row('mozart modify <job-id>');
    assert.equal(modify.code, 0, modify.err);
    assert.match(modify.out, /Job 'table-job' is paused and will use .*table\.yaml/);
    const resume = row('mozart resume <job-id>');
    assert.equal(resume.code, 0, resume.err);
    assert.equal(mz(dir, 'status', 'table-job', '--watch').code, 1, 'sheet 2 fails');
    const status = row('mozart status [job-id]');
    assert.equal(status.code, 1);
    assert.match(status.out, /table-job: failed[\s\S]*sheet +1 completed[\s\S]*sheet +2 failed/);
    const all = row('mozart list --all').out;
    assert.match(all, /table-job +failed/);
    assert.match(all, /my-job +completed/, 'finished jobs too');
    assert.doesNotMatch(sh('mozart list', dir).out, /my-job/, 'which mozart list leaves out');
    const history = row('mozart history <job-id>');
    assert.equal(history.code, 0, history.err);
    assert.match(history.out, /sheet +1 +attempt +1 +completed[\s\S]*sheet +2 +attempt +1 +failed +E\d{3}/);
    assert.match(row('mozart logs <job-id>').out, /sheet\.started +sheet 1[\s\S]*job\.paused[\s\S]*sheet\.failed +sheet 2 E\d{3}/);
    const errors = row('mozart errors <job-id>');
    assert.equal(errors.code, 0);
    assert.match(errors.out, /sheet +2 +attempt +1 +E\d{3}[\s\S]*1 error\./);
    const diagnose = row('mozart diagnose <job-id>');
    assert.equal(diagnose.code, 1);
    assert.match(diagnose.out, /Sheet 2: failed, 1 attempt/);
    const still = row('mozart recover <job-id>');
    assert.equal(still.code, 1);
    assert.match(still.out, /Still failing: sheet 2\./);
    writeFileSync(join(dir, 'workspace', 's2'), 'made by hand');
    const recovered = row('mozart recover <job-id>');
    assert.equal(recovered.code, 0, recovered.out + recovered.err);
    assert.match(recovered.out, /Recovered sheet 2[\s\S]*Job 'table-job' is completed\./);
    assert.deepEqual(runs(dir), ['run-1', 'run-2'], 'recover ran no agent');

    // `config <subcommand>`, each of the row's five.
    const config = (sub: string) => sh('mozart config <subcommand>', dir, { '<subcommand>': sub });
    const file = join(home, '.mozart', 'conductor.yaml');
    assert.match(config('path').out, new RegExp(`^${file} +\\(not created`));
    assert.equal(config('init').code, 0);
    assert.equal(config('check').code, 0);
    const set = config('set max_concurrent_jobs 3');
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /Set max_concurrent_jobs = 3 in /);
    assert.match(readFileSync(file, 'utf8'), /^max_concurrent_jobs: 3$/m);
    const show = JSON.parse(config('show --json').out) as { settings: { key: string; value: unknown; source: string }[] };
    assert.deepEqual(show.settings.filter((x) => x.key === 'max_concurrent_jobs').map((x) => [x.value, x.source]), [[3, 'file']], 'the running conductor took it');

    const dashboard = row('mozart dashboard');
    assert.equal(dashboard.code, 2);
    assert.match(dashboard.err, /VS Code extension's Mozart view/);
    await mcpAnswers(dir);

    for (const line of ENTRIES.filter((e) => /^mozart (patterns|learning|entropy)-/.test(e))) {
      const r = row(line);
      assert.equal(r.code, 0, `${line}: ${r.err}`);
      assert.ok(r.out.trim().length > 0, `${line} printed nothing`);
      assert.doesNotMatch(r.out + r.err, /unknown|Traceback|undefined/i, line);
    }
    assert.match(row('mozart learning-stats').out, /[1-9]\d* /, 'the attempts of the jobs above are in the learning store');
  } finally {
    mz(dir, 'stop');
  }
});

/** `mozart mcp`, as the README's row: it answers an MCP initialize on stdin, then ends when stdin closes. */
async function mcpAnswers(cwd: string): Promise<void> {
  const line = 'mozart mcp';
  assert.ok(ENTRIES.includes(line));
  ran.add(line);
  const child = spawn('/bin/sh', ['-c', `exec ${line}`], { cwd, env: shEnv });
  let out = '';
  let err = '';
  const answered = new Promise<string>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'docs-test', version: '1' } } })}\n`);
  const answer = JSON.parse((await answered).split('\n')[0] as string) as { id: number; result?: { serverInfo?: { name?: string }; capabilities?: { tools?: unknown } } };
  assert.equal(answer.id, 1, out);
  assert.ok(answer.result?.capabilities?.tools, `it offers tools: ${out}`);
  assert.match(answer.result?.serverInfo?.name ?? '', /mozart/i);
  child.stdin.end();
  assert.equal(await exited, 0, err);
}

test("every command line of the original's README and CLAUDE.md was run above", () => {
  assert.ok(ENTRIES.length >= 60, `${ENTRIES.length} entries`);
  assert.deepEqual(ENTRIES.filter((e) => !ran.has(e)), []);
});
