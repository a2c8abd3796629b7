// A workspace on a small real filesystem (tmpfs) that an agent fills up, leaving 0-64 KB free in
// 4 KB steps: every run ends completed or in E403, the checkpoint always parses, and after space is
// freed `resume` completes with nothing lost and no validated sheet run again.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { JobState } from '../../../protocol/src/job-state.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import type { JobRecord } from '../../../protocol/src/job-state.js';
import { JournalStore } from '../../src/state/journal-store.js';
import { fillUp, mountTmpfs, tmpfsUnavailable } from '../support/tmpfs.js';
import { harness } from './harness.js';

const noTmpfs = tmpfsUnavailable();
const h = harness();
before(() => {
  if (!noTmpfs) assert.equal(h.mozart('start').code, 0);
});
after(() => {
  if (!noTmpfs) h.mozart('stop');
});

const SHEETS = 4;

/** Sheet 2 fills the disk to `freeKib` KiB; every sheet prints 1.5 KB (the conductor logs it) and writes its output. */
function score(dir: string, workspace: string, ledger: string, freeKib: number): string {
  const agent = [
    `echo run-$MOZART_SHEET_NUM >> ${ledger}`,
    `if [ "$MOZART_SHEET_NUM" = 2 ] && [ ! -e "$MOZART_WORKSPACE/filled" ]; then touch "$MOZART_WORKSPACE/filled"; avail=$(df -k --output=avail "$MOZART_WORKSPACE" | tail -1); n=$((avail - ${freeKib})); [ $n -gt 0 ] && dd if=/dev/zero of="$MOZART_WORKSPACE/filler" bs=1024 count=$n 2>/dev/null; fi`,
    'head -c 1500 /dev/zero | tr "\\0" x',
    'echo; echo "out $MOZART_SHEET_NUM" > "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"',
  ].join('; ');
  const file = join(dir, 'score.yaml');
  writeFileSync(
    file,
    `name: full-disk
workspace: ${workspace}
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(agent)}, timeout_seconds: 60 }
sheet: { size: 1, total_items: ${SHEETS} }
retry: { max_retries: 1, base_delay_seconds: 0.01, max_delay_seconds: 0.01 }
prompt: { template: "sheet {{ sheet_num }} ${'of the prompt '.repeat(20)}" }
validations:
  - { type: content_contains, path: "{workspace}/s{sheet_num}", pattern: "out {sheet_num}", description: "sheet output" }
`,
  );
  return file;
}

/** Whether sheet `n`'s output is on disk as its validation wants it. */
function validOutput(workspace: string, n: number): boolean {
  try {
    return readFileSync(join(workspace, `s${n}`), 'utf8').includes(`out ${n}`);
  } catch {
    return false;
  }
}

/** Temporary files (`*.tmp`, dot files too) in the given folders. */
function tempFiles(...dirs: string[]): string[] {
  return dirs.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.tmp')).map((f) => join(dir, f)) : []));
}

