// Commands and options that exist for users of the original Mozart: `history`, `pause --wait`,
// `diagnose --include-logs`, `stop --force` (checked to be a conductor), `dashboard`, and the
// adoption of a job by `-w/--workspace`. `logs` without a job is log-files.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ConductorClient } from '../../../protocol/src/client.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { pidFile } from '../../../protocol/src/paths.js';
import { EXIT } from '../output.js';
import { c, isEndEvent, print } from './follow.js';
import { withClient } from './jobs.js';

/**
 * `-w DIR`: the job is found by id within that workspace; a job the conductor does not know is
 * adopted from the workspace's checkpoint (job.adopt). Says so on stderr, so --json stays clean.
 */
export async function adoptFromWorkspace(socket: string | undefined, jobId: string, workspace: string): Promise<void> {
  const summary = await withClient(socket, (client) => client.request('job.adopt', { jobId, workspace: resolve(workspace) }));
  if (summary.adopted) process.stderr.write(`Adopted job '${jobId}' from the checkpoint in ${summary.workspace} (${summary.status}, ${summary.completedSheets}/${summary.totalSheets} sheets done).\n`);
}

/** Reads the whole of a job's event log (or one sheet's output). */
async function readAll(client: ConductorClient, jobId: string, sheet?: number): Promise<string> {
  let offset = 0;
  let text = '';
  for (;;) {
    const chunk = await client.request('job.logs', { jobId, offset, maxBytes: 256 * 1024, ...(sheet !== undefined ? { sheet } : {}) });
    if (chunk.nextOffset === offset) return text;
    offset = chunk.nextOffset;
    text += chunk.text;
  }
}

export interface AttemptRecord {
  sheet: number;
  attempt: number;
  mode: 'normal' | 'completion';
  startedAt: string;
  outcome: 'running' | 'completed' | 'retrying' | 'completion' | 'waiting' | 'failed';
  detail?: string;
  at?: string;
}

/** Every attempt of every sheet, from the job's event log (sheet.started and what followed it). */
export function attemptsFromEvents(log: string): AttemptRecord[] {
  const out: AttemptRecord[] = [];
  const open = new Map<number, AttemptRecord>();
  for (const line of log.split('\n')) {
    if (!line.trim()) continue;
    let event: RunnerEvent;
    try {
      event = JSON.parse(line) as RunnerEvent;
    } catch {
      continue;
    }
    if (!('sheet' in event) || typeof event.sheet !== 'number') continue;
    const num = event.sheet;
    const current = open.get(num);
    const close = (outcome: AttemptRecord['outcome'], detail?: string) => {
      if (!current) return;
      Object.assign(current, { outcome, at: event.at, ...(detail ? { detail } : {}) });
      open.delete(num);
    };
    switch (event.type) {
      case 'sheet.started': {
        const record: AttemptRecord = { sheet: event.sheet, attempt: event.attempt, mode: event.mode, startedAt: event.at, outcome: 'running' };
        out.push(record);
        open.set(event.sheet, record);
        break;
      }
      case 'sheet.completed':
        close('completed', `${(event.durationMs / 1000).toFixed(1)}s`);
        break;
      case 'sheet.retrying':
        close('retrying', `${event.code} ${event.reason}`);
        break;
      case 'sheet.completion':
        close('completion', event.reason);
        break;
      case 'sheet.waiting':
        close('waiting', `${event.wait}: ${event.reason}`);
        break;
      case 'sheet.failed':
        close('failed', `${event.code} ${event.message}`);
        break;
      default:
        break;
    }
  }
  return out;
}

/** `mozart history <job> [-b N] [-n LIMIT]`: the job's attempts, oldest first (the last LIMIT). */
export async function historyCommand(args: { jobId: string; socket?: string; json: boolean; sheet?: number; limit: number }): Promise<number> {
  const log = await withClient(args.socket, (client) => readAll(client, args.jobId));
  const all = attemptsFromEvents(log).filter((a) => args.sheet === undefined || a.sheet === args.sheet);
  const shown = all.slice(-args.limit);
  if (args.json) {
    print(JSON.stringify(shown, null, 2));
    return EXIT.ok;
  }
  if (shown.length === 0) {
    print(`No attempts recorded for job '${args.jobId}'${args.sheet !== undefined ? ` sheet ${args.sheet}` : ''}.`);
    return EXIT.ok;
  }
  for (const a of shown) {
    const colour = a.outcome === 'completed' ? c.green : a.outcome === 'failed' ? c.red : a.outcome === 'running' ? c.cyan : c.yellow;
    print(`${c.dim(new Date(a.startedAt).toLocaleString())}  sheet ${String(a.sheet).padStart(3)}  attempt ${String(a.attempt).padStart(2)}${a.mode === 'completion' ? ' (completion)' : ''}  ${colour(a.outcome)}${a.detail ? `  ${a.detail}` : ''}`);
  }
  if (all.length > shown.length) print(c.dim(`… ${all.length - shown.length} earlier attempts; -n ${all.length} shows them all.`));
  return EXIT.ok;
}

/**
 * Asks a running job to pause and waits until it is no longer running, at most `timeoutSeconds`:
 * false when the time ran out (its running sheets are still finishing; it pauses when they do).
 */
