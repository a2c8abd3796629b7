// Following a job live from its conductor events: one readable line per event that matters and a
// progress bar as sheets finish. Used by `run --watch`, `resume --watch` and `status --watch`.
import type { ConductorClient } from '../../../protocol/src/client.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { EXIT, palette, useColour } from '../output.js';

export const c = palette(useColour(process.stdout));
let quiet = false;
/** `-q/--quiet`: only errors (stderr) and machine output (--json) are printed. */
export const setQuiet = (on: boolean): void => {
  quiet = on;
};
export const print = (text: string): void => {
  if (quiet && !text.startsWith('{') && !text.startsWith('[')) return;
  process.stdout.write(text + '\n');
};

const END_EVENTS: readonly RunnerEvent['type'][] = ['job.completed', 'job.failed', 'job.paused', 'job.cancelled'];

/** True for the event that ends a job's run (completed, failed, paused or cancelled). */
export const isEndEvent = (event: RunnerEvent): boolean => END_EVENTS.includes(event.type);

/** A text progress bar: `[######------] 3/6`. */
export function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

/** The line a watcher prints for an event, or undefined for events not worth a line. */
export function describeEvent(event: RunnerEvent): string | undefined {
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
    case 'sheet.healing': {
      const lines = [
        ...event.applied.map((r) => c.green(`  ✚ sheet ${event.sheet}: self-healing: ${r.message} Retrying with a fresh budget.`)),
        ...event.skipped.map((r) => c.yellow(`  ✚ sheet ${event.sheet}: self-healing (needs --yes): ${r.message}`)),
        ...event.diagnostics.map((r) => c.yellow(`  ✚ sheet ${event.sheet}: self-healing: ${r.message}`)),
      ];
      return lines.length > 0 ? lines.join('\n') : c.dim(`  ✚ sheet ${event.sheet}: self-healing found no remedy for ${event.code}`);
    }
    case 'job.circuit_open':
      return c.yellow(`  circuit breaker open after ${event.failures} failures; next attempt at ${new Date(event.untilMs).toLocaleTimeString()}`);
    case 'job.cluster':
      return c.dim(`  ${event.message}`);
    case 'job.hook':
      return event.ok ? c.dim(`  on_success ${event.index + 1}: ${event.message}`) : c.red(`  on_success ${event.index + 1} failed: ${event.message}`);
    default:
      return undefined;
  }
}

/**
 * Collects one job's events from a subscribed client. Events that arrive before the job is known
 * (a submit in flight) are buffered, so nothing between subscribing and the answer is lost.
 */
export class JobFollower {
  private jobId: string | undefined;
  private readonly early: RunnerEvent[] = [];
  private completed = 0;
  private total = 0;
  private resolveEnd: ((event: RunnerEvent) => void) | undefined;
  /** Resolves with the event that ended the run. */
  readonly ended: Promise<RunnerEvent> = new Promise((resolve) => (this.resolveEnd = resolve));

  constructor(
    client: ConductorClient,
    private readonly quiet: boolean,
  ) {
    client.onEvent = (event) => {
      if (this.jobId === undefined) this.early.push(event);
      else if (event.jobId === this.jobId) this.handle(event);
    };
  }

  /** Starts following `jobId`, counting `completed` of `total` sheets as already done. */
  follow(jobId: string, completed: number, total: number): void {
    this.jobId = jobId;
    this.completed = completed;
    this.total = total;
    for (const event of this.early.splice(0)) if (event.jobId === jobId) this.handle(event);
  }

  private handle(event: RunnerEvent): void {
    if (!this.quiet) {
      const line = describeEvent(event);
      if (line) print(line);
      if (event.type === 'sheet.completed' || event.type === 'sheet.skipped') {
        this.completed++;
        print(c.cyan(`  ${bar(this.completed, this.total)}`));
      }
    }
    if (isEndEvent(event)) this.resolveEnd?.(event);
  }
}

/** The closing line for a job that stopped running, with what to do next. */
export function endLine(state: JobState): string {
  const cost = state.costUsd > 0 ? `, cost $${state.costUsd.toFixed(4)}` : '';
  switch (state.status) {
    case 'completed':
      return c.green(`✓ Job '${state.jobId}' completed: ${state.totalSheets} sheets${cost}. Outputs in ${state.workspace}`);
    case 'paused':
      return c.yellow(`⏸ Job '${state.jobId}' paused. Continue with 'mozart resume ${state.jobId}'.`);
    case 'cancelled':
      return c.yellow(`Job '${state.jobId}' cancelled.`);
    default:
      return c.red(`✗ Job '${state.jobId}' ${state.status}: ${state.error ? `${state.error.code} ${state.error.message}` : ''}\n  See why with 'mozart diagnose ${state.jobId}'; resume from the failed sheet with 'mozart resume ${state.jobId}'.`);
  }
}

/** Waits for the followed job to stop, prints its end, and maps it to an exit code. */
export async function finishFollowing(client: ConductorClient, follower: JobFollower, jobId: string, json: boolean): Promise<number> {
  const end = await follower.ended;
  const state = await client.request('job.status', { jobId });
  print(json ? JSON.stringify(state, null, 2) : endLine(state));
  return end.type === 'job.completed' ? EXIT.ok : EXIT.failure;
}
