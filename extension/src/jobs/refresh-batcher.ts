// Gathers the job store's changes into refreshes for what shows them (the jobs tree and the
// progress notifications), so both show the same counts at the same moment and a busy job never
// refreshes them faster than VS Code can settle: a lone change is shown after `delayMs`, and two
// refreshes are always at least `intervalMs` apart (VS Code's tree waits 200 ms for a refresh to
// settle, and a new one restarts that wait: 2,000 fast sheets refreshed every 120 ms froze it).
// No `vscode` import; the timers are injected so tests drive them without sleeping.

/** What a refresh covers: the ids of the jobs that changed, or every job. */
export type Refresh = { all: true } | { all: false; jobIds: ReadonlySet<string> };

export interface RefreshTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: RefreshTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How long a lone change waits (a burst of events is one refresh). */
export const REFRESH_DELAY_MS = 100;
/** The least time between two refreshes. */
export const REFRESH_INTERVAL_MS = 750;

export class RefreshBatcher {
  private readonly pending = new Set<string>();
  private pendingAll = false;
  private timer: unknown;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<(refresh: Refresh) => void>();
  /** Refreshes delivered so far (the bench and tests count them). */
  flushes = 0;

  constructor(
    private readonly timers: RefreshTimers = realTimers,
    private readonly delayMs = REFRESH_DELAY_MS,
    private readonly intervalMs = REFRESH_INTERVAL_MS,
  ) {}

  /** Calls `listener` with each refresh; returns a function that stops it. */
  onRefresh(listener: (refresh: Refresh) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a refresh is waiting to be delivered. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /** A job changed (its id), or everything did (undefined). */
  schedule(jobId: string | undefined): void {
    if (jobId === undefined) this.pendingAll = true;
    else this.pending.add(jobId);
    if (this.timer !== undefined) return;
    const now = this.timers.now();
    const due = Math.max(now + this.delayMs, this.lastFlush + this.intervalMs);
    this.timer = this.timers.setTimeout(() => this.flush(), due - now);
  }

  /** Delivers what is pending now (a Refresh button; a job that settled and must not wait). */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pendingAll && this.pending.size === 0) return;
    const refresh: Refresh = this.pendingAll ? { all: true } : { all: false, jobIds: new Set(this.pending) };
    this.pendingAll = false;
    this.pending.clear();
    this.lastFlush = this.timers.now();
    this.flushes++;
    for (const listener of [...this.listeners]) listener(refresh);
  }

  dispose(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }
}

/** Whether a refresh covers a job. */
export function covers(refresh: Refresh, jobId: string): boolean {
  return refresh.all || refresh.jobIds.has(jobId);
}
