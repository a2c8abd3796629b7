// Command lines as the original's README and CLAUDE.md write them, against a real conductor: first a
// job another conductor ran is found by id in its workspace (-w), adopted from its checkpoint; then
// every command line of those docs is run as written.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Runs one line of the fixture (checked to be one) in `cwd`. */
function sh(line: string, cwd = A): { code: number | null; out: string; err: string } {
  assert.ok(ENTRIES.includes(line), `not a line of the original's docs: ${line}`);
  ran.add(line);
  const r = spawnSync('/bin/sh', ['-c', line.replaceAll('<job-id>', 'my-job').replaceAll('<dir>', './workspace')], { cwd, env: shEnv, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts a line that runs until stopped; resolves `seen` once its output matches. */
function shLive(line: string, until: RegExp, cwd = A): { seen: Promise<string>; exited: Promise<{ code: number | null; out: string }>; kill(): void } {
  assert.ok(ENTRIES.includes(line), `not a line of the original's docs: ${line}`);
  ran.add(line);
  const child = spawn('/bin/sh', ['-c', `exec ${line.replaceAll('<job-id>', 'my-job').replaceAll('<dir>', './workspace')}`], { cwd, env: shEnv });
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
  const recover = sh('mozart recover job-id --workspace ./dir --dry-run', dir);
  assert.equal(recover.code, 1, 'the sheet still fails');
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

test("every command line of the original's README and CLAUDE.md was run above", () => {
  assert.ok(ENTRIES.length >= 35, `${ENTRIES.length} entries`);
  assert.deepEqual(ENTRIES.filter((e) => !ran.has(e)), []);
});
