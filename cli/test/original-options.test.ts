// The original's options that only a real job shows working, against a real conductor: history,
// errors -b/-t/-c, diagnose --include-logs, recover -s, list -s/-l, -q, validate -v, resume --force,
// status --watch -i, pause --wait -t, modify -t, logs without a job (-w, -f, -n, -l, --follow), logs
// <job> -l, and stop --force (which kills only a process that is a conductor).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobErrorEntry, JobSummary } from '../../protocol/src/methods.js';
import type { JobState } from '../../protocol/src/job-state.js';
import { CLI, EventLog, harness, scoreFile } from '../../conductor/test/daemon/harness.js';
import type { AttemptRecord } from '../src/commands/original.js';

const h = harness();
const json = <T>(r: { out: string; err: string }): T => {
  try {
    return JSON.parse(r.out) as T;
  } catch {
    throw new Error(`not JSON: ${r.out}${r.err}`);
  }
};
/** A score whose sheets append their number to `runs` beside the score, then do `command`. */
function ledgerScore(name: string, command: string, sheets: number, extra = ''): { file: string; ws: string; runs: () => string[] } {
  const file = scoreFile(name, `echo "run-$MOZART_SHEET_NUM" >> "$MOZART_WORKSPACE/../runs"; ${command}`, sheets, extra);
  const dir = dirname(file);
  return { file, ws: join(dir, 'ws'), runs: () => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n') : []) };
}
const waitFor = (file: string): string => `while [ ! -e "${file}" ]; do sleep 0.05; done`;

// A failed job: sheet 2 fails its two attempts (exit 3, saying why on stderr) until `fix` exists.
const failing = ledgerScore('opts-failed', 'n=$MOZART_SHEET_NUM; echo "agent output of sheet $n"; if [ $n = 2 ] && [ ! -e "$MOZART_WORKSPACE/fix" ]; then echo "boom: sheet 2 cannot" >&2; exit 3; fi; touch "$MOZART_WORKSPACE/s$n"', 3, 'retry: { max_retries: 1, base_delay_seconds: 0.05, max_delay_seconds: 0.05, jitter: false }\n');

before(() => {
  const started = h.mozart('start');
  assert.equal(started.code, 0, started.err);
  const run = h.mozart('run', failing.file, '--watch');
  assert.equal(run.code, 1, run.out + run.err);
});
after(() => h.mozart('stop'));

test('history: every attempt with its outcome; -b keeps one sheet, -n the last N', () => {
  const all = json<AttemptRecord[]>(h.mozart('history', 'opts-failed', '--json'));
  assert.deepEqual(all.map((a) => [a.sheet, a.attempt, a.outcome]), [[1, 1, 'completed'], [2, 1, 'retrying'], [2, 2, 'failed']]);
  const text = h.mozart('history', 'opts-failed', '-b', '2');
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /sheet +2 +attempt +1 +retrying +E\d{3}[^\n]*\n[^\n]*sheet +2 +attempt +2 +failed +E\d{3}/);
  assert.doesNotMatch(text.out, /sheet +1 /);
  const last = h.mozart('history', 'opts-failed', '-n', '1');
  assert.match(last.out, /sheet +2 +attempt +2 +failed/);
  assert.match(last.out, /… 2 earlier attempts; -n 3 shows them all\./);
});

