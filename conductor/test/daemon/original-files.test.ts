// The original Mozart's files, against a real conductor over its socket with jobs on the offline
// `command` backend: `<workspace>/<job-id>.json` in the original's checkpoint shape (its documented
// Python one-liner works verbatim, it is whole JSON whenever a reader looks, it shows a pause and
// the end), `<workspace>/mozart.log` (sheet lines, validation verdicts, errors with codes, output
// tails cut at 500 characters), and the conductor's own log at `<home>/mozart.log`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ConductorClient } from '../../../protocol/src/client.js';
import { EventLog, harness } from './harness.js';

const h = harness();

before(() => {
  const r = h.mozart('start');
  assert.equal(r.code, 0, r.err);
});

after(() => {
  h.mozart('stop');
});

/** The view as a Python reader sees it: whole JSON or a failed test. */
type View = { status: string; job_id: string; total_sheets: number; last_completed_sheet: number; completed_at: string | null; sheets: Record<string, { sheet_num: number; status: string; attempt_count: number; exit_code: number | null; validation_passed: boolean | null; stdout_tail: string | null; error_message: string | null; error_category: string | null; validation_details: { passed: boolean; description: string; rule_type: string }[] | null }> };
const readView = (file: string): View => JSON.parse(readFileSync(file, 'utf8')) as View;

/** A score in its own folder with the workspace `./workspace`, as the original's docs lay it out. */
function originalLayout(name: string, command: string, sheets: number, extra = ''): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-orig-'));
  const file = join(dir, 'score.yaml');
  writeFileSync(file, `name: ${name}
workspace: ./workspace
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(command)}, timeout_seconds: 60 }
sheet: { size: 1, total_items: ${sheets} }
prompt: { template: "sheet {{ sheet_num }}" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}", description: "sheet output written" }
${extra}`);
  return { file, dir };
}

