// The cluster's rate-limit board: a wait one member is told to take holds every member's sheets on
// that backend. Each member answers `until` from its own copy (no round trip on the runner's path);
// a report goes to Redis (kept there until it passes) and is announced, and every member folds the
// announcement into its copy. Reports made while Redis is away are sent when it answers again.
import type { Redis } from 'ioredis';
import type { RateLimitBoard } from '../daemon/board.js';
import { SharedRateLimits } from '../daemon/rate-limits.js';
import type { ClusterKeys } from './keys.js';
import type { Subscriptions } from './subscriptions.js';

// Keeps the later of two waits, and announces it.
const REPORT = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PUBLISH', KEYS[2], ARGV[1] .. '\\n' .. ARGV[2])
return 1`;

export class ClusterRateLimits implements RateLimitBoard {
  private readonly local = new SharedRateLimits();
  /** Called when a report (this member's or another's) is announced through Redis. */
  onAnnounced: (key: string, until: number) => void = () => undefined;
  /** Reports Redis has not confirmed yet. */
  private readonly unsent = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Loads the waits in force and follows new ones. */
  async start(subscriptions: Subscriptions): Promise<void> {
    await subscriptions.on(this.keys.rateLimitChannel, (message) => {
      const [key, until] = message.split('\n');
      if (key === undefined || until === undefined) return;
      this.local.report(key, Number(until));
      this.onAnnounced(key, Number(until));
    });
    await this.resync();
  }

  until(key: string): number {
    return this.local.until(key);
  }

  report(key: string, until: number): void {
    this.local.report(key, until);
    this.unsent.set(key, Math.max(until, this.unsent.get(key) ?? 0));
    void this.flush();
  }

  /** After a reconnection: send what was held back, then take in what others reported. */
  async resync(): Promise<void> {
    await this.flush();
    const all = await this.redis.hgetall(this.keys.rateLimits);
    const now = Date.now();
    const expired: string[] = [];
    for (const [key, value] of Object.entries(all)) {
      const until = Number(value);
      if (until > now) this.local.report(key, until);
      else expired.push(key);
    }
    if (expired.length > 0) await this.redis.hdel(this.keys.rateLimits, ...expired);
  }

  private async flush(): Promise<void> {
    for (const [key, until] of [...this.unsent]) {
      if (until <= Date.now()) {
        this.unsent.delete(key);
        continue;
      }
      try {
        await this.redis.eval(REPORT, 2, this.keys.rateLimits, this.keys.rateLimitChannel, key, String(until));
        if (this.unsent.get(key) === until) this.unsent.delete(key);
      } catch (error) {
        this.onError(error as Error);
        return; // Redis is away: resync() sends it when it is back
      }
    }
  }
}
