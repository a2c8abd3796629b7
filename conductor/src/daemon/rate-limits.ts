// The conductor's shared rate-limit board: a wait one job is told to take holds back every job on
// the same backend, so N jobs do not each spend an attempt discovering the same limit.
import type { RateLimitBoard } from './board.js';

/** Where waits are remembered across conductor restarts (the learning store's rate-limit history). */
export interface RateLimitHistory {
  recordRateLimit(backend: string, code: string, until: number): void;
  activeRateLimits(): { backend: string; until: number }[];
}

export class SharedRateLimits implements RateLimitBoard {
  private readonly waits = new Map<string, number>();
  private history: RateLimitHistory | undefined;

  /** Takes up the waits a previous conductor recorded, and records new ones there. */
  remember(history: RateLimitHistory): void {
    this.history = history;
    for (const r of history.activeRateLimits()) if (r.until > (this.waits.get(r.backend) ?? 0)) this.waits.set(r.backend, r.until);
  }

  until(key: string): number {
    const until = this.waits.get(key) ?? 0;
    if (until <= Date.now()) this.waits.delete(key);
    return until;
  }

  report(key: string, until: number): void {
    if (until > (this.waits.get(key) ?? 0)) {
      this.waits.set(key, until);
      try {
        this.history?.recordRateLimit(key, 'rate_limit', until);
      } catch {
        /* the history is a convenience for the next conductor; this one still holds the wait */
      }
    }
  }

  /** The waits still in force, for a board that shares them further. */
  current(): [string, number][] {
    const now = Date.now();
    return [...this.waits].filter(([, until]) => until > now);
  }
}
