// kill -9 of the process running a job, mid-sheet: the checkpoint still parses, the agent does not
// outlive the resume (started by the process helper it goes with its runner; started by Node's
// spawn it is orphaned, and the resume stops it), and resuming re-runs only the interrupted sheet
// and those after it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { goneSoon, isAlive, prepareJob, scoreDir } from '../support/job.js';

for (const launcher of ['python3', 'off']) {
  test(`after kill -9 mid-sheet, resume re-runs that sheet only and never a validated one (MOZART_LAUNCHER=${launcher})`, async () => {
    // Sheet 2's first run blocks forever (until killed); later runs finish at once.
    const agent = 'echo run-$MOZART_SHEET_NUM >> "$MOZART_WORKSPACE/runs"; if [ "$MOZART_SHEET_NUM" = 2 ] && [ ! -e "$MOZART_WORKSPACE/blocked-once" ]; then touch "$MOZART_WORKSPACE/blocked-once"; echo blocking; sleep 300; fi; touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"';
    const { dir, scoreFile } = scoreDir(`name: resume
workspace: ./ws
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(agent)}, timeout_seconds: 600 }
sheet: { size: 1, total_items: 3 }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/done-{sheet_num}" }
`);
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../support/run-job-child.ts'), scoreFile, dir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MOZART_LAUNCHER: launcher } });
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      const event = JSON.parse(line) as { type: string; sheet?: number };
      // Output from sheet 2 proves its agent is running (and was recorded) before the kill.
      if (event.type === 'sheet.output' && event.sheet === 2) break;
    }
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const job = prepareJob(scoreFile, dir);
    const before = job.store.current;
    assert.equal(before.sheets['1']!.status, 'completed');
    assert.equal(before.sheets['2']!.status, 'in_progress');
    const orphan = before.sheets['2']!.agent?.pid;
    assert.ok(orphan, 'the running agent was recorded');
    if (launcher === 'off') assert.ok(isAlive(orphan), 'the agent outlived the killed runner (it has its own process group)');
    else assert.ok(await goneSoon(orphan), "the helper stopped the killed runner's agent");

    const state = await job.runner.run();
    job.store.close();
    assert.equal(state.status, 'completed');
    const runs = readFileSync(join(job.workspace, 'runs'), 'utf8').trim().split('\n');
    assert.deepEqual(runs, ['run-1', 'run-2', 'run-2', 'run-3']);
    assert.ok(!isAlive(orphan), "the killed run's agent must be stopped");
  });
}
