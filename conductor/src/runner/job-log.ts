// `<workspace>/mozart.log`: the job's log for people, one line per thing that happened (a sheet's
// attempt starting, each validation's verdict, retries and waits, the outcome with its error code
// and the last 500 characters of the agent's output), appended as the job runs so
// `tail -f workspace/mozart.log` follows it. `logLines` is pure (event + sheet in, lines out);
// `JobLog` keeps the file open and appends each event's lines with one write.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { SheetState } from '../../../protocol/src/job-state.js';
import { jobLogFile } from '../state/workspace-files.js';

/** Output tails in the log are cut to this many characters, as the original's were. */
export const LOG_TAIL_CHARS = 500;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;

/** The last LOG_TAIL_CHARS characters of `text`, marked with … when cut. */
export function logTail(text: string): string {
  return text.length > LOG_TAIL_CHARS ? `…${text.slice(-LOG_TAIL_CHARS)}` : text;
}

/** The output tails worth showing, each as an indented block. */
function tails(sheet: SheetState | undefined): string[] {
  const out: string[] = [];
  for (const [name, text] of [['stdout', sheet?.stdoutTail], ['stderr', sheet?.stderrTail]] as const) {
    const trimmed = text?.replace(/\s+$/, '');
    if (!trimmed) continue;
    out.push(`  ${name} (last ${LOG_TAIL_CHARS} chars):`, ...logTail(trimmed).split('\n').map((line) => `    | ${line}`));
  }
  return out;
}

type Level = 'INFO' | 'WARN' | 'ERROR';

/** What one event says, as (level, text) plus indented detail lines; undefined for events the log leaves out. */
function describe(event: RunnerEvent, sheet: SheetState | undefined): { level: Level; text: string; detail?: string[] } | undefined {
  switch (event.type) {
    case 'job.started':
      return { level: 'INFO', text: `job ${event.jobId} started${event.message ? `: ${event.message}` : ''}` };
    case 'job.completed':
      return { level: 'INFO', text: `job ${event.jobId} completed` };
    case 'job.pausing':
      return { level: 'INFO', text: `job ${event.jobId} pausing${event.message ? `: ${event.message}` : ''}` };
    case 'job.paused':
      return { level: 'INFO', text: `job ${event.jobId} paused (resume with 'mozart resume ${event.jobId}')` };
    case 'job.cancelled':
      return { level: 'WARN', text: `job ${event.jobId} cancelled` };
    case 'job.failed':
      return { level: 'ERROR', text: `job ${event.jobId} failed [${event.code}]: ${event.message}` };
    case 'job.cost_warning':
      return { level: 'WARN', text: event.message };
    case 'job.circuit_open':
      return { level: 'WARN', text: `circuit breaker open after ${event.failures} consecutive failures; waiting until ${new Date(event.untilMs).toISOString()}` };
    case 'job.hook':
      return { level: event.ok ? 'INFO' : 'WARN', text: `on_success hook ${event.index + 1} ${event.ok ? 'ran' : 'failed'}: ${event.message}` };
    case 'job.archived':
    case 'job.state_repaired':
    case 'job.cluster':
      return { level: 'INFO', text: event.message };
    case 'sheet.started':
      return { level: 'INFO', text: `sheet ${event.sheet}: attempt ${event.attempt} started${event.mode === 'completion' ? ' (completion prompt)' : ''}` };
    case 'sheet.validation_passed':
      return { level: 'INFO', text: `sheet ${event.sheet}: validation passed: ${event.rule.description || event.rule.type} (${event.rule.type})` };
    case 'sheet.validation_failed':
      return { level: 'WARN', text: `sheet ${event.sheet}: validation failed: ${event.rule.description || event.rule.type} (${event.rule.type})${event.rule.message ? `: ${event.rule.message}` : ''}` };
    case 'sheet.retrying':
      return { level: 'WARN', text: `sheet ${event.sheet}: retrying as attempt ${event.attempt} in ${seconds(event.delayMs)} after [${event.code}]: ${event.reason}`, detail: tails(sheet) };
    case 'sheet.completion':
      return { level: 'INFO', text: `sheet ${event.sheet}: partly done; completion prompt in ${seconds(event.delayMs)}: ${event.reason}` };
    case 'sheet.waiting':
      return { level: 'WARN', text: `sheet ${event.sheet}: ${event.wait === 'quota' ? 'usage quota exhausted' : 'rate limited'}; waiting until ${new Date(event.until).toISOString()}: ${event.reason}` };
    case 'sheet.completed':
      return { level: 'INFO', text: `sheet ${event.sheet}: completed after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'} in ${seconds(event.durationMs)}${sheet?.exitCode !== undefined && sheet.exitCode !== null ? ` (exit code ${sheet.exitCode})` : ''}`, detail: tails(sheet) };
    case 'sheet.failed':
      return { level: 'ERROR', text: `sheet ${event.sheet}: failed [${event.code}]: ${event.message}${sheet?.exitCode !== undefined && sheet.exitCode !== null ? ` (exit code ${sheet.exitCode})` : ''}`, detail: tails(sheet) };
    case 'sheet.skipped':
      return { level: 'INFO', text: `sheet ${event.sheet}: skipped: ${event.reason}` };
    case 'sheet.approval_needed':
      return { level: 'WARN', text: `sheet ${event.sheet}: waiting for approval (${event.trigger}): ${event.message} ('mozart approve ${event.jobId} --sheet ${event.sheet}')` };
    case 'sheet.approved':
      return { level: 'INFO', text: `sheet ${event.sheet}: ${event.decision === 'skip' ? 'skipped by a person' : 'approved'}` };
    case 'sheet.checkpoint_warning':
      return { level: 'WARN', text: `sheet ${event.sheet}: checkpoint ${event.trigger}: ${event.message}` };
    case 'sheet.healing': {
      const notes = [...event.applied.map((n) => `applied ${n.name}: ${n.message}`), ...event.skipped.map((n) => `not applied ${n.name}: ${n.message}`), ...event.diagnostics.map((n) => `${n.name}: ${n.message}`)];
      return { level: 'WARN', text: `sheet ${event.sheet}: self-healing after [${event.code}]`, detail: notes.map((n) => `  ${n}`) };
    }
    default:
      // sheet.output is in .mozart/logs/; cost updates, notices and notification failures are elsewhere.
      return undefined;
  }
}

