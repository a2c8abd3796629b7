// Commands that explain a job: `diagnose`, `errors` and `logs` (with --follow, driven by events).
import type { ConductorClient } from '../../../protocol/src/client.js';
import type { DiagnoseReport, JobErrorEntry } from '../../../protocol/src/methods.js';
import { eventLogText } from '../../../protocol/src/event-text.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { EXIT } from '../output.js';
import { bar, c, isEndEvent, print } from './follow.js';
import { withClient } from './jobs.js';
import { eventLineAtLeast } from './log-files.js';
import type { LogLevelName } from './log-files.js';
import { lastLines as tailLines, sheetLogTails } from './original.js';

const time = (iso: string): string => new Date(iso).toLocaleString();

/** `mozart diagnose <job>`: why the job is where it is, and what to do. */
export async function diagnoseCommand(args: { jobId: string; socket?: string; json: boolean; includeLogs?: boolean }): Promise<number> {
  const report = await withClient(args.socket, (client) => client.request('job.diagnose', { jobId: args.jobId }));
  const logs = args.includeLogs ? await sheetLogTails(args.socket, args.jobId, report.failingSheets.map((s) => s.sheet)) : undefined;
  if (args.json) print(JSON.stringify(logs ? { ...report, logs } : report, null, 2));
  else {
    printDiagnosis(report);
    for (const { sheet, tail } of logs ?? []) {
      print('');
      print(c.bold(`Sheet ${sheet} log (last 50 lines):`));
      process.stdout.write(tail || c.dim('  (empty)\n'));
    }
  }
  return report.job.status === 'failed' ? EXIT.failure : EXIT.ok;
}

