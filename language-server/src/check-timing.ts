// When to check a score after an edit. A typical score checks in a few milliseconds, so waiting a
// fixed debounce after every keystroke would be almost all of the delay a user sees. Instead: check
// at once (as soon as the messages already received are handled) when the score's last check was
// fast and no check of it is waiting; wait the debounce only when its checks are slow or edits
// arrive faster than they are checked (a burst: an edit came while the last one still waited).

/**
 * A check that costs more than this (CPU time) is slow: checking on every keystroke would make
 * typing lag. CPU time, not wall clock, so other busy processes do not make a fast score look slow.
 */
export const FAST_CHECK_MS = 25;

/** What is known about one score when an edit (or a change to a file it reads) arrives. */
export interface CheckTimingState {
  /** What its recent checks cost (CPU ms; the checker passes the cheaper of the last two), if it was checked before. */
  lastCheckMs: number | undefined;
  /** A check of it is already waiting: 'soon' (at once) or 'debounce'. */
  pending: 'none' | 'soon' | 'debounce';
}

/** How long to wait before the check. */
export type CheckWait = { kind: 'soon' } | { kind: 'debounce'; ms: number };

/** The wait for a score's next check; `debounceMs` is the user's setting. Pure: tested as a table. */
export function waitBeforeCheck(state: CheckTimingState, debounceMs: number): CheckWait {
  if (state.pending !== 'none') return { kind: 'debounce', ms: debounceMs };
  if (state.lastCheckMs !== undefined && state.lastCheckMs > FAST_CHECK_MS) return { kind: 'debounce', ms: debounceMs };
  return { kind: 'soon' };
}

/** The clock and timers the checker uses (injected, so tests can run it without waiting). */
export interface CheckScheduler {
  /** CPU time this process has used, in milliseconds (the cost of a check is the difference). */
  cpuMs(): number;
  /** Runs `run` once the messages already received have been handled; returns a cancel function. */
  soon(run: () => void): () => void;
  /** Runs `run` after `ms`; returns a cancel function. */
  after(ms: number, run: () => void): () => void;
}

/**
 * The real scheduler. vscode-jsonrpc handles one received message per `setImmediate` turn, so two
 * turns let every message that had already arrived (the rest of a burst) be handled first — each
 * of them cancels this check and marks the burst.
 */
export const realScheduler: CheckScheduler = {
  cpuMs: () => {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  },
  soon(run) {
    let inner: NodeJS.Immediate | undefined;
    const outer = setImmediate(() => {
      inner = setImmediate(run);
    });
    return () => {
      clearImmediate(outer);
      if (inner) clearImmediate(inner);
    };
  },
  after(ms, run) {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};
