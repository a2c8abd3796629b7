// `mozart logs` without a job, as the original's: a log file (a workspace's mozart.log with -w DIR,
// -f FILE, else the conductor's $MOZART_HOME/mozart.log), its last N lines, only those of a level
// and above with -l LEVEL, and with --follow what is appended to it until Ctrl-C. The levels are
// those the lines carry: a workspace log's `<time> INFO|WARN|ERROR text` (indented lines below one
// belong to it), the conductor's `<time> debug: text`, or a JSON line's `level` (the original's
// structured log). A line with no level is shown whatever the level asked, and said to be.
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, watch } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { logFile } from '../../../protocol/src/paths.js';
import { EXIT } from '../output.js';

/** The original's levels, lowest first (its logs.py `_LEVEL_ORDER`). */
export const LOG_LEVEL_NAMES = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/** A level as the user spells it (any case; WARN for WARNING), or undefined when it is none. */
export function parseLogLevel(text: string): LogLevelName | undefined {
  const upper = text.toUpperCase();
  const name = upper === 'WARN' ? 'WARNING' : upper;
  return (LOG_LEVEL_NAMES as readonly string[]).includes(name) ? (name as LogLevelName) : undefined;
}

const rank = (level: LogLevelName): number => LOG_LEVEL_NAMES.indexOf(level);

/** The level of one event of a job's event log, as the workspace's mozart.log writes it. */
export function eventLevel(event: RunnerEvent): LogLevelName {
  switch (event.type) {
    case 'job.failed':
    case 'sheet.failed':
      return 'ERROR';
    case 'job.cancelled':
    case 'job.cost_warning':
    case 'job.circuit_open':
    case 'job.notification_failed':
    case 'sheet.validation_failed':
    case 'sheet.retrying':
    case 'sheet.waiting':
    case 'sheet.approval_needed':
    case 'sheet.checkpoint_warning':
    case 'sheet.healing':
      return 'WARNING';
    case 'job.hook':
      return event.ok ? 'INFO' : 'WARNING';
    case 'job.notice':
      return event.level === 'error' ? 'ERROR' : event.level === 'warning' ? 'WARNING' : 'INFO';
    case 'sheet.output':
    case 'job.cost_update':
      return 'DEBUG';
    default:
      return 'INFO';
  }
}

/** Whether an event-log line (JSON) is of `min` or above; a line that is not an event is kept. */
export function eventLineAtLeast(line: string, min: LogLevelName): boolean {
  try {
    return rank(eventLevel(JSON.parse(line) as RunnerEvent)) >= rank(min);
  } catch {
    return true;
  }
}

/**
 * Keeps the lines of `min` and above. Stateful across calls (a followed file comes in pieces): an
 * indented line goes with the line above it. `unlevelled` counts the lines kept for having no level.
 */
export class LevelFilter {
  unlevelled = 0;
  private current: LogLevelName | undefined | 'none' = 'none';

  constructor(private readonly min: LogLevelName | undefined) {}

  keep(line: string): boolean {
    if (this.min === undefined) return true;
    if (/^\s/.test(line) && line.trim() && this.current !== 'none') return this.current === undefined || rank(this.current) >= rank(this.min);
    const level = lineLevel(line);
    this.current = level;
    if (level === undefined) {
      if (line.trim()) this.unlevelled++;
      return true;
    }
    return rank(level) >= rank(this.min);
  }
}

/** The level a log line carries, if any. */
export function lineLevel(line: string): LogLevelName | undefined {
  if (line.startsWith('{')) {
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      return typeof level === 'string' ? parseLogLevel(level) : undefined;
    } catch {
      return undefined;
    }
  }
  const marked = /^\S+ (DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL)\b/.exec(line) ?? /^\S+ (debug):/.exec(line);
  return marked ? parseLogLevel(marked[1] as string) : undefined;
}

/**
 * The log `logs` reads without a job: FILE; else with -w DIR that workspace's mozart.log (or the
 * original's DIR/logs/mozart.log when only that exists); else the conductor's.
 */
