// Checkpoints with timeline spans shaped like the runner records them (conductor/src/runner/
// sheet-loop.ts, job-context.ts): an attempt's agent run then its validations, waits between
// attempts. For the timeline's tests and its bench row (scripts/bench/timeline.ts).
import type { JobState, SheetSpan, SheetState } from '../../../protocol/src/job-state.js';
import { jobState, T0 } from './jobs.js';

export { T0 };

/** An attempt span from `start` lasting `agentMs` + `validationMs`. */
export function attempt(attemptNo: number, start: number, agentMs: number, validationMs: number, outcome: Extract<SheetSpan, { kind: 'attempt' }>['outcome'], costUsd = 0, mode?: 'first' | 'retry' | 'completion'): SheetSpan {
  return { kind: 'attempt', attempt: attemptNo, mode: mode ?? (attemptNo === 1 ? 'first' : 'retry'), start, end: start + agentMs + validationMs, agentMs, validationMs, outcome, costUsd };
}

export function wait(kind: Extract<SheetSpan, { kind: 'wait' }>['wait'], start: number, ms: number): SheetSpan {
  return { kind: 'wait', wait: kind, start, end: start + ms };
}

/** A completed sheet whose spans are `spans` (cost and counters derived from them). */
export function ranSheet(spans: SheetSpan[], patch: Partial<SheetState> = {}): Partial<SheetState> {
  const attempts = spans.filter((s) => s.kind === 'attempt');
  const costUsd = attempts.reduce((n, s) => n + (s.kind === 'attempt' ? s.costUsd : 0), 0);
  const last = attempts[attempts.length - 1];
  return {
    status: last?.kind === 'attempt' && last.outcome === 'completed' ? 'completed' : 'failed',
    attempts: attempts.length,
    retries: attempts.filter((s) => s.kind === 'attempt' && s.mode === 'retry').length,
    rateLimitWaits: spans.filter((s) => s.kind === 'wait' && s.wait === 'rate_limit').length,
    costUsd,
    spans,
    ...patch,
  };
}

/**
 * A big finished job: stage 1 one sheet, stage 2 fanned out to the rest but one, run `parallel`
 * at a time, stage 3 one sheet (`fanOut: false`: every sheet its own stage, one after another).
 * Every fifth sheet fails once and is retried after a backoff, every seventh waits out a rate limit.
 */
export function bigJob(total: number, options: { parallel?: number; fanOut?: boolean } = {}): JobState {
  const parallel = options.parallel ?? 8;
  const fanOut = options.fanOut ?? true;
  const sheets: Record<number, Partial<SheetState>> = {};
  const laneFree = Array.from({ length: parallel }, () => T0);
  let sequentialAt = T0;
  for (let num = 1; num <= total; num++) {
    const inFan = fanOut && num > 1 && num < total;
    const lane = laneFree.indexOf(Math.min(...laneFree));
    const start = inFan ? (laneFree[lane] as number) : Math.max(sequentialAt, ...laneFree);
    const spans: SheetSpan[] = [];
    let at = start;
    if (num % 5 === 0) {
      spans.push(attempt(1, at, 40_000 + (num % 13) * 1000, 2_000, 'retry', 0.01));
      at = spans[spans.length - 1]!.end;
      spans.push(wait('retry', at, 10_000));
      at += 10_000;
    }
    if (num % 7 === 0) {
      spans.push(attempt(spans.length ? 2 : 1, at, 5_000, 0, 'rate_limit', 0.002));
      at = spans[spans.length - 1]!.end;
      spans.push(wait('rate_limit', at, 60_000));
      at += 60_000;
    }
    const n = spans.filter((s) => s.kind === 'attempt').length + 1;
    spans.push(attempt(n, at, 30_000 + (num % 11) * 2000, 3_000, 'completed', 0.02 + (num % 3) * 0.005));
    const end = spans[spans.length - 1]!.end;
    if (!inFan) {
      sequentialAt = end;
      laneFree.fill(end);
    } else {
      laneFree[lane] = end;
      sequentialAt = Math.max(sequentialAt, end);
    }
    sheets[num] = ranSheet(spans, { startedAt: new Date(at).toISOString(), finishedAt: new Date(end).toISOString() });
  }
  const state = jobState({ status: 'completed', totalSheets: total, ...(fanOut && total > 2 ? { fanOutStages: [{ stage: 2, from: 2, to: total - 1 }] } : {}) }, sheets);
  state.costUsd = Object.values(state.sheets).reduce((n, s) => n + s.costUsd, 0);
  return state;
}
