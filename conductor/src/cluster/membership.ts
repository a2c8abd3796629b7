// Who is in the cluster: each member keeps a heartbeat key alive in Redis (its info as JSON, with a
// time to live). A member whose key expired is gone — killed, its machine lost, or cut off — and
// its jobs are taken over once their queue locks expire too.
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';

/** What the cluster knows of one member. */
export interface MemberInfo {
  id: string;
  host: string;
  pid: number;
  version: string;
  /** Jobs it runs at once at most (--max-jobs). */
  maxJobs: number;
  /** Ids of the jobs it runs right now. */
  running: string[];
  startedAt: string;
  heartbeatAt: string;
}

/** Parses heartbeat values (null: expired) into the live members, sorted by id. */
export function liveMembers(values: readonly (string | null)[]): MemberInfo[] {
  const out: MemberInfo[] = [];
  for (const value of values) {
    if (value === null) continue;
    try {
      const info = JSON.parse(value) as MemberInfo;
      if (typeof info.id === 'string' && Array.isArray(info.running)) out.push(info);
    } catch {
      /* a value we cannot read is no member */
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export class Membership {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly self: Omit<MemberInfo, 'running' | 'heartbeatAt'>,
    private readonly running: () => string[],
    /** How long a heartbeat lives; it is renewed three times in that span. */
    private readonly ttlMs: number,
  ) {}

  get id(): string {
    return this.self.id;
  }

  /** Announces this member and keeps announcing it until leave(). */
  async join(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Renews the heartbeat now (also after a change of running jobs, so the view stays current). */
  beat(): Promise<void> {
    // One heartbeat at a time: a slow Redis must not pile them up; a change meanwhile beats again.
    if (this.beating) {
      this.again = true;
      return this.beating;
    }
    this.beating = (async () => {
      try {
        do {
          this.again = false;
          const info: MemberInfo = { ...this.self, running: this.running(), heartbeatAt: new Date().toISOString() };
          await this.redis.multi().set(this.keys.member(this.self.id), JSON.stringify(info), 'PX', this.ttlMs).sadd(this.keys.members, this.self.id).exec();
        } while (this.again);
      } finally {
        this.beating = undefined;
      }
    })();
    return this.beating;
  }

  /** The members alive now; ids whose heartbeat expired are pruned from the set as a side effect. */
  async members(): Promise<MemberInfo[]> {
    const ids = await this.redis.smembers(this.keys.members);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.keys.member(id)));
    const dead = ids.filter((_, i) => values[i] === null);
    if (dead.length > 0) await this.redis.srem(this.keys.members, ...dead);
    return liveMembers(values);
  }

  /** Stops the heartbeat and removes this member at once (a graceful stop). */
  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.beating?.catch(() => undefined);
    await this.redis.multi().del(this.keys.member(this.self.id)).srem(this.keys.members, this.self.id).exec();
  }
}