test('errors -b, -t and -c filter the errors; diagnose --include-logs adds the failing sheet\'s agent output', () => {
  const all = json<JobErrorEntry[]>(h.mozart('errors', 'opts-failed', '--json'));
  assert.equal(all.length, 2, JSON.stringify(all));
  const code = all[0]?.code as string;
  assert.equal(json<JobErrorEntry[]>(h.mozart('errors', 'opts-failed', '-c', code.toLowerCase(), '--json')).length, 2, 'the code matches in any case');
  assert.deepEqual(json<JobErrorEntry[]>(h.mozart('errors', 'opts-failed', '-c', 'E999', '--json')), []);
  assert.deepEqual(json<JobErrorEntry[]>(h.mozart('errors', 'opts-failed', '-b', '1', '--json')), [], 'sheet 1 never erred');
  assert.equal(json<JobErrorEntry[]>(h.mozart('errors', 'opts-failed', '-b', '2', '--json')).length, 2);
  const types = ['transient', 'rate_limit', 'permanent'].map((t) => json<JobErrorEntry[]>(h.mozart('errors', 'opts-failed', '-t', t, '--json')).length);
  assert.equal(types.reduce((a, b) => a + b, 0), 2, `each error has one of the three types: ${types.join(', ')}`);
  assert.equal(types[1], 0, 'no rate limit was met');

  const plain = h.mozart('diagnose', 'opts-failed');
  assert.equal(plain.code, 1);
  assert.doesNotMatch(plain.out, /Sheet 2 log \(last 50 lines\)/);
  const withLogs = h.mozart('diagnose', 'opts-failed', '--include-logs');
  assert.equal(withLogs.code, 1);
  assert.match(withLogs.out, /Sheet 2 log \(last 50 lines\):\n[\s\S]*agent output of sheet 2[\s\S]*boom: sheet 2 cannot/);
  const report = json<{ logs: { sheet: number; tail: string }[] }>(h.mozart('diagnose', 'opts-failed', '--include-logs', '--json'));
  assert.deepEqual(report.logs.map((l) => l.sheet), [2]);
});

