// An optional cluster-wide cap on concurrent agents per backend ("no more than 4 claude_cli agents
// across the team"). Each running agent holds a lease in a sorted set scored by its expiry; the
// holder renews it while the agent runs, so a member that dies frees its leases when they expire.
// A backend without a cap never touches Redis.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AgentSlots, ReleaseAgent } from '../daemon/board.js';
import type { ClusterKeys } from './keys.js';
import type { Subscriptions } from './subscriptions.js';

// -1: no cap on this backend; 1: lease taken; 0: full.
const ACQUIRE = `
local cap = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
if cap < 0 then return -1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= cap then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
return 1`;

/** Parses `claude_cli=4,command=2` into caps; throws a message naming the bad part. */
export function parseAgentCaps(text: string): Record<string, number> {
  const caps: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z_]+)=(\d+)$/.exec(part);
    if (!match) throw new Error(`'${part}' is not BACKEND=N (for example claude_cli=4).`);
    caps[match[1] as string] = Number(match[2]);
  }
  return caps;
}

export class ClusterAgentSlots implements AgentSlots {
  /** Caps as last read from Redis: while Redis is away, a backend with no cap keeps running freely. */
  private caps: Record<string, number> = {};
  private readonly waiters = new Set<() => void>();
  /** Agents of this member waiting for a slot now, per backend (conductor-status shows them). */
  readonly waiting = new Map<string, number>();
  /** Called whenever an agent of this member starts or stops waiting for a slot. */
  onWaitingChange: (backend: string, waiting: number) => void = () => undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly memberId: string,
    /** How long a lease lives unless renewed. */
    private readonly leaseMs: number,
  ) {}

  async start(subscriptions: Subscriptions): Promise<void> {
    await subscriptions.on(this.keys.agentReleaseChannel, () => this.wakeAll());
    await this.loadCaps();
  }

  /** Sets (n ≥ 0) or removes (undefined) the cluster-wide cap of a backend. */
  async setCap(backend: string, cap: number | undefined): Promise<void> {
    if (cap === undefined) await this.redis.hdel(this.keys.agentCaps, backend);
    else await this.redis.hset(this.keys.agentCaps, backend, String(cap));
    await this.loadCaps();
  }

  async loadCaps(): Promise<Record<string, number>> {
    const all = await this.redis.hgetall(this.keys.agentCaps);
    this.caps = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Number(v)]));
    return this.caps;
  }

  /** Agents holding a lease per backend with a cap, and the cap: for conductor-status. */
  async usage(): Promise<{ backend: string; cap: number; running: number }[]> {
    const caps = await this.loadCaps();
    const now = Date.now();
    return Promise.all(Object.entries(caps).map(async ([backend, cap]) => ({ backend, cap, running: await this.redis.zcount(this.keys.agentLeases(backend), now, '+inf') })));
  }

  async acquire(backend: string, signal: AbortSignal): Promise<ReleaseAgent> {
    const lease = `${this.memberId}/${randomUUID()}`;
    let counted = false;
    const count = (delta: 1 | -1) => {
      const n = (this.waiting.get(backend) ?? 0) + delta;
      if (n > 0) this.waiting.set(backend, n);
      else this.waiting.delete(backend);
      this.onWaitingChange(backend, n);
    };
    try {
      return await this.tryUntilFree(backend, lease, signal, () => {
        if (!counted) count(1);
        counted = true;
      });
    } finally {
      if (counted) count(-1);
    }
  }

  private async tryUntilFree(backend: string, lease: string, signal: AbortSignal, onFull: () => void): Promise<ReleaseAgent> {
    for (;;) {
      signal.throwIfAborted();
      let verdict: number;
      try {
        const now = Date.now();
        verdict = Number(await this.redis.eval(ACQUIRE, 2, this.keys.agentLeases(backend), this.keys.agentCaps, backend, String(now), String(now + this.leaseMs), lease));
      } catch {
        // Redis is away: a backend we know has no cap runs; a capped one waits for Redis.
        if (this.caps[backend] === undefined) return () => undefined;
        verdict = 0;
      }
      if (verdict === -1) {
        delete this.caps[backend];
        return () => undefined;
      }
      if (verdict === 1) return this.hold(backend, lease);
      onFull();
      await this.waitForRelease(signal);
    }
  }

  /** Keeps a lease alive until released. */
  private hold(backend: string, lease: string): ReleaseAgent {
    const key = this.keys.agentLeases(backend);
    const renew = setInterval(() => void this.redis.zadd(key, 'XX', Date.now() + this.leaseMs, lease).catch(() => undefined), Math.max(100, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      void this.redis
        .multi()
        .zrem(key, lease)
        .publish(this.keys.agentReleaseChannel, backend)
        .exec()
        .catch(() => undefined); // the lease expires by itself
    };
  }

  /** Until some lease is released, a lease may have expired (a poll), or the signal aborts. */
  private waitForRelease(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(100, Math.floor(this.leaseMs / 2)));
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