test('a filling disk: each run completes or stops with E403, the state parses, resume loses and repeats nothing', { skip: noTmpfs, timeout: 600_000 }, () => {
  const outcomes: string[] = [];
  for (let freeKib = 0; freeKib <= 64; freeKib += 4) {
    const fs = mountTmpfs(512);
    const outside = mkdtempSync(join(tmpdir(), 'mozart-full-'));
    try {
      const workspace = join(fs.dir, 'ws');
      const ledger = join(outside, 'ledger');
      const file = score(outside, workspace, ledger, freeKib);
      const run = h.mozart('run', file, '--watch', '--fresh');
      const state = JournalStore.read<JobState, JobRecord>(join(workspace, '.mozart', 'state'), applyJobRecord);
      assert.ok(state, `free ${freeKib} KiB: the checkpoint parses`);
      const status = JSON.parse(h.mozart('status', 'full-disk', '--json').out) as JobState;
      if (run.code === 0) {
        assert.equal(status.status, 'completed');
        outcomes.push(`${freeKib}:completed`);
        continue;
      }
      assert.equal(status.status, 'failed', `free ${freeKib} KiB: ${run.out}${run.err}`);
      assert.equal(status.error?.code, 'E403', `free ${freeKib} KiB: ${JSON.stringify(status.error)}`);
      assert.match(status.error?.message ?? '', /no space is left on the disk holding .*Free space there .*'mozart resume full-disk'/);
      // Nothing half-written is left behind by the stop: no temporary view, snapshot or registry entry.
      assert.deepEqual(tempFiles(workspace, join(workspace, '.mozart', 'state')), [], `free ${freeKib} KiB: no temporary file left after the E403`);
      // A sheet is validated when its output is on disk, whether or not the disk let its end be recorded.
      const validated = Array.from({ length: SHEETS }, (_, i) => i + 1).filter((n) => validOutput(workspace, n));
      const runsBefore = readFileSync(ledger, 'utf8').trim().split('\n').length;
      rmSync(join(workspace, 'filler'), { force: true });
      // When not even the failure reached the checkpoint (it still says running), only the
      // conductor knows: a restarted conductor resumes the job by itself and must check the same
      // sheets, so that case goes through a restart instead of 'mozart resume'.
      const memoryOnly = state.status === 'running';
      if (memoryOnly) {
        assert.equal(h.mozart('restart').code, 0, `free ${freeKib} KiB: restart`);
        const followed = h.mozart('status', 'full-disk', '--watch');
        assert.equal(followed.code, 0, `free ${freeKib} KiB: the restarted conductor's resume: ${followed.out}${followed.err}`);
      } else {
        const resumed = h.mozart('resume', 'full-disk', '--watch');
        assert.equal(resumed.code, 0, `free ${freeKib} KiB: resume after freeing space: ${resumed.out}${resumed.err}`);
      }
      const rerun = readFileSync(ledger, 'utf8').trim().split('\n').slice(runsBefore).map((l) => Number(l.replace('run-', '')));
      assert.deepEqual(rerun.filter((n) => validated.includes(n)), [], `free ${freeKib} KiB: no validated sheet (${validated.join(', ')}) ran again`);
      const final = JSON.parse(h.mozart('status', 'full-disk', '--json').out) as JobState;
      assert.equal(final.status, 'completed');
      for (let n = 1; n <= SHEETS; n++) assert.ok(validOutput(workspace, n), `sheet ${n}'s output is there`);
      assert.deepEqual(tempFiles(workspace, join(workspace, '.mozart', 'state')), [], 'no temporary file left');
      const unrecorded = validated.filter((n) => status.sheets[String(n)]?.status !== 'completed');
      if (unrecorded.length > 0) {
        assert.match(h.mozart('logs', 'full-disk').out, new RegExp(`job\\.state_repaired .*E403.*sheet\\(s\\) ${unrecorded.join(', ')} were taken as done because their validations pass now`), `free ${freeKib} KiB: resume says which sheets it took as done`);
      }
      outcomes.push(`${freeKib}:E403→${memoryOnly ? 'restarted' : 'resumed'}${unrecorded.length > 0 ? `(unrecorded ${unrecorded.join(',')})` : ''}`);
    } finally {
      h.mozart('clear', 'full-disk');
      fs.unmount();
      rmSync(outside, { recursive: true, force: true });
    }
  }
  console.log(`free KiB → outcome: ${outcomes.join(' ')}`);
  assert.ok(outcomes.some((o) => o.includes('E403')), 'the sweep met a full disk at least once');
  assert.ok(outcomes.some((o) => o.endsWith(':completed')), 'with enough space left the job completes');
});

/** A score of `sheets` sheets in `workspace`; sheet 2 passes only once `go` exists there. */
function plainScore(file: string, workspace: string, sheets: number): string {
  const agent = 'if [ "$MOZART_SHEET_NUM" != 2 ] || [ -e "$MOZART_WORKSPACE/go" ]; then touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"; fi';
  writeFileSync(
    file,
    `name: full-at-start
workspace: ${workspace}
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(agent)}, timeout_seconds: 60 }
sheet: { size: 1, total_items: ${sheets} }
retry: { max_retries: 0 }
prompt: { template: "sheet {{ sheet_num }}" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}", description: "sheet output" }
`,
  );
  return file;
}

