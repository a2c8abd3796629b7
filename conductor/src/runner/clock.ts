// The runner's sense of time: what "now" is and how a wait passes. Every wait the runner makes
// (retry backoff, rate-limit and quota waits, the circuit breaker's cooldown, pauses between
// sheets, completion delays) goes through one Clock, so tests run a real job fast by giving it a
// clock whose waits are short, and nothing reads the environment to find out.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Waits `ms` of the job's time; resolves early (never rejects) when `signal` aborts. Returns the
   * epoch ms at which the wait is due to end in real time, known before the wait starts (see `dueAt`).
   */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
  /** The epoch ms (real time) at which a wait of `ms` starting now ends: what status shows as "until". */
  dueAt(ms: number): number;
  /** Real milliseconds from now until `epochMs`, in the job's time (the inverse of dueAt). */
  remaining(epochMs: number): number;
}

/**
 * A clock whose waits last `scale` times as long as asked (1: real time). A scale below 1 is for
 * tests and benches only: the conductor accepts it as its documented test option (see main.ts).
 */
export function scaledClock(scale = 1): Clock {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`A clock's scale must be a positive number, not ${scale}.`);
  return {
    now: () => Date.now(),
    dueAt: (ms) => Date.now() + ms * scale,
    remaining: (epochMs) => (epochMs - Date.now()) / scale,
    wait: async (ms, signal) => {
      try {
        await sleep(ms * scale, undefined, signal ? { signal } : {});
      } catch {
        /* cut short by the signal (pause or cancel) */
      }
    },
  };
}

/** Real time. */
export const systemClock: Clock = scaledClock(1);