export async function pauseWithin(client: ConductorClient, jobId: string, timeoutSeconds: number): Promise<boolean> {
  let ended: (() => void) | undefined;
  const stopped = new Promise<void>((r) => (ended = r));
  const previous = client.onEvent;
  client.onEvent = (event) => {
    if (event.jobId === jobId && isEndEvent(event)) ended?.();
    previous?.(event);
  };
  await client.request('events.subscribe', { jobId });
  await client.request('job.pause', { jobId });
  if ((await client.request('job.status', { jobId })).status !== 'running') return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutSeconds * 1000)));
  const outcome = await Promise.race([stopped, timedOut]);
  clearTimeout(timer);
  return outcome !== 'timeout';
}

/** `pause --wait [-t SECONDS]`: asks for the pause, then waits until the job is no longer running. */
export async function pauseAndWait(args: { jobId: string; socket?: string; json: boolean; timeoutSeconds: number }): Promise<number> {
  return withClient(args.socket, async (client) => {
    if (!(await pauseWithin(client, args.jobId, args.timeoutSeconds))) {
      process.stderr.write(`mozart pause: job '${args.jobId}' did not pause within ${args.timeoutSeconds}s (its running sheets are still finishing); it will pause when they do.\n`);
      return EXIT.failure;
    }
    const state = await client.request('job.status', { jobId: args.jobId });
    print(args.json ? JSON.stringify(state, null, 2) : `Job '${args.jobId}' is ${state.status}.${state.status === 'paused' ? ` Continue with 'mozart resume ${args.jobId}'.` : ''}`);
    return EXIT.ok;
  });
}

/** `diagnose --include-logs`: the last 50 lines of each failing sheet's log. */
export async function sheetLogTails(socket: string | undefined, jobId: string, sheets: number[], lines = 50): Promise<{ sheet: number; tail: string }[]> {
  return withClient(socket, async (client) => {
    const out: { sheet: number; tail: string }[] = [];
    for (const sheet of sheets) {
      const chunk = await client.request('job.logs', { jobId, sheet, offset: -64 * 1024, maxBytes: 64 * 1024 });
      out.push({ sheet, tail: lastLines(chunk.text, lines) });
    }
    return out;
  });
}

export const lastLines = (text: string, n: number): string => (n <= 0 ? text : text.replace(/\n$/, '').split('\n').slice(-n).join('\n') + (text ? '\n' : ''));

/**
 * `stop --force`: SIGKILL to the conductor (its pid file, or --pid-file); jobs are not paused first.
 * A pid file outlives its conductor, and the pid may since belong to any process: it is killed only
 * when its command line is a Mozart conductor's (dist/conductor.js).
 */
export function forceStop(pidPath: string | undefined): number {
  const path = pidPath ?? pidFile();
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8').trim());
  } catch {
    process.stderr.write(`mozart stop: no pid file at ${path}; no conductor to stop.\n`);
    return EXIT.unusable;
  }
  if (!Number.isInteger(pid) || pid <= 1) {
    process.stderr.write(`mozart stop: ${path} holds no pid ('${readFileSync(path, 'utf8').trim().slice(0, 40)}'); nothing was killed.\n`);
    return EXIT.failure;
  }
  const command = commandLineOf(pid);
  if (command === undefined) {
    process.stderr.write(`mozart stop: pid ${pid} (from ${path}) is not running; the pid file is stale and nothing was killed.\n`);
    return EXIT.failure;
  }
  if (!isConductorCommand(command)) {
    process.stderr.write(`mozart stop: pid ${pid} (from ${path}) is not a Mozart conductor (it runs '${command.join(' ').slice(0, 200)}'); the pid file is stale and nothing was killed.\n`);
    return EXIT.failure;
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    process.stderr.write(`mozart stop: pid ${pid} (from ${path}) could not be killed: ${(error as NodeJS.ErrnoException).code}\n`);
    return EXIT.failure;
  }
  print(`Conductor (pid ${pid}) killed. Its running jobs stay 'running' in their checkpoints; the next conductor resumes them.`);
  return EXIT.ok;
}

/** A conductor runs the bundle conductor.js (from `mozart start`, the extension, or a packed CLI). */
export const isConductorCommand = (args: readonly string[]): boolean => args.some((a) => basename(a) === 'conductor.js');

/** A process's arguments (/proc on Linux, `ps` elsewhere), or undefined when it does not exist. */
function commandLineOf(pid: number): string[] | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
    // A process that has exited but is not reaped yet (a zombie) has no arguments left.
    if (args.length === 0 && /^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return undefined;
    return args;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsSync('/proc/self/cmdline')) return undefined;
  }
  const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
  const line = ps.status === 0 ? ps.stdout.trim() : '';
  return line ? line.split(/\s+/) : undefined;
}

export function dashboardCommand(): number {
  process.stderr.write("mozart dashboard: there is no web dashboard here; the VS Code extension's Mozart view (the Mozart icon in the activity bar) replaces it: jobs, sheets, logs and actions. From a terminal, 'mozart list' and 'mozart status <job> --watch'.\n");
  return EXIT.unusable;
}