test("the original's debugging recipe works verbatim on <workspace>/<job-id>.json", () => {
  const { file, dir } = originalLayout('my-job', 'echo "hello from sheet $MOZART_SHEET_NUM"; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 3);
  const run = h.mozart('run', file, '--watch');
  assert.equal(run.code, 0, run.err + run.out);
  const printed = execFileSync('/bin/sh', ['-c', `cat workspace/my-job.json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['sheets']['1']['validation_details'])"`], { cwd: dir, encoding: 'utf8' });
  assert.match(printed, /^\[\{.*'passed': True.*\}\]\n$/);
  assert.match(printed, /'description': 'sheet output written'/);
  assert.match(printed, /'rule_type': 'file_exists'/);

  const view = readView(join(dir, 'workspace', 'my-job.json'));
  assert.equal(view.job_id, 'my-job');
  assert.equal(view.status, 'completed');
  assert.ok(view.completed_at, 'completed_at is set');
  assert.equal(view.total_sheets, 3);
  assert.equal(view.last_completed_sheet, 3);
  assert.deepEqual(Object.keys(view.sheets), ['1', '2', '3'], 'sheets are keyed by number as a string');
  const one = view.sheets['1']!;
  assert.deepEqual([one.sheet_num, one.status, one.attempt_count, one.exit_code, one.validation_passed], [1, 'completed', 1, 0, true]);
  assert.equal(one.stdout_tail, 'hello from sheet 1\n');
  assert.ok(!existsSync(join(dir, 'workspace', '.mozart', 'my-job.json')), 'the view is at the workspace root, not in .mozart/');
});

test('the view is whole JSON at every moment a reader looks, follows the run, and shows a pause, then the end', async () => {
  // 12 sheets of 0.15 s; sheet 6 waits for a go file so the pause lands while it runs.
  const { file } = originalLayout('watched', 'sleep 0.15; if [ "$MOZART_SHEET_NUM" = 6 ]; then while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.02; done; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 12);
  const workspace = join(dirname(file), 'workspace');
  const viewFile = join(workspace, 'watched.json');
  const client = await ConductorClient.connect(h.socket);
  const events = new EventLog(client);
  await client.request('events.subscribe', { jobId: 'watched' });
  await client.request('job.submit', { scoreFile: file });

  // Read as fast as the loop allows until sheet 6 starts: every read that finds the file parses.
  let reads = 0;
  const progress = new Set<number>();
  let sixStarted = false;
  void events.waitFor((e) => e.type === 'sheet.started' && e.sheet === 6).then(() => (sixStarted = true));
  while (!sixStarted) {
    if (existsSync(viewFile)) {
      const view = readView(viewFile);
      reads++;
      progress.add(view.last_completed_sheet);
    }
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(reads > 20, `read ${reads} times`);
  assert.ok(progress.size >= 2, `the view moved while the job ran (last_completed_sheet seen: ${[...progress].join(', ')})`);

  await client.request('job.pause', { jobId: 'watched' });
  writeFileSync(join(workspace, 'go'), '');
  await events.waitFor((e) => e.type === 'job.paused');
  const paused = readView(viewFile);
  assert.equal(paused.status, 'paused');
  assert.equal(paused.sheets['6']!.status, 'completed', 'the running sheet finished before the pause');
  assert.equal(paused.sheets['7']!.status, 'pending');
  assert.equal(paused.last_completed_sheet, 6);

  await client.request('job.resume', { jobId: 'watched' });
  await events.waitFor((e) => e.type === 'job.completed');
  client.close();
  const done = readView(viewFile);
  assert.equal(done.status, 'completed');
  assert.ok(done.completed_at);
  assert.deepEqual(Object.values(done.sheets).map((s) => s.status), Array(12).fill('completed'));
});

test('a failed sheet: the view has its error and code; mozart.log has sheet lines, verdicts, the error code and 500-character output tails', () => {
  // Sheet 2 prints 2,000 characters (a…, then b…, then the last 500 as c…z) and never writes its output.
  const long = `printf 'a%.0s' $(seq 1000); printf 'b%.0s' $(seq 500); printf 'c%.0s' $(seq 499); printf 'z'`;
  const { file } = originalLayout('logged', `echo "sheet $MOZART_SHEET_NUM says hi"; if [ "$MOZART_SHEET_NUM" = 2 ]; then ${long}; echo "disk trouble" >&2; exit 3; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`, 2, 'retry: { max_retries: 1, base_delay_seconds: 0.1 }\n');
  const run = h.mozart('run', file, '--watch');
  assert.equal(run.code, 1, 'the job fails');
  const workspace = join(dirname(file), 'workspace');

  const view = readView(join(workspace, 'logged.json'));
  assert.equal(view.status, 'failed');
  const two = view.sheets['2']!;
  assert.equal(two.status, 'failed');
  assert.equal(two.attempt_count, 2);
  assert.equal(two.exit_code, 3);
  assert.equal(two.validation_passed, false);
  assert.equal(two.validation_details?.[0]?.passed, false);
  assert.ok(two.error_message, 'the failure has a message');
  assert.ok(two.error_category, 'and a category');

  const log = readFileSync(join(workspace, 'mozart.log'), 'utf8');
  assert.match(log, /^\S+Z INFO {2}job logged started/m);
  assert.match(log, /INFO {2}sheet 1: attempt 1 started/);
  assert.match(log, /INFO {2}sheet 1: validation passed: sheet output written \(file_exists\)/);
  assert.match(log, /INFO {2}sheet 1: completed after 1 attempt in [\d.]+s \(exit code 0\)\n {2}stdout \(last 500 chars\):\n {4}\| sheet 1 says hi\n/);
  assert.match(log, /WARN {2}sheet 2: validation failed: sheet output written \(file_exists\)/);
  assert.match(log, /WARN {2}sheet 2: retrying as attempt 2 in [\d.]+s after \[E\d{3}\]/);
  assert.match(log, /ERROR sheet 2: failed \[E\d{3}\]: .* \(exit code 3\)/);
  assert.match(log, /ERROR job logged failed \[E\d{3}\]/);
  const tails = [...log.matchAll(/ {4}\| …(\S+)\n/g)].map((m) => m[1]!);
  assert.ok(tails.length >= 2, 'each failed attempt shows its output tail');
  assert.equal(tails[0], 'c'.repeat(499) + 'z', 'the tail is the last 500 characters, cut');
  assert.match(log, / {2}stderr \(last 500 chars\):\n {4}\| disk trouble\n/);
  assert.doesNotMatch(log, /a{10}/, 'nothing before the last 500 characters');
});

test("the conductor's own log is <home>/mozart.log, and <home>/conductor.log points to it", () => {
  const log = join(h.home, 'mozart.log');
  assert.ok(lstatSync(log).isFile(), 'mozart.log is a file');
  assert.match(readFileSync(log, 'utf8'), /listening on/);
  const legacy = join(h.home, 'conductor.log');
  assert.ok(lstatSync(legacy).isSymbolicLink(), 'conductor.log is a link');
  assert.equal(readlinkSync(legacy), 'mozart.log');
  assert.equal(readFileSync(legacy, 'utf8'), readFileSync(log, 'utf8'));
});