function printDiagnosis(report: DiagnoseReport): void {
  const { job } = report;
  print(`${c.bold(job.jobId)}: ${job.status} ${bar(job.completedSheets, job.totalSheets)}${job.costUsd > 0 ? `  $${job.costUsd.toFixed(4)}` : ''}`);
  if (job.error) print(c.red(`  ${job.error.code} ${job.error.message}`));
  if (report.failingSheets.length === 0) print(c.green('  No failing sheets.'));
  for (const sheet of report.failingSheets) {
    print('');
    print(c.bold(`Sheet ${sheet.sheet}${sheet.description ? ` (${sheet.description})` : ''}: ${sheet.status}, ${sheet.attempts} attempt${sheet.attempts === 1 ? '' : 's'}`));
    if (sheet.lastError) print(c.red(`  ${sheet.lastError.code} (${sheet.lastError.category}) ${sheet.lastError.message}`));
    for (const v of sheet.validations) {
      const mark = v.status === 'passed' ? c.green('✓') : v.status === 'failed' ? c.red('✗') : c.dim('–');
      print(`  ${mark} [stage ${v.stage}] ${v.description}: ${v.message}`);
    }
    if (sheet.patterns?.length) {
      print(`  Learned patterns in its prompt (${sheet.patterns.length}):`);
      for (const p of sheet.patterns) print(`    ${c.cyan(p.id.slice(0, 10))} ${p.kind} [${p.status}] trust ${p.trust.toFixed(2)}, effectiveness ${p.effectiveness.toFixed(2)}, passed ${p.successes} of ${p.applications} attempts it was in${p.explored ? ', tried by exploration' : ''}: ${p.description}`);
    }
    if (sheet.stderrTail?.trim()) print(c.dim(indent(`stderr (end):\n${lastLines(sheet.stderrTail, 8)}`)));
    if (sheet.stdoutTail?.trim()) print(c.dim(indent(`stdout (end):\n${lastLines(sheet.stdoutTail, 8)}`)));
  }
  if (report.errors.length > 0) {
    print('');
    print(c.bold(`Error history (${report.errors.length}):`));
    for (const e of report.errors.slice(-10)) print(`  ${c.dim(time(e.at))} sheet ${e.sheet} attempt ${e.attempt}: ${e.code} ${e.message}`);
    if (report.errors.length > 10) print(c.dim(`  … ${report.errors.length - 10} earlier; 'mozart errors ${job.jobId}' lists all.`));
  }
  if (report.suggestions.length > 0) {
    print('');
    print(c.bold('What to do:'));
    for (const s of report.suggestions) print(`  • ${s}`);
  }
  if (report.undeliveredNotices?.length) {
    print('');
    print(c.bold('Notifications not delivered:'));
    for (const n of report.undeliveredNotices) print(`  ${c.dim(time(n.at))} ${n.channel} ${n.target} (${n.event}): ${n.message}`);
  }
  print('');
  print(c.bold('Files:'));
  for (const f of report.files) print(`  ${f.label.padEnd(16)} ${f.path}`);
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
const lastLines = (text: string, n: number): string => text.trimEnd().split('\n').slice(-n).join('\n');

/** `mozart errors <job> [--sheet N] [--verbose]`: every error recorded, oldest first. */
export async function errorsCommand(args: { jobId: string; socket?: string; json: boolean; sheet?: number; verbose: boolean; type?: string; code?: string }): Promise<number> {
  const all = await withClient(args.socket, (client) => client.request('job.errors', { jobId: args.jobId, ...(args.sheet !== undefined ? { sheet: args.sheet } : {}) }));
  // -t/--type: the original's transient, rate_limit or permanent; -c/--code: E001 and the like.
  const errors = all.filter((e) => (args.code === undefined || e.code.toLowerCase() === args.code.toLowerCase()) && (args.type === undefined || errorType(e) === args.type));
  if (args.json) {
    print(JSON.stringify(errors, null, 2));
    return EXIT.ok;
  }
  if (errors.length === 0) {
    print(`No errors recorded for job '${args.jobId}'${args.sheet !== undefined ? ` sheet ${args.sheet}` : ''}.`);
    return EXIT.ok;
  }
  for (const e of errors) print(errorLine(e, args.verbose));
  // -V/--verbose, as in the original: the end of each erring sheet's agent output (stdout and stderr).
  if (args.verbose) {
    for (const { sheet, tail } of await sheetLogTails(args.socket, args.jobId, [...new Set(errors.map((e) => e.sheet))], 20)) {
      print(c.bold(`Sheet ${sheet} agent output (last 20 lines; all of it: 'mozart logs ${args.jobId} --sheet ${sheet}'):`));
      print(tail.trimEnd() || c.dim('  (no output recorded)'));
    }
  }
  print(c.dim(`${errors.length} error${errors.length === 1 ? '' : 's'}.${args.verbose ? '' : " --verbose adds categories, what to do and the end of each sheet's agent output."}`));
  return EXIT.ok;
}

/** The original's three error types, from our category. */
function errorType(e: JobErrorEntry): 'transient' | 'rate_limit' | 'permanent' {
  if (/rate|quota/i.test(e.category)) return 'rate_limit';
  return /transient|timeout|network|signal|validation/i.test(e.category) ? 'transient' : 'permanent';
}

function errorLine(e: JobErrorEntry, verbose: boolean): string {
  const head = `${c.dim(time(e.at))}  sheet ${String(e.sheet).padStart(3)}  attempt ${String(e.attempt).padStart(2)}  ${c.red(e.code)}  ${e.message}`;
  if (!verbose) return head;
  return `${head}\n    ${c.dim(`category: ${e.category}`)}${e.suggestion ? `\n    ${c.cyan(`→ ${e.suggestion}`)}` : ''}`;
}

/**
 * `mozart logs <job> [--sheet N] [--follow]`: a sheet's full agent output (every attempt), or the
 * job's event log. --follow keeps reading as the conductor reports new output, until the job stops.
 */
export async function logsCommand(args: { jobId: string; socket?: string; json: boolean; sheet?: number; follow: boolean; lines?: number; level?: LogLevelName }): Promise<number> {
  return withClient(args.socket, async (client) => {
    const reader = new LogReader(client, args.jobId, args.sheet, args.json, args.level);
    if (!args.follow) {
      // -n/--lines N: only the last N lines.
      let text = '';
      if (args.lines) reader.write = (t) => (text += t);
      await reader.drain();
      if (args.lines) process.stdout.write(tailLines(text, args.lines));
      return EXIT.ok;
    }
    let wake: (() => void) | undefined;
    let ended = false;
    client.onEvent = (event: RunnerEvent) => {
      if (event.jobId !== args.jobId) return;
      if (isEndEvent(event)) ended = true;
      wake?.();
    };
    await client.request('events.subscribe', { jobId: args.jobId });
    const state = await client.request('job.status', { jobId: args.jobId });
    ended ||= state.status !== 'running' && state.status !== 'pending';
    for (;;) {
      const woke = new Promise<void>((resolve) => (wake = resolve));
      await reader.drain();
      if (ended) {
        await reader.drain(); // what was written just before the end event
        return EXIT.ok;
      }
      await woke;
    }
  });
}

/** Reads a log chunk by chunk from where it left off. */
class LogReader {
  private offset = 0;
  private partial = '';
  /** Where the text goes (stdout unless collected for --lines). */
  write: (text: string) => void = (text) => void process.stdout.write(text);

  constructor(
    private readonly client: ConductorClient,
    private readonly jobId: string,
    private readonly sheet: number | undefined,
    private readonly raw: boolean,
    /** -l LEVEL: only the event log's events of this level and above (eventLevel). */
    private readonly level?: LogLevelName,
  ) {}

  /** Prints everything written since the last call. */
  async drain(): Promise<void> {
    for (;;) {
      const chunk = await this.client.request('job.logs', { jobId: this.jobId, offset: this.offset, maxBytes: 256 * 1024, ...(this.sheet !== undefined ? { sheet: this.sheet } : {}) });
      if (chunk.nextOffset === this.offset) return;
      this.offset = chunk.nextOffset;
      if (this.sheet !== undefined || (this.raw && this.level === undefined)) this.write(chunk.text);
      else this.printEvents(chunk.text);
    }
  }

  /** The event log is JSON lines; people read one short line per event (--json: the lines as they are). */
  private printEvents(text: string): void {
    const level = this.level;
    if (level === undefined) {
      const next = eventLogText(this.partial, text, c.dim);
      this.partial = next.partial;
      this.write(next.text);
      return;
    }
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const kept = lines.filter((l) => l.trim() && eventLineAtLeast(l, level));
    if (kept.length === 0) return;
    const joined = `${kept.join('\n')}\n`;
    this.write(this.raw ? joined : eventLogText('', joined, c.dim).text);
  }
}
