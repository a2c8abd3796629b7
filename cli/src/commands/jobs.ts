// Job commands that talk to the conductor: start, stop, conductor-status, run, status, list, pause,
// resume, cancel. Output is readable in a terminal; --json gives the conductor's answer as is.
import { resolve } from 'node:path';
import type { ConductorClient } from '../../../conductor/src/protocol/client.js';
import type { JobSummary } from '../../../conductor/src/protocol/methods.js';
import type { RunnerEvent } from '../../../conductor/src/runner/events.js';
import type { JobState } from '../../../conductor/src/state/job-state.js';
import { connectConductor, startConductor } from '../conductor.js';
import { EXIT, palette, useColour } from '../output.js';

const c = palette(useColour(process.stdout));
const print = (text: string) => process.stdout.write(text + '\n');

async function withClient<T>(socket: string | undefined, fn: (client: ConductorClient) => Promise<T>): Promise<T> {
  const client = await connectConductor(socket);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export async function startCommand(socket?: string): Promise<number> {
  const started = await startConductor(socket);
  print(`Conductor started (pid ${started.pid}) on ${started.socket}; log: ${started.log}`);
  return EXIT.ok;
}

export async function stopCommand(socket?: string): Promise<number> {
  await withClient(socket, async (client) => {
    const closed = new Promise<void>((r) => (client.onClose = r));
    await client.request('daemon.shutdown', {});
    await closed; // the conductor closes connections once running jobs are paused and checkpointed
  });
  print('Conductor stopped; running jobs were paused and can be resumed after the next start.');
  return EXIT.ok;
}

export async function conductorStatusCommand(socket: string | undefined, json: boolean): Promise<number> {
  const status = await withClient(socket, (client) => client.request('daemon.status', {}));
  if (json) print(JSON.stringify(status, null, 2));
  else {
    print(`Conductor ${status.version}: pid ${status.pid}, up ${status.uptimeSeconds}s, ${status.jobs.running} running of ${status.jobs.total} jobs`);
    print(`  socket ${status.socket}, memory ${(status.rssBytes / 1024 / 1024).toFixed(1)} MB`);
  }
  return EXIT.ok;
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

function describeEvent(event: RunnerEvent): string | undefined {
  switch (event.type) {
    case 'sheet.started':
      return c.dim(`  sheet ${event.sheet}: started (attempt ${event.attempt}${event.mode === 'completion' ? ', completion' : ''})`);
    case 'sheet.completed':
      return c.green(`  ✓ sheet ${event.sheet} completed (${event.attempts} attempt${event.attempts === 1 ? '' : 's'}, ${(event.durationMs / 1000).toFixed(1)}s)`);
    case 'sheet.skipped':
      return c.dim(`  – sheet ${event.sheet} skipped: ${event.reason}`);
    case 'sheet.retrying':
      return c.yellow(`  ↻ sheet ${event.sheet}: ${event.code}, retrying in ${(event.delayMs / 1000).toFixed(0)}s (attempt ${event.attempt}): ${event.reason}`);
    case 'sheet.completion':
      return c.yellow(`  ↻ sheet ${event.sheet}: ${event.reason} Sending a completion prompt.`);
    case 'sheet.waiting':
      return c.yellow(`  ⏸ sheet ${event.sheet}: ${event.wait === 'quota' ? 'quota exhausted' : 'rate limited'}, waiting until ${new Date(event.until).toLocaleTimeString()} (no retry spent)`);
    case 'sheet.failed':
      return c.red(`  ✗ sheet ${event.sheet} failed: ${event.code} ${event.message}`);
    case 'sheet.validation_failed':
      return c.dim(`    ✗ ${event.rule.description}: ${event.rule.message}`);
    default:
      return undefined;
  }
}

/** `mozart run <score>`: submits the job; with --watch, follows it to the end. */
export async function runCommand(args: { score: string; socket?: string; fresh: boolean; watch: boolean; json: boolean }): Promise<number> {
  return withClient(args.socket, async (client) => {
    const events: RunnerEvent[] = [];
    let finish: ((e: RunnerEvent) => void) | undefined;
    const finished = new Promise<RunnerEvent>((r) => (finish = r));
    const job: { id?: string; summary?: JobSummary } = {};
    const handle = (event: RunnerEvent) => {
      if (args.json) return;
      const line = describeEvent(event);
      if (line) print(line);
      if ((event.type === 'sheet.completed' || event.type === 'sheet.skipped') && job.summary) {
        job.summary.completedSheets++;
        print(c.cyan(`  ${bar(job.summary.completedSheets, job.summary.totalSheets)}`));
      }
    };
    client.onEvent = (event) => {
      if (job.id === undefined) events.push(event);
      else if (event.jobId === job.id) handle(event);
      if (event.jobId === job.id && ['job.completed', 'job.failed', 'job.paused', 'job.cancelled'].includes(event.type)) finish?.(event);
    };
    if (args.watch) await client.request('events.subscribe', {});
    const summary = await client.request('job.submit', { scoreFile: resolve(args.score), fresh: args.fresh });
    job.summary = summary;
    const jobId = summary.jobId;
    if (!args.json) print(`Job '${summary.jobId}' started: ${summary.totalSheets} sheets, workspace ${summary.workspace}`);
    if (!args.watch) {
      if (args.json) print(JSON.stringify(summary, null, 2));
      else print(`Follow it with 'mozart status ${summary.jobId} --watch'.`);
      return EXIT.ok;
    }
    summary.completedSheets = 0;
    job.id = jobId;
    for (const event of events.filter((e) => e.jobId === jobId)) {
      handle(event);
      if (['job.completed', 'job.failed', 'job.paused', 'job.cancelled'].includes(event.type)) finish?.(event);
    }
    const end = await finished;
    const state = await client.request('job.status', { jobId });
    if (args.json) print(JSON.stringify(state, null, 2));
    else print(endLine(state));
    return end.type === 'job.completed' ? EXIT.ok : EXIT.failure;
  });
}

function endLine(state: JobState): string {
  const cost = state.costUsd > 0 ? `, cost $${state.costUsd.toFixed(4)}` : '';
  switch (state.status) {
    case 'completed':
      return c.green(`✓ Job '${state.jobId}' completed: ${state.totalSheets} sheets${cost}. Outputs in ${state.workspace}`);
    case 'paused':
      return c.yellow(`⏸ Job '${state.jobId}' paused. Continue with 'mozart resume ${state.jobId}'.`);
    case 'cancelled':
      return c.yellow(`Job '${state.jobId}' cancelled.`);
    default:
      return c.red(`✗ Job '${state.jobId}' ${state.status}: ${state.error ? `${state.error.code} ${state.error.message}` : ''}\n  Resume from the failed sheet with 'mozart resume ${state.jobId}'.`);
  }
}

const STATUS_ICON: Record<string, string> = { completed: '✓', failed: '✗', in_progress: '▶', pending: '·', skipped: '–' };

export async function statusCommand(args: { jobId: string; socket?: string; json: boolean }): Promise<number> {
  const state = await withClient(args.socket, (client) => client.request('job.status', { jobId: args.jobId }));
  if (args.json) {
    print(JSON.stringify(state, null, 2));
    return EXIT.ok;
  }
  const sheets = Object.entries(state.sheets);
  const done = sheets.filter(([, s]) => s.status === 'completed' || s.status === 'skipped').length;
  print(`${c.bold(state.jobId)}: ${state.status} ${bar(done, state.totalSheets)}${state.costUsd > 0 ? `  $${state.costUsd.toFixed(4)}` : ''}`);
  if (state.error) print(c.red(`  ${state.error.code} ${state.error.message}`));
  for (const [num, s] of sheets) {
    const waiting = s.waitingUntil ? ` — ${s.waitReason ?? 'waiting'} until ${new Date(s.waitingUntil).toLocaleTimeString()}` : '';
    const error = s.status === 'failed' && s.lastError ? ` — ${s.lastError.code} ${s.lastError.message}` : '';
    print(`  ${STATUS_ICON[s.status] ?? '?'} sheet ${num.padStart(3)} ${s.status.padEnd(11)} attempts ${s.attempts}${waiting}${error}`);
  }
  return state.status === 'failed' ? EXIT.failure : EXIT.ok;
}

export async function listCommand(args: { socket?: string; all: boolean; json: boolean }): Promise<number> {
  const jobs = await withClient(args.socket, (client) => client.request('job.list', { all: args.all }));
  if (args.json) print(JSON.stringify(jobs, null, 2));
  else if (jobs.length === 0) print(args.all ? 'No jobs.' : "No active jobs. 'mozart list --all' shows finished ones too.");
  else for (const j of jobs) print(`${j.jobId.padEnd(28)} ${j.status.padEnd(10)} ${bar(j.completedSheets, j.totalSheets, 12)}  ${j.workspace}`);
  return EXIT.ok;
}

export async function jobActionCommand(action: 'pause' | 'resume' | 'cancel', args: { jobId: string; socket?: string; json: boolean }): Promise<number> {
  const summary = await withClient(args.socket, (client) => client.request(`job.${action}`, { jobId: args.jobId }));
  if (args.json) print(JSON.stringify(summary, null, 2));
  else {
    const words = { pause: 'will pause at the next safe point (running sheets finish first)', resume: 'resumed', cancel: 'is being cancelled' };
    print(`Job '${summary.jobId}' ${words[action]}.`);
  }
  return EXIT.ok;
}