test('a full disk when a job is started or resumed: E403 naming the folder and what to do, never an internal error', { skip: noTmpfs, timeout: 120_000 }, () => {
  const fs = mountTmpfs(256);
  const outside = mkdtempSync(join(tmpdir(), 'mozart-full-'));
  try {
    const workspace = join(fs.dir, 'ws');
    const state = join(workspace, '.mozart', 'state');
    mkdirSync(workspace);
    const file = plainScore(join(outside, 'score.yaml'), workspace, 2);
    fillUp(fs.dir);
    const run = h.mozart('run', file);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.err, /Internal error/);
    assert.match(run.err, /E403 Job 'full-at-start' was not started: no space is left on the disk holding .*\/ws\/\.mozart\/state \(ENOSPC\)\. Nothing recorded before is lost\. Free space there .*then run it again \('mozart run .*score\.yaml'\)/);
    assert.ok(!existsSync(state) || !readdirSync(state).some((f) => f.endsWith('.tmp')), 'no temporary snapshot left');

    rmSync(join(fs.dir, 'filler'));
    assert.equal(h.mozart('run', file, '--watch').code, 1, 'sheet 2 fails until go exists');
    // A resume that must write before its runner starts (the score grew a sheet) on a full disk.
    plainScore(file, workspace, 3);
    fillUp(fs.dir);
    const resumed = h.mozart('resume', 'full-at-start');
    assert.equal(resumed.code, 1);
    assert.doesNotMatch(resumed.err, /Internal error/);
    assert.match(resumed.err, /E403 Job 'full-at-start' was not resumed: no space is left on the disk holding .*\/ws\/\.mozart\/state \(ENOSPC\)\..*then 'mozart resume full-at-start'/);
    const status = JSON.parse(h.mozart('status', 'full-at-start', '--json').out) as JobState;
    assert.equal(status.status, 'failed', 'the job is as it was');
    assert.equal(status.totalSheets, 2);

    rmSync(join(fs.dir, 'filler'));
    writeFileSync(join(workspace, 'go'), '');
    const again = h.mozart('resume', 'full-at-start', '--watch');
    assert.equal(again.code, 0, again.out + again.err);
    assert.equal((JSON.parse(h.mozart('status', 'full-at-start', '--json').out) as JobState).totalSheets, 3);
  } finally {
    h.mozart('clear', 'full-at-start');
    fs.unmount();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a folder of the job turned read-only mid-job: E403 naming it; once writable, resume takes the validated sheet as done and runs only the rest', { skip: noTmpfs, timeout: 120_000 }, () => {
  const fs = mountTmpfs(1024);
  const outside = mkdtempSync(join(tmpdir(), 'mozart-rofs-'));
  // The sheet logs' folder: a live remount of the whole tmpfs read-only is refused (EBUSY) while
  // the conductor holds its journal open for writing, so a read-only filesystem is mounted over it.
  const logs = join(fs.dir, 'ws', '.mozart', 'logs');
  try {
    const workspace = join(fs.dir, 'ws');
    const ledger = join(outside, 'ledger');
    // Sheet 2 does its work, then the logs folder turns read-only before its output is logged.
    const agent = [
      `echo run-$MOZART_SHEET_NUM >> ${ledger}`,
      'echo "out $MOZART_SHEET_NUM" > "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"',
      `if [ "$MOZART_SHEET_NUM" = 2 ] && [ ! -e ${outside}/turned ]; then touch ${outside}/turned; mount -t tmpfs -o ro,size=64k tmpfs ${logs}; fi`,
      'echo done',
    ].join('; ');
    const file = join(outside, 'score.yaml');
    writeFileSync(
      file,
      `name: read-only
workspace: ${workspace}
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(agent)}, timeout_seconds: 60 }
sheet: { size: 1, total_items: 4 }
retry: { max_retries: 0 }
prompt: { template: "sheet {{ sheet_num }}" }
validations:
  - { type: content_contains, path: "{workspace}/s{sheet_num}", pattern: "out {sheet_num}", description: "sheet output" }
`,
    );
    const run = h.mozart('run', file, '--watch');
    assert.equal(run.code, 1, run.out + run.err);
    const status = JSON.parse(h.mozart('status', 'read-only', '--json').out) as JobState;
    assert.equal(status.status, 'failed');
    assert.equal(status.error?.code, 'E403', JSON.stringify(status.error));
    assert.match(status.error?.message ?? '', new RegExp(`the folder ${logs} is on a read-only filesystem \\(EROFS\\).*make it writable\\), then 'mozart resume read-only'`));
    assert.equal(status.sheets['2']?.status, 'in_progress', "sheet 2's end was not recorded");
    assert.ok(validOutput(workspace, 2), "but sheet 2's work is on disk");
    assert.deepEqual(tempFiles(workspace, join(workspace, '.mozart', 'state')), [], 'no temporary file left after the E403');

    assert.equal(spawnSync('umount', [logs]).status, 0, 'the folder is writable again');
    const resumed = h.mozart('resume', 'read-only', '--watch');
    assert.equal(resumed.code, 0, resumed.out + resumed.err);
    assert.deepEqual(readFileSync(ledger, 'utf8').trim().split('\n'), ['run-1', 'run-2', 'run-3', 'run-4'], 'no sheet ran twice');
    assert.match(h.mozart('logs', 'read-only').out, /job\.state_repaired .*stopped on a write the disk refused \(E403\); sheet\(s\) 2 were taken as done because their validations pass now/);
    assert.equal((JSON.parse(h.mozart('status', 'read-only', '--json').out) as JobState).status, 'completed');
  } finally {
    h.mozart('clear', 'read-only');
    spawnSync('umount', [logs]);
    fs.unmount();
    rmSync(outside, { recursive: true, force: true });
  }
});
