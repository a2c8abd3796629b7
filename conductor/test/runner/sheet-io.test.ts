// A sheet's own files refused: its attempt log on a full disk stops the job at once (E403, the
// agent stopped with it), the job's human log says once that it has a gap, and a sheet whose prompt
// cannot be written stops its siblings instead of waiting for their agents.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AttemptLog } from '../../src/runner/attempt-log.js';
import { JobLog } from '../../src/runner/job-log.js';
import { StateWriteError } from '../../src/state/journal-store.js';
import { prepareJob, scoreDir } from '../support/job.js';
import { fillUp, mountTmpfs, tmpfsUnavailable } from '../support/tmpfs.js';

const noTmpfs = tmpfsUnavailable();

const score = (workspace: string, command: string, extra = '') => `name: sheet-io
workspace: ${workspace}
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(command)}, timeout_seconds: 60 }
retry: { max_retries: 0 }
${extra}
prompt: { template: "sheet {{ sheet_num }}" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}" }
`;

test('an attempt log on a full disk: refused once, naming the log, and nothing more is tried', { skip: noTmpfs }, () => {
  const fs = mountTmpfs(64);
  try {
    fillUp(fs.dir);
    const refusals: StateWriteError[] = [];
    const log = new AttemptLog(join(fs.dir, 'sheet-01.log'), (e) => refusals.push(e));
    log.append('x'.repeat(8192));
    log.append('more');
    log.close();
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]?.errno, 'ENOSPC');
    assert.equal(refusals[0]?.path, join(fs.dir, 'sheet-01.log'));
    assert.equal(log.refused, refusals[0]);
  } finally {
    fs.unmount();
  }
});

test("the job's log on a full disk warns once, naming the file", { skip: noTmpfs }, () => {
  const fs = mountTmpfs(64);
  try {
    fillUp(fs.dir);
    const warnings: string[] = [];
    const log = new JobLog(fs.dir, (m) => warnings.push(m));
    for (let i = 0; i < 3; i++) log.event({ type: 'job.started', jobId: 'j', at: new Date().toISOString(), message: 'x'.repeat(8192) }, undefined);
    log.close();
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', new RegExp(`${join(fs.dir, 'mozart.log')} could not be written \\(.*no space.*\\); lines from here on are missing from it`, 'i'));
  } finally {
    fs.unmount();
  }
});

test('an agent whose output the disk refuses to log: the job stops with the refusal at once, its agent stopped', { skip: noTmpfs, timeout: 60_000 }, async () => {
  const fs = mountTmpfs(512);
  const outside = mkdtempSync(join(tmpdir(), 'mozart-io-'));
  try {
    const workspace = join(fs.dir, 'ws');
    // Fills the disk, floods the log, then would finish its work 20 s later unless it is stopped.
    const agent = `dd if=/dev/zero of="$MOZART_WORKSPACE/filler" bs=4096 2>/dev/null; head -c 65536 /dev/zero | tr "\\\\0" x; sleep 20; touch ${outside}/end "$MOZART_WORKSPACE/s1"`;
    const { dir, scoreFile } = scoreDir(score(workspace, agent, 'sheet: { size: 1, total_items: 1 }'));
    const job = prepareJob(scoreFile, dir);
    await assert.rejects(job.runner.run(), (e: unknown) => e instanceof StateWriteError && e.errno === 'ENOSPC' && e.path === join(workspace, '.mozart', 'logs', 'sheet-01.log'));
    assert.ok(!existsSync(join(outside, 'end')), 'the agent was stopped, not waited for');
    assert.equal(job.store.current.sheets['1']?.status, 'in_progress', 'its end is not recorded: resume checks its validations');
  } finally {
    fs.unmount();
    rmSync(outside, { recursive: true, force: true });
  }
});

test("a parallel sheet whose prompt cannot be written stops its siblings' agents instead of waiting for them", { timeout: 60_000 }, async () => {
  const outside = mkdtempSync(join(tmpdir(), 'mozart-io-'));
  try {
    const agent = `if [ "$MOZART_SHEET_NUM" = 1 ]; then sleep 20; touch ${outside}/end-1; fi; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"`;
    const { dir, scoreFile } = scoreDir(score('./ws', agent, 'sheet: { size: 1, total_items: 2 }\nparallel: { enabled: true, max_concurrent: 2 }'));
    // Sheet 2's prompt file cannot be written: a folder stands where it goes.
    mkdirSync(join(dir, 'ws', '.mozart', 'prompts', 'sheet-2.md'), { recursive: true });
    const job = prepareJob(scoreFile, dir);
    await assert.rejects(job.runner.run(), (e: unknown) => (e as NodeJS.ErrnoException).code === 'EISDIR');
    assert.ok(!existsSync(join(outside, 'end-1')), "sheet 1's agent was stopped, not waited for");
    assert.notEqual(job.store.current.sheets['1']?.status, 'completed');
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
