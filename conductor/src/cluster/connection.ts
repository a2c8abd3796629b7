// Connections to the cluster's Redis. Every connection reconnects by itself, forever, with a short
// capped backoff: a member that loses Redis keeps its running jobs and picks up where it was when
// Redis answers again. Commands on the way to Redis wait for the reconnection (BullMQ needs that),
// except on the fail-fast connection used to answer users, which says at once that Redis is away.
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { ClusterTarget } from './redis-url.js';

/** Longest pause between two reconnection attempts. */
const MAX_RECONNECT_DELAY_MS = 1000;

/** ioredis options for one connection of this member. */
export function connectionOptions(target: ClusterTarget, role: string, failFast = false): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
    connectionName: `mozart-${role}`,
    // null: a command waits for the reconnection instead of failing after N tries (BullMQ requires it).
    maxRetriesPerRequest: failFast ? 1 : null,
    enableOfflineQueue: !failFast,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), MAX_RECONNECT_DELAY_MS),
    connectTimeout: 5000,
  };
}

/** Opens a connection; its errors are reported to `onError` (ioredis would otherwise print them). */
export function openConnection(target: ClusterTarget, role: string, onError: (error: Error) => void, failFast = false): Redis {
  const redis = new Redis(connectionOptions(target, role, failFast));
  redis.on('error', onError);
  return redis;
}
