// Runner events of every member through one bounded Redis stream (XADD … MAXLEN ~ N): each member
// appends the events of the jobs it runs and reads everyone else's, so any member's subscribers —
// the CLI, the VS Code tree — follow every job in the cluster. While Redis is away a member keeps
// up to BUFFERED events and sends them when it is back; its own watchers never wait for Redis.
import type { Redis } from 'ioredis';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { ClusterKeys } from './keys.js';

/** Events kept while Redis is away; older ones are dropped first (the checkpoint has the truth). */
const BUFFERED = 5000;

/** An event with the member it came from. */
export interface MemberEvent {
  member: string;
  event: RunnerEvent;
}

/** Decodes one stream entry's fields (`m`, member; `e`, the event as JSON). */
export function decodeEntry(fields: readonly string[]): MemberEvent | undefined {
  let member: string | undefined;
  let json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'm') member = fields[i + 1];
    else if (fields[i] === 'e') json = fields[i + 1];
  }
  if (member === undefined || json === undefined) return undefined;
  try {
    const event = JSON.parse(json) as RunnerEvent;
    return typeof event.type === 'string' && typeof event.jobId === 'string' ? { member, event } : undefined;
  } catch {
    return undefined;
  }
}

export class ClusterEvents {
  private readonly pending: string[] = [];
  private sending = false;
  private closed = false;
  private reading: Promise<void> | undefined;

  constructor(
    /** Appends (fails fast while Redis is away). */
    private readonly redis: Redis,
    /** Blocks in XREAD: a connection of its own. */
    private readonly reader: Redis,
    private readonly keys: ClusterKeys,
    private readonly memberId: string,
    /** Approximate length the stream is trimmed to. */
    private readonly maxLen: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Starts delivering other members' events, from the ones appended after now. */
  async start(deliver: (item: MemberEvent) => void): Promise<void> {
    const last = await this.reader.xrevrange(this.keys.events, '+', '-', 'COUNT', 1);
    let lastId = last[0]?.[0] ?? '0-0';
    this.reading = (async () => {
      while (!this.closed) {
        let batch: [string, [string, string[]][]][] | null;
        try {
          batch = (await this.reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', this.keys.events, lastId)) as [string, [string, string[]][]][] | null;
        } catch (error) {
          if (this.closed) return;
          this.onError(error as Error);
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        for (const [, entries] of batch ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            const item = decodeEntry(fields);
            if (item && item.member !== this.memberId) deliver(item);
          }
        }
      }
    })();
  }

  /** Appends an event of a job this member runs. */
  publish(event: RunnerEvent): void {
    this.pending.push(JSON.stringify(event));
    if (this.pending.length > BUFFERED) this.pending.splice(0, this.pending.length - BUFFERED);
    void this.flush();
  }

  /** Sends what is held back (called again when Redis is back). */
  async flush(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.slice(0, 200);
        const pipeline = this.redis.pipeline();
        for (const json of batch) pipeline.xadd(this.keys.events, 'MAXLEN', '~', this.maxLen, '*', 'm', this.memberId, 'e', json);
        const results = await pipeline.exec();
        const failed = results?.findIndex(([error]) => error) ?? 0;
        const sent = failed === -1 ? batch.length : failed;
        this.pending.splice(0, sent);
        if (failed !== -1) return;
      }
    } catch (error) {
      this.onError(error as Error);
    } finally {
      this.sending = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reader.disconnect();
    await this.reading?.catch(() => undefined);
  }
}