/** The lines an event adds to mozart.log (none for events it leaves out), newline-terminated. */
export function logLines(event: RunnerEvent, sheet: SheetState | undefined): string {
  const said = describe(event, sheet);
  if (!said) return '';
  const lines = [`${event.at} ${said.level.padEnd(5)} ${said.text}`, ...(said.detail ?? [])];
  return lines.join('\n') + '\n';
}

/**
 * The open log file of one run of a job. Best effort: a log that cannot be written never stops the
 * job (its checkpoint and sheet logs do), but the first line it loses is told to `warn`, once, so
 * a log with a gap never looks complete.
 */
export class JobLog {
  private fd: number | undefined;
  private opened = false;
  private warned = false;
  /** Time spent formatting and appending, in ms (the bench). */
  busyMs = 0;

  constructor(
    private readonly workspace: string,
    private readonly warn?: (message: string) => void,
  ) {}

  event(event: RunnerEvent, sheet: SheetState | undefined): void {
    const started = performance.now();
    try {
      this.append(logLines(event, sheet));
    } finally {
      this.busyMs += performance.now() - started;
    }
  }

  private append(text: string): void {
    if (!text) return;
    if (!this.opened) {
      // Opened with the first line, once the runner has made the workspace.
      this.opened = true;
      try {
        this.fd = openSync(jobLogFile(this.workspace), 'a', 0o644);
      } catch (error) {
        this.fd = undefined;
        this.lost(error);
      }
    }
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, text);
    } catch (error) {
      this.lost(error); // a full disk costs the log, not the job
    }
  }

  private lost(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.warn?.(`The job's log ${jobLogFile(this.workspace)} could not be written (${(error as Error).message}); lines from here on are missing from it. The job goes on.`);
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already gone */
    }
    this.fd = undefined;
    this.opened = false;
  }
}
