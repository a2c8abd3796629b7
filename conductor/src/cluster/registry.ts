// The cluster's registry of jobs: every job any member submitted, kept in a Redis hash so `list`
// on any member shows the whole cluster. Each member answers from its own copy (the job manager
// asks often and must not wait for Redis); changes are written through, announced, and folded
// into every member's copy. A change made while Redis is away is sent when it is back.
import type { Redis } from 'ioredis';
import type { JobRegistryStore, RegistryEntry } from '../daemon/registry.js';
import type { ClusterKeys } from './keys.js';
import type { Subscriptions } from './subscriptions.js';

export class ClusterRegistry implements JobRegistryStore {
  private readonly known = new Map<string, RegistryEntry>();
  /** Job ids whose change Redis has not confirmed yet (undefined entry: a removal). */
  private readonly unsent = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    /** What the health check reports for the registry. */
    readonly dir: string,
    private readonly onError: (error: Error) => void,
  ) {}

  async start(subscriptions: Subscriptions): Promise<void> {
    await subscriptions.on(this.keys.registryChannel, (jobId) => void this.refresh(jobId).catch(this.onError));
    await this.resync();
  }

  get size(): number {
    return this.known.size;
  }

  entries(): RegistryEntry[] {
    return [...this.known.values()];
  }

  get(jobId: string): RegistryEntry | undefined {
    return this.known.get(jobId);
  }

  put(entry: RegistryEntry): void {
    this.known.set(entry.jobId, entry);
    this.unsent.add(entry.jobId);
    void this.flush();
  }

  remove(jobId: string): void {
    this.known.delete(jobId);
    this.unsent.add(jobId);
    void this.flush();
  }

  /** After a (re)connection: send this member's unsent changes, then read everyone's. */
  async resync(): Promise<void> {
    await this.flush();
    const all = await this.redis.hgetall(this.keys.jobs);
    for (const id of [...this.known.keys()]) if (!(id in all) && !this.unsent.has(id)) this.known.delete(id);
    for (const [id, json] of Object.entries(all)) {
      if (this.unsent.has(id)) continue;
      const entry = parse(json);
      if (entry) this.known.set(id, entry);
    }
  }

  private async refresh(jobId: string): Promise<void> {
    if (this.unsent.has(jobId)) return;
    const entry = parse(await this.redis.hget(this.keys.jobs, jobId));
    if (entry) this.known.set(jobId, entry);
    else this.known.delete(jobId);
  }

  private async flush(): Promise<void> {
    for (const jobId of [...this.unsent]) {
      const entry = this.known.get(jobId);
      try {
        const tx = this.redis.multi();
        if (entry) tx.hset(this.keys.jobs, jobId, JSON.stringify(entry));
        else tx.hdel(this.keys.jobs, jobId);
        await tx.publish(this.keys.registryChannel, jobId).exec();
        if (this.known.get(jobId) === entry) this.unsent.delete(jobId);
      } catch (error) {
        this.onError(error as Error);
        return;
      }
    }
  }
}

function parse(json: string | null): RegistryEntry | undefined {
  if (!json) return undefined;
  try {
    const entry = JSON.parse(json) as RegistryEntry;
    return typeof entry.jobId === 'string' && typeof entry.workspace === 'string' && typeof entry.scoreFile === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}
