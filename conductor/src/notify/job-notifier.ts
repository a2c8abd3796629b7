// A job's notification channels, each with the events it is subscribed to (`on_events`), fed by
// the job's event stream. `notify` only queues: delivery happens behind the job's back, so a slow,
// failing or hanging channel never blocks, slows or fails the job.
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { FailedDelivery } from './channel-queue.js';
import { ChannelQueue } from './channel-queue.js';
import type { JobFacts } from './from-events.js';
import { noticeFor } from './from-events.js';
import type { Channel, Notice, NoticeEvent } from './types.js';

/** A channel and the events it wants. */
export interface Subscription {
  channel: Channel;
  events: ReadonlySet<NoticeEvent>;
}

/** Failed deliveries kept in memory per job for diagnose (older ones are also in the log file). */
const KEPT_FAILURES = 20;

export class JobNotifier {
  private readonly queues: { queue: ChannelQueue; events: ReadonlySet<NoticeEvent> }[];
  private readonly kept: FailedDelivery[] = [];

  constructor(
    subscriptions: readonly Subscription[],
    private readonly facts: JobFacts,
    private readonly onFailure: (failure: FailedDelivery) => void = () => undefined,
  ) {
    const record = (failure: FailedDelivery) => {
      this.kept.push(failure);
      if (this.kept.length > KEPT_FAILURES) this.kept.shift();
      this.onFailure(failure);
    };
    this.queues = subscriptions.map((s) => ({ queue: new ChannelQueue(s.channel, record), events: s.events }));
  }

  /** True when at least one channel is configured (a job without any costs nothing). */
  get active(): boolean {
    return this.queues.length > 0;
  }

  /** Feeds one runner event; returns at once. */
  onEvent(event: RunnerEvent): void {
    if (this.queues.length === 0) return;
    const notice = noticeFor(event, this.facts);
    if (notice) this.notify(notice);
  }

  /** Queues a notice on every channel subscribed to its event. */
  notify(notice: Notice): void {
    for (const { queue, events } of this.queues) if (events.has(notice.event)) queue.push(notice);
  }

  /** The latest failed deliveries, oldest first. */
  failures(): readonly FailedDelivery[] {
    return this.kept;
  }

  /** Resolves when every channel has delivered (or given up on) what it was given. */
  async idle(): Promise<void> {
    await Promise.all(this.queues.map(({ queue }) => queue.idle()));
  }

  /** Stops all deliveries at once (the conductor is stopping). */
  close(): void {
    for (const { queue } of this.queues) queue.close();
  }
}
