// The board: what the jobs of one conductor — or of every member of a cluster — share while they
// run: rate-limit waits, caps on concurrent agents, and the event stream their watchers follow.
// The local board lives in this process; the cluster's (cluster/board.ts) keeps the same promises
// through Redis, so the job manager and the runner never know which one they talk to.
import type { RunnerEvent } from '../../../protocol/src/events.js';

/**
 * Rate-limit waits shared between jobs: when one job is told to wait, the others on the same
 * backend hold their next attempt until then instead of each hitting the limit in turn.
 */
export interface RateLimitBoard {
  /** Epoch ms until which `key` is rate limited (0 or past: free). */
  until(key: string): number;
  report(key: string, until: number): void;
}

/** Gives the permit back when the agent it was taken for has ended. */
export type ReleaseAgent = () => void;

/** Caps how many agents run at once on one backend (cluster-wide in a cluster; none locally). */
export interface AgentSlots {
  /** Resolves when an agent on `backend` may start; rejects when `signal` aborts first. */
  acquire(backend: string, signal: AbortSignal): Promise<ReleaseAgent>;
}

export interface Board {
  readonly rateLimits: RateLimitBoard;
  readonly agentSlots: AgentSlots;
  /** Hands a runner event to every watcher: this conductor's subscribers, and in a cluster every member's. */
  publish(event: RunnerEvent): void;
}

/** No cap: a single conductor's jobs are limited by --max-jobs and each score's own parallelism. */
export const unlimitedAgents: AgentSlots = {
  acquire: () => Promise.resolve(() => undefined),
};