export function logPathFor(file: string | undefined, workspace: string | undefined): string {
  if (file !== undefined) return resolve(file);
  if (workspace === undefined) return logFile();
  const ours = join(resolve(workspace), 'mozart.log');
  const original = join(resolve(workspace), 'logs', 'mozart.log');
  return !existsSync(ours) && existsSync(original) ? original : ours;
}

export interface LogFileArgs {
  path: string;
  /** The last N lines (after the level filter); 0: all. With `follow`, undefined: none, only what comes. */
  lines: number | undefined;
  level?: LogLevelName;
  follow: boolean;
}

/** `mozart logs [-w DIR | -f FILE] [-n N] [-l LEVEL] [--follow]`. */
export async function logFileCommand(args: LogFileArgs): Promise<number> {
  let fd: number;
  try {
    fd = openSync(args.path, 'r');
  } catch (error) {
    process.stderr.write(`mozart logs: cannot read ${args.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}${args.path === logFile() ? " (the conductor writes it once started: 'mozart start')" : ''}\n`);
    return EXIT.unusable;
  }
  const filter = new LevelFilter(args.level);
  let offset: number;
  try {
    const size = fstatSync(fd).size;
    offset = size;
    if (args.lines !== undefined) {
      const text = readRange(fd, 0, size);
      const kept = splitLines(text).filter((l) => filter.keep(l));
      const shown = args.lines > 0 ? kept.slice(-args.lines) : kept;
      if (shown.length > 0) process.stdout.write(`${shown.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
  if (!args.follow) {
    noteUnlevelled(args, filter);
    return EXIT.ok;
  }
  return followFile(args.path, offset, filter);
}

function noteUnlevelled(args: LogFileArgs, filter: LevelFilter): void {
  if (args.level === undefined || filter.unlevelled === 0 || args.level === 'DEBUG') return;
  const why = args.path === logFile() ? ": the conductor's log marks only its debug lines" : '';
  process.stderr.write(`mozart logs: ${filter.unlevelled} line${filter.unlevelled === 1 ? '' : 's'} of ${args.path} carr${filter.unlevelled === 1 ? 'ies' : 'y'} no level and ${filter.unlevelled === 1 ? 'is' : 'are'} shown whatever -l says${why}.\n`);
}

const splitLines = (text: string): string[] => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

function readRange(fd: number, from: number, to: number): string {
  const buffer = Buffer.alloc(Math.max(0, to - from));
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read).toString('utf8');
}

/**
 * Prints what is appended to `path` from `offset` on, as it is written (the folder is watched, so a
 * log that is replaced or truncated is read again from its start), until SIGINT or SIGTERM.
 */
function followFile(path: string, offset: number, filter: LevelFilter): Promise<number> {
  let partial = '';
  let position = offset;
  let inode = statOrUndefined(path)?.ino;
  const readNew = (): void => {
    const stat = statOrUndefined(path);
    if (!stat) return;
    if (stat.ino !== inode || stat.size < position) {
      if (inode !== undefined) process.stderr.write(`mozart logs: ${path} was ${stat.ino !== inode ? 'replaced' : 'truncated'}; reading it from its start.\n`);
      inode = stat.ino;
      position = 0;
      partial = '';
    }
    if (stat.size === position) return;
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    try {
      const text = partial + readRange(fd, position, stat.size);
      position = stat.size;
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      const kept = lines.filter((l) => filter.keep(l));
      if (kept.length > 0) process.stdout.write(`${kept.join('\n')}\n`);
    } finally {
      closeSync(fd);
    }
  };
  const name = basename(path);
  const watcher = watch(dirname(path), (_event, file) => {
    if (file === null || file === name) readNew();
  });
  readNew(); // what was written between the first read and the watch
  return new Promise((done) => {
    const stop = (): void => {
      watcher.close();
      if (partial && filter.keep(partial)) process.stdout.write(`${partial}\n`);
      process.stderr.write('Stopped following.\n');
      done(EXIT.ok);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Said once Ctrl-C is handled: from here on it ends the command cleanly.
    process.stderr.write(`Following ${path} (Ctrl-C to stop).\n`);
  });
}

function statOrUndefined(path: string): { ino: number; size: number } | undefined {
  try {
    const s = statSync(path);
    return { ino: s.ino, size: s.size };
  } catch {
    return undefined;
  }
}
