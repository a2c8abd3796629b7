// What this member knows of its Redis connection: up or lost since when, the last error, and the
// round trip of a PING when asked. A pure reducer, so the rules read as a table in the tests.

export interface RedisHealth {
  connected: boolean;
  /** When the connection last went up or down (ISO time). */
  since: string;
  /** Times the connection was lost since the member joined. */
  losses: number;
  lastError?: string;
}

export type ConnectionEvent = { kind: 'ready'; at: string } | { kind: 'lost'; at: string } | { kind: 'error'; message: string };

/** What the member must do after a connection event. */
export type HealthEffect = 'none' | 'stop-taking' | 'resume-taking';

export function nextHealth(health: RedisHealth, event: ConnectionEvent): { health: RedisHealth; effect: HealthEffect } {
  switch (event.kind) {
    case 'ready':
      if (health.connected) return { health, effect: 'none' };
      return { health: { ...health, connected: true, since: event.at }, effect: 'resume-taking' };
    case 'lost':
      if (!health.connected) return { health, effect: 'none' };
      return { health: { ...health, connected: false, since: event.at, losses: health.losses + 1 }, effect: 'stop-taking' };
    case 'error':
      return { health: { ...health, lastError: event.message }, effect: 'none' };
  }
}
