// A backend whose agents first take a slot from the board's agent cap (cluster-wide in a cluster,
// when one is set for the backend), so the runner needs to know nothing about caps. A sheet
// stopped while it waits for a slot ends like an agent that was cancelled before it started.
import type { AgentRequest, AgentResult, Backend } from '../backends/types.js';
import type { AgentSlots } from './board.js';

export function cappedBackend(inner: Backend, slots: AgentSlots, backendType: string): Backend {
  return {
    name: inner.name,
    async execute(request: AgentRequest, signal: AbortSignal): Promise<AgentResult> {
      let release: () => void;
      try {
        release = await slots.acquire(backendType, signal);
      } catch {
        return { exitCode: null, signal: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, cancelled: true };
      }
      try {
        return await inner.execute(request, signal);
      } finally {
        release();
      }
    },
  };
}