test('list -s and -l; -q keeps only --json output; validate -v shows the sheet DAG', () => {
  const done = scoreFile('opts-done', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  assert.equal(h.mozart('run', done, '--watch').code, 0);
  assert.deepEqual(json<JobSummary[]>(h.mozart('list', '-s', 'failed', '--json')).map((j) => j.jobId), ['opts-failed']);
  assert.deepEqual(json<JobSummary[]>(h.mozart('list', '-s', 'completed', '--json')).map((j) => j.jobId), ['opts-done'], '-s implies --all');
  assert.equal(json<JobSummary[]>(h.mozart('list', '--all', '-l', '1', '--json')).length, 1);
  assert.equal(json<JobSummary[]>(h.mozart('list', '--all', '--json')).length, 2);

  const loud = h.mozart('status', 'opts-done');
  assert.match(loud.out, /opts-done: completed/);
  const quiet = h.mozart('-q', 'status', 'opts-done');
  assert.equal(quiet.code, 0);
  assert.equal(quiet.out, '', 'quiet: nothing but errors');
  assert.equal(json<JobState>(h.mozart('status', 'opts-done', '--json', '-q')).status, 'completed', 'quiet keeps --json');
  assert.match(h.mozart('-q', 'status', 'no-such-job').err, /no-such-job/, 'quiet keeps errors');

  const fanout = resolve(__dirname, '../../examples/parallel-research-fanout.yaml');
  assert.doesNotMatch(h.mozart('validate', fanout).out, /Sheet DAG/);
  const dag = h.mozart('validate', fanout, '-v');
  assert.equal(dag.code, 0, dag.err);
  assert.match(dag.out, /Sheet DAG \(sheets on one level can run side by side\):\n {2}level 1:\n {4}sheet 1 \(stage 1\)\n {2}level 2:\n {4}sheet 2 \(stage 2, instance 1\/\d+\) ← after 1/);
  const levels = json<{ dag: { levels: { level: number }[] } }>(h.mozart('-v', 'validate', fanout, '--json')).dag.levels;
  assert.ok(levels.length >= 3, `${levels.length} levels`);
});

test('recover -s re-checks only that sheet; recover --dry-run records nothing', () => {
  writeFileSync(join(failing.ws, 's2'), 'made by hand');
  const before = readCheckpoint(failing.ws);
  const dry = h.mozart('recover', 'opts-failed', '-s', '2', '--dry-run');
  assert.equal(dry.code, 0, dry.out + dry.err);
  assert.match(dry.out, /Would recover sheet 2/);
  assert.deepEqual(readCheckpoint(failing.ws), before, 'a dry run leaves the checkpoint as it was');
  const notFailed = h.mozart('recover', 'opts-failed', '-s', '1');
  assert.equal(notFailed.code, 1);
  assert.match(notFailed.err, /Sheet 1 of job 'opts-failed' is completed, not failed: nothing to recover/);
  const recovered = h.mozart('recover', 'opts-failed', '-s', '2');
  assert.equal(recovered.code, 0, recovered.out);
  assert.match(recovered.out, /Recovered sheet 2/);
  const state = json<JobState>(h.mozart('status', 'opts-failed', '--json'));
  assert.equal(state.sheets['2']?.status, 'completed');
  assert.equal(state.status, 'paused', 'sheet 3 is still to run');
  assert.deepEqual(failing.runs(), ['run-1', 'run-2', 'run-2'], 'recover ran no agent');
});

/** The checkpoint's files (snapshot and journal), by name. */
function readCheckpoint(ws: string): Record<string, string> {
  const dir = join(ws, '.mozart', 'state');
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

test('resume --force runs a completed job\'s last sheet again; without it a completed job is refused, saying so', () => {
  const job = ledgerScore('opts-force', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  assert.equal(h.mozart('run', job.file, '--watch').code, 0);
  const refused = h.mozart('resume', 'opts-force');
  assert.equal(refused.code, 1);
  assert.match(refused.err, /already completed\. Use 'mozart resume opts-force --force' to run its last sheet again/);
  assert.deepEqual(job.runs(), ['run-1', 'run-2']);
  const forced = h.mozart('resume', 'opts-force', '-f', '--watch');
  assert.equal(forced.code, 0, forced.out + forced.err);
  assert.doesNotMatch(forced.err, /no effect/);
  assert.deepEqual(job.runs(), ['run-1', 'run-2', 'run-2'], 'only the last sheet ran again');
  const state = json<JobState>(h.mozart('status', 'opts-force', '--json'));
  assert.equal(state.status, 'completed');
  assert.deepEqual([state.sheets['1']?.attempts, state.sheets['2']?.attempts], [1, 2]);
});

test('status --watch -i N prints the whole status again every N seconds; -i without --watch says it has no effect', async () => {
  const go = join(dirname(failing.file), 'go-watch');
  const job = scoreFile('opts-watch', `${waitFor(go)}; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`, 1);
  assert.equal(h.mozart('run', job).code, 0);
  let refreshes = 0;
  const watched = h.mozartLive(['status', 'opts-watch', '--watch', '-i', '1'], (out) => {
    refreshes = out.match(/refreshing every 1s/g)?.length ?? 0;
    if (refreshes >= 2 && !existsSync(go)) writeFileSync(go, '');
  });
  const r = await watched;
  assert.equal(r.code, 0, r.out + r.err);
  assert.ok(refreshes >= 2, r.out);
  assert.match(r.out, /Last updated [^\n]+ \| refreshing every 1s/);
  assert.match(r.out, /opts-watch: running[\s\S]*opts-watch: running[\s\S]*Job 'opts-watch' completed/, 'the status itself is printed again');
  const alone = h.mozart('status', 'opts-watch', '-i', '1');
  assert.match(alone.err, /-i\/--interval has no effect here: it is the refresh interval of --watch/);
});

test('pause --wait -t N gives up after N seconds while a sheet runs on; modify -t N likewise, applying nothing', async () => {
  const go = join(dirname(failing.file), 'go-pause');
  const job = ledgerScore('opts-pause', `if [ "$MOZART_SHEET_NUM" = 1 ]; then ${waitFor(go)}; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`, 2);
  const client = await h.connect();
  const events = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'opts-pause' });
  assert.equal(h.mozart('run', job.file).code, 0);
  await events.waitFor((e) => e.type === 'sheet.started');

  const changed = join(dirname(job.file), 'changed.yaml');
  writeFileSync(changed, readFileSync(job.file, 'utf8').replace('total_items: 2', 'total_items: 3'));
  // One pause --wait waits on while the sheet runs; its request is the job's first pause.
  const waiting = h.mozartLive(['pause', 'opts-pause', '--wait', '-t', '30']);
  await events.waitFor((e) => e.type === 'job.pausing');

  const modify = h.mozart('modify', 'opts-pause', '-c', changed, '-t', '1');
  assert.equal(modify.code, 1, modify.out + modify.err);
  assert.match(modify.err, /did not pause within 1s .*the score was not applied/);
  assert.doesNotMatch(modify.err, /no effect/);
  const pause = h.mozart('pause', 'opts-pause', '--wait', '-t', '1');
  assert.equal(pause.code, 1, pause.out + pause.err);
  assert.match(pause.err, /did not pause within 1s \(its running sheets are still finishing\)/);

  writeFileSync(go, '');
  const paused = await waiting;
  assert.equal(paused.code, 0, paused.err);
  assert.match(paused.out, /Job 'opts-pause' is paused\. Continue with 'mozart resume opts-pause'\./);
  assert.match(h.mozart('pause', 'opts-pause', '-t', '5').err, /-t\/--timeout has no effect here: it is the time --wait waits/);

  // The modify that gave up changed nothing: the job resumes with its own score, two sheets.
  assert.equal(h.mozart('resume', 'opts-pause', '--watch').code, 0);
  assert.equal(json<JobState>(h.mozart('status', 'opts-pause', '--json')).totalSheets, 2);
  // A job that is not running has nothing to wait for: modify -t applies the score at once.
  const applied = h.mozart('modify', 'opts-pause', '-c', changed, '-t', '1', '--resume');
  assert.equal(applied.code, 0, applied.err);
  assert.equal(h.mozart('status', 'opts-pause', '--watch').code, 0);
  assert.equal(json<JobState>(h.mozart('status', 'opts-pause', '--json')).totalSheets, 3);
  assert.deepEqual(job.runs(), ['run-1', 'run-2', 'run-3']);
  // Without --resume, modify says which score the job will use: the one given, not the last run's.
  assert.match(h.mozart('modify', 'opts-pause', '-c', job.file, '-t', '1').out, new RegExp(`is completed and will use ${job.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));
  client.close();
});

test("logs without a job: -w DIR's mozart.log, -n, -l LEVEL (indented lines with theirs), -f FILE; logs <job> -l", () => {
  const all = h.mozart('logs', '-w', failing.ws, '-n', '0');
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, / INFO {2}sheet 1: attempt 1 started/);
  assert.match(all.out, / WARN {2}sheet 2: retrying/);
  assert.match(all.out, / ERROR sheet 2: failed \[E\d{3}\]/);
  const errorsOnly = h.mozart('logs', '-w', failing.ws, '-n', '0', '-l', 'error');
  const levels = errorsOnly.out.split('\n').filter((l) => /^\S+Z /.test(l)).map((l) => l.split(' ')[1]);
  assert.ok(levels.length >= 2, errorsOnly.out);
  assert.deepEqual([...new Set(levels)], ['ERROR']);
  assert.match(errorsOnly.out, /ERROR sheet 2: failed[^\n]*\n {2}stdout \(last 500 chars\):\n {4}\| agent output of sheet 2\n {2}stderr \(last 500 chars\):\n {4}\| boom: sheet 2 cannot/, "an error's output tails go with it");
  assert.equal(errorsOnly.err, '', 'every line of a workspace log has a level');
  const warnings = h.mozart('logs', '-w', failing.ws, '-n', '0', '-l', 'WARN').out;
  assert.match(warnings, / WARN /);
  assert.doesNotMatch(warnings, / INFO /);
  assert.equal(h.mozart('logs', '-w', failing.ws, '-n', '2').out.trimEnd().split('\n').length, 2);
  assert.equal(h.mozart('logs', '-f', join(failing.ws, 'mozart.log'), '-n', '0').out, all.out, '-f FILE reads the same file');
  const bad = h.mozart('logs', '-w', failing.ws, '-l', 'loud');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL/);
  assert.match(h.mozart('logs', '-w', dirname(failing.ws)).err, /cannot read .*mozart\.log: ENOENT/);

  // The conductor's log: only debug lines carry a level; the others are shown, and stderr says so.
  const conductor = h.mozart('logs', '-l', 'info', '-n', '0');
  assert.equal(conductor.code, 0);
  assert.match(conductor.out, /listening on/);
  assert.match(conductor.err, /\d+ lines? of .*mozart\.log carr(y|ies) no level and (is|are) shown whatever -l says: the conductor's log marks only its debug lines/);

  // A job's event log: its events of that level and above.
  const events = h.mozart('logs', 'opts-failed', '-l', 'warning');
  assert.equal(events.code, 0, events.err);
  assert.match(events.out, /sheet\.retrying/);
  assert.match(events.out, /sheet\.failed/);
  assert.doesNotMatch(events.out, /sheet\.started|sheet\.completed/);
  assert.match(h.mozart('logs', 'opts-failed').out, /sheet\.started/, 'the check can tell');
  const raw = h.mozart('logs', 'opts-failed', '-l', 'error', '--json').out.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
  assert.ok(raw.length > 0 && raw.every((t) => t === 'sheet.failed' || t === 'job.failed'), raw.join(', '));
  assert.match(h.mozart('logs', 'opts-failed', '--sheet', '2', '-l', 'error').err, /-l\/--level has no effect here: a sheet's agent output has no levels/);
});

test('logs -w DIR --follow prints each line appended to the log until Ctrl-C; -n N first shows the last N', async () => {
  const log = join(failing.ws, 'mozart.log');
  const follower = followLogs(['logs', '-w', failing.ws, '--follow', '-l', 'warning']);
  await follower.saw(/Following .*mozart\.log \(Ctrl-C to stop\)/, 'err');
  assert.equal(follower.out(), '', 'without -n only new lines');
  appendFileSync(log, '2030-01-01T00:00:00.000Z INFO  an info line, below -l\n2030-01-01T00:00:00.000Z WARN  a new warning\n  with its detail\n');
  await follower.saw(/a new warning\n {2}with its detail\n/);
  appendFileSync(log, '2030-01-01T00:00:01.000Z ERROR a new error\n');
  await follower.saw(/a new error\n/);
  follower.child.kill('SIGINT');
  const code = await follower.exited;
  assert.equal(code, 0);
  assert.doesNotMatch(follower.out(), /an info line/);
  assert.match(follower.err(), /Stopped following\./);

  const withTail = followLogs(['logs', '-w', failing.ws, '--follow', '-n', '1']);
  await withTail.saw(/Following /, 'err');
  withTail.child.kill('SIGINT');
  assert.equal(await withTail.exited, 0);
  assert.equal(withTail.out(), '2030-01-01T00:00:01.000Z ERROR a new error\n');
});

/** `mozart ...args` running on; `saw` resolves once its output (or stderr) matches. */
function followLogs(args: string[]): { child: ChildProcess; saw(pattern: RegExp, stream?: 'out' | 'err'): Promise<void>; out(): string; err(): string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: h.env });
  const text = { out: '', err: '' };
  const waiters: { pattern: RegExp; stream: 'out' | 'err'; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(text[w.stream])) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', (d: Buffer) => ((text.out += d.toString()), check()));
  child.stderr?.on('data', (d: Buffer) => ((text.err += d.toString()), check()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    child,
    saw: (pattern, stream = 'out') =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, stream, resolve });
        check();
        void exited.then(() => reject(new Error(`exited before ${pattern}: ${text.out}${text.err}`)));
      }),
    out: () => text.out,
    err: () => text.err,
    exited,
  };
}

test('stop --force refuses a pid file naming a process that is not a conductor, and kills the conductor', async () => {
  const sleeper = spawn('sleep', ['60']);
  const alive = new Promise<void>((r) => sleeper.once('spawn', r));
  await alive;
  const stale = join(h.home, 'stale.pid');
  writeFileSync(stale, String(sleeper.pid));
  const refused = h.mozart('stop', '--force', '--pid-file', stale);
  assert.equal(refused.code, 1, refused.out + refused.err);
  assert.match(refused.err, new RegExp(`pid ${sleeper.pid} \\(from .*stale\\.pid\\) is not a Mozart conductor \\(it runs 'sleep 60'\\); the pid file is stale and nothing was killed`));
  assert.equal(sleeper.exitCode, null, 'the process is still running');
  assert.doesNotThrow(() => process.kill(sleeper.pid as number, 0));
  sleeper.kill();

  const pid = Number(readFileSync(join(h.home, 'run', 'conductor.pid'), 'utf8'));
  const watcher = await h.connect();
  const gone = new Promise<void>((r) => (watcher.onClose = r));
  const killed = h.mozart('stop', '--force');
  assert.equal(killed.code, 0, killed.err);
  assert.match(killed.out, new RegExp(`Conductor \\(pid ${pid}\\) killed`));
  await gone; // its connections close as it dies
  assert.equal(h.mozart('conductor-status').code, 2);
  const again = h.mozart('stop', '--force');
  assert.equal(again.code, 1, 'its pid file is left behind, naming a process that is gone');
  assert.match(again.err, new RegExp(`pid ${pid} .* is not running; the pid file is stale and nothing was killed`));
});
