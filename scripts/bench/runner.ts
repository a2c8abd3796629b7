// Runner overhead: a job whose agent is `true` on the command backend, for 10, 1,000 and 10,000
// sheets, per sheet, next to the bare cost of spawning `true` measured in the same run; then the
// same jobs with the original's files (`<workspace>/<job-id>.json` and `mozart.log`) off and on,
// so their cost per sheet shows, and whether it grows with the job's size.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../conductor/src/backends/create.js';
import { initialJobState, JobRunner } from '../../conductor/src/runner/job-runner.js';
import { checkScore } from '../../score/src/engine.js';
import { applyJobRecord } from '../../protocol/src/job-state.js';
import type { JobRecord, JobState } from '../../protocol/src/job-state.js';
import { JournalStore } from '../../conductor/src/state/journal-store.js';

function spawnTrue(): Promise<void> {
  return new Promise((resolve) => spawn('/bin/sh', ['-c', 'true'], { stdio: 'ignore', detached: true }).on('close', () => resolve()));
}

async function bareSpawnMs(count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await spawnTrue();
  return (performance.now() - started) / count;
}

export async function jobMsPerSheet(sheets: number, originalFiles = true): Promise<{ msPerSheet: number; viewBytes: number; busyMsPerSheet: number; viewWrites: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-'));
  const file = join(dir, 'score.yaml');
  writeFileSync(file, `name: bench\nworkspace: ./ws\npause_between_sheets_seconds: 0\nbackend: { type: command, command: "true", timeout_seconds: 60 }\nsheet: { size: 1, total_items: ${sheets} }\nprompt: { template: "sheet {{ sheet_num }}" }\n`);
  const checked = checkScore(file, readFileSync(file, 'utf8'));
  if (!checked.score || !checked.plan || !checked.workspace) throw new Error('bench score invalid');
  const { score, plan, workspace } = checked;
  const store = JournalStore.open<JobState, JobRecord>({ dir: join(workspace, '.mozart', 'state'), apply: (s, r) => applyJobRecord(s, r) }, initialJobState({ jobId: 'bench', scoreFile: file, score, plan, workspace }));
  const runner = new JobRunner({ jobId: 'bench', scoreFile: file, score, plan, workspace, backend: createBackend(score, file), store, originalFiles });
  const started = performance.now();
  const state = await runner.run();
  const elapsed = performance.now() - started;
  store.close();
  let viewBytes = 0;
  try {
    viewBytes = statSync(join(workspace, 'bench.json')).size;
  } catch {
    /* files off */
  }
  rmSync(dir, { recursive: true, force: true });
  if (state.status !== 'completed') throw new Error(`bench job ended ${state.status}`);
  const cost = runner.filesCost();
  return { msPerSheet: elapsed / sheets, viewBytes, busyMsPerSheet: cost.busyMs / sheets, viewWrites: cost.viewWrites };
}

/** Prints the table; sizes can be narrowed with MOZART_BENCH_SHEETS=10,1000. */
export async function benchRunner(): Promise<void> {
  const sizes = (process.env.MOZART_BENCH_SHEETS ?? '10,1000,10000').split(',').map(Number);
  console.log('\nRunner overhead per sheet (agent: `true` on the command backend; no validations)');
  console.log(`${'sheets'.padEnd(10)}${'bare spawn ms'.padStart(15)}${'job ms/sheet'.padStart(15)}${'overhead ms'.padStart(14)}${'job / spawn'.padStart(13)}`);
  for (const sheets of sizes) {
    const bare = await bareSpawnMs(Math.min(sheets, 500));
    const perSheet = (await jobMsPerSheet(sheets)).msPerSheet;
    console.log(`${String(sheets).padEnd(10)}${bare.toFixed(2).padStart(15)}${perSheet.toFixed(2).padStart(15)}${(perSheet - bare).toFixed(2).padStart(14)}${(perSheet / bare).toFixed(2).padStart(12)}×`);
  }
  console.log("\nThe original's files (<workspace>/<job-id>.json rewritten from the changed sheets at most every 500 ms, mozart.log appended per event): per sheet, off then on");
  console.log('(wall clock includes the spawn, whose cost varies run to run; "loop ms/sheet" is the time the files held the event loop, measured inside the run)');
  console.log(`${'sheets'.padEnd(10)}${'off ms/sheet'.padStart(15)}${'on ms/sheet'.padStart(15)}${'loop ms/sheet'.padStart(15)}${'view writes'.padStart(13)}${'view size'.padStart(12)}`);
  for (const sheets of sizes.filter((n) => n >= 1000)) {
    const off = (await jobMsPerSheet(sheets, false)).msPerSheet;
    const on = await jobMsPerSheet(sheets, true);
    console.log(`${String(sheets).padEnd(10)}${off.toFixed(3).padStart(15)}${on.msPerSheet.toFixed(3).padStart(15)}${on.busyMsPerSheet.toFixed(4).padStart(15)}${String(on.viewWrites).padStart(13)}${`${(on.viewBytes / 1048576).toFixed(1)} MiB`.padStart(12)}`);
  }
}
