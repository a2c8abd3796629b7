// Large jobs in the editor (issue #16): a 2,000-sheet job of instant sheets (`true` on the command
// backend, a trivial validation) run through a real conductor with `mozart run --watch` alone, then
// again with an editor-equivalent subscriber beside it — the extension's own connection, job store,
// jobs tree and progress follower under the vscode stub (editor-harness.ts), with a stand-in for
// VS Code's tree re-reading what each refresh names. Prints the editor-vs-CLI time ratio, events/s,
// tree refreshes and progress reports per second, the store's fold cost per journal record at
// 2,000 and 10,000 sheets, and the subscriber's heap before the job, after it, and after `mozart clear`.
import * as esbuild from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';

const CLI = resolve('dist/cli.js');
const HARNESS = resolve('scripts/bench/editor-harness.ts');
const STUB = resolve('extension/test/support/vscode-stub.ts');
const SHEETS = Number(process.env.MOZART_BENCH_BIG_SHEETS ?? 2000);

interface LiveReport {
  events: number;
  records: number;
  fires: number;
  itemsRead: number;
  reports: number;
  lastReport?: string;
  listed: boolean;
  completed?: number;
  cpuMs: number;
  baselineMb: number;
  heapMb: number;
}

async function bundleHarness(dir: string): Promise<string> {
  const outfile = join(dir, 'harness.cjs');
  await esbuild.build({ entryPoints: [HARNESS], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', alias: { vscode: STUB }, logLevel: 'warning' });
  return outfile;
}

function writeScore(dir: string, name: string, sheets: number): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}\nworkspace: ./ws-${name}\npause_between_sheets_seconds: 0\nbackend: { type: command, command: "true", timeout_seconds: 60 }\nsheet: { size: 1, total_items: ${sheets} }\nprompt: { template: "sheet {{ sheet_num }}" }\nvalidations:\n  - type: command_succeeds\n    command: "true"\n`,
  );
  return file;
}

/** `mozart run <score> --watch` to the end; its wall-clock ms. */
function runWatched(env: NodeJS.ProcessEnv, file: string): Promise<number> {
  const started = performance.now();
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, 'run', file, '--watch', '--fresh'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? res(performance.now() - started) : rej(new Error(`mozart run exited ${code}: ${err}`))));
  });
}

class Harness {
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];
  constructor(private readonly child: ChildProcess) {
    this.lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }
  next(): Promise<string> {
    return new Promise((res) => this.waiting.push(res));
  }
  async ask(line: string): Promise<LiveReport> {
    const answer = this.next();
    this.child.stdin?.write(`${line}\n`);
    return JSON.parse(await answer) as LiveReport;
  }
  quit(): void {
    this.child.stdin?.write('quit\n');
  }
}

function foldCost(harness: string, sheets: number): { usPerRecord: number } {
  const run = spawnSync(process.execPath, [harness, 'fold', String(sheets)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`fold ${sheets} failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { usPerRecord: number };
}

export async function benchBigJobs(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-big-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = { ...process.env, MOZART_HOME: home };
  delete env.MOZART_SOCKET;
  const mozart = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  try {
    const harness = await bundleHarness(dir);
    console.log(`\nLarge jobs in the editor: ${SHEETS} instant sheets (command backend, one trivial validation), CLI alone vs CLI + the extension's store/tree/progress (vscode stub)`);
    if (mozart('start').status !== 0) throw new Error('conductor did not start');
    const file = writeScore(dir, 'big', SHEETS);
    // A warm-up run (spawns, JIT) so neither measured run pays it.
    await runWatched(env, writeScore(dir, 'warm', 50));
    const cliMs = await runWatched(env, file);
    const child = spawn(process.execPath, ['--expose-gc', harness, 'live'], { env: { ...env, MOZART_SOCKET: join(home, 'run', 'conductor.sock') }, stdio: ['pipe', 'pipe', 'inherit'] });
    const sub = new Harness(child);
    await sub.next(); // 'ready': connected, subscribed, job list read
    const before = await sub.ask('report big');
    const editorMs = await runWatched(env, file);
    const after = await sub.ask('report big');
    mozart('clear', 'big');
    const cleared = await sub.ask('cleared big');
    sub.quit();
    const seconds = editorMs / 1000;
    const row = (label: string, value: string) => console.log(`${label.padEnd(52)}${value.padStart(16)}`);
    row('CLI alone (run --watch)', `${(cliMs / 1000).toFixed(2)} s`);
    row('with the editor-equivalent subscriber', `${seconds.toFixed(2)} s`);
    row('editor / CLI', `${(editorMs / cliMs).toFixed(2)}×  (goal < 1.2×)`);
    row('events + records received', `${after.events - before.events} + ${after.records - before.records}`);
    row('events + records per second', `${((after.events - before.events + after.records - before.records) / seconds).toFixed(0)}/s`);
    row('tree refreshes fired (messages to the page)', `${after.fires - before.fires} (${((after.fires - before.fires) / seconds).toFixed(1)}/s)`);
    row('subscriber CPU during the job', `${((after.cpuMs - before.cpuMs) / 1000).toFixed(2)} s (${(((after.cpuMs - before.cpuMs) / editorMs) * 100).toFixed(1)}% of one core)`);
    row('tree items re-read by the stand-in renderer', `${after.itemsRead - before.itemsRead}`);
    row('progress reports', `${after.reports - before.reports} (${((after.reports - before.reports) / seconds).toFixed(1)}/s)`);
    row('last progress line / store count', `${after.lastReport ?? '-'} / ${after.completed ?? '-'}`);
    row('subscriber heap: before the job', `${before.heapMb.toFixed(1)} MB`);
    row('subscriber heap: job finished', `${after.heapMb.toFixed(1)} MB`);
    row('subscriber heap: after mozart clear', `${cleared.heapMb.toFixed(1)} MB`);
    row('job still listed after mozart clear', cleared.listed ? 'YES' : 'no');
    console.log('Store fold cost per journal record (synthetic records, 2,000 sheets started and completed)');
    for (const sheets of [2000, 10000]) row(`  job of ${sheets} sheets`, `${foldCost(harness, sheets).usPerRecord.toFixed(2)} µs`);
  } finally {
    mozart('stop');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve('scripts/bench/big-jobs.ts')) void benchBigJobs();
