// One channel's queue. `push` returns at once; deliveries run one at a time in the background, in
// order. A channel that cannot keep up (a webhook timing out on every notice) loses its oldest
// pending notices, never memory or time of the job that produced them.
import type { Channel, Notice } from './types.js';
import { DeliveryError } from './types.js';

/** A delivery that did not happen, as logged and shown in diagnose (no secrets in it). */
export interface FailedDelivery {
  at: string;
  jobId: string;
  event: string;
  channel: string;
  target: string;
  message: string;
  attempts: number;
}

export const MAX_PENDING = 100;

export class ChannelQueue {
  private readonly pending: Notice[] = [];
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private dropped = 0;

  constructor(
    readonly channel: Channel,
    private readonly onFailure: (failure: FailedDelivery) => void,
    private readonly maxPending = MAX_PENDING,
  ) {}

  /** Queues a notice; never waits, never throws. */
  push(notice: Notice): void {
    if (this.abort.signal.aborted) return;
    this.pending.push(notice);
    if (this.pending.length > this.maxPending) {
      this.pending.shift();
      this.dropped++;
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves when nothing is queued or being delivered. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops delivering: the one in flight is cancelled, the queued ones are dropped. */
  close(): void {
    this.pending.length = 0;
    this.abort.abort();
  }

  private async drain(): Promise<void> {
    // Start on a later turn, so a push from inside the runner's emit() costs only the push.
    await Promise.resolve();
    for (let notice = this.pending.shift(); notice; notice = this.pending.shift()) {
      if (this.dropped > 0) {
        this.fail(notice, `${this.dropped} earlier notice${this.dropped === 1 ? ' was' : 's were'} dropped: the channel could not keep up.`, 0);
        this.dropped = 0;
      }
      try {
        await this.channel.deliver(notice, this.abort.signal);
      } catch (error) {
        const known = error instanceof DeliveryError;
        this.fail(notice, known ? error.message : `unexpected error: ${(error as Error).message}`, known ? error.attempts : 1);
      }
      if (this.abort.signal.aborted) return;
    }
  }

  private fail(notice: Notice, message: string, attempts: number): void {
    try {
      this.onFailure({ at: new Date().toISOString(), jobId: notice.jobId, event: notice.event, channel: this.channel.kind, target: this.channel.target, message, attempts });
    } catch {
      /* a failing failure log must not stop the queue */
    }
  }
}
