// One pub/sub connection per member, shared by everything that listens (rate limits, agent
// releases, control messages, registry changes). ioredis subscribes again after a reconnection.
import type { Redis } from 'ioredis';

export class Subscriptions {
  private readonly handlers = new Map<string, (message: string) => void>();

  constructor(private readonly subscriber: Redis) {
    subscriber.on('message', (channel: string, message: string) => {
      try {
        this.handlers.get(channel)?.(message);
      } catch {
        /* a message we cannot act on changes nothing */
      }
    });
  }

  /** Listens on `channel`; resolves once Redis confirmed the subscription. */
  async on(channel: string, handler: (message: string) => void): Promise<void> {
    this.handlers.set(channel, handler);
    await this.subscriber.subscribe(channel);
  }
}
