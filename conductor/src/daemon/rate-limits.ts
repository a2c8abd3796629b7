// The conductor's shared rate-limit board: a wait one job is told to take holds back every job on
// the same backend, so N jobs do not each spend an attempt discovering the same limit.
import type { RateLimitBoard } from './board.js';

export class SharedRateLimits implements RateLimitBoard {
  private readonly waits = new Map<string, number>();

  until(key: string): number {
    const until = this.waits.get(key) ?? 0;
    if (until <= Date.now()) this.waits.delete(key);
    return until;
  }

  report(key: string, until: number): void {
    if (until > (this.waits.get(key) ?? 0)) this.waits.set(key, until);
  }

  /** The waits still in force, for a board that shares them further. */
  current(): [string, number][] {
    const now = Date.now();
    return [...this.waits].filter(([, until]) => until > now);
  }
}
