// Control messages between members: `pause`, `cancel` (and the like) asked on member A about a job
// member B runs go to B over pub/sub and B's answer comes back to A. A member that does not listen
// is known at once (nobody received the message); one that does not answer in time is reported.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ClusterError } from './errors.js';
import type { ClusterKeys } from './keys.js';
import type { Subscriptions } from './subscriptions.js';

/** What a member can be asked to do with a job it runs. */
export type ControlOp = 'pause' | 'cancel';

export interface ControlRequest {
  id: string;
  from: string;
  op: ControlOp;
  jobId: string;
}

/** The answer: ok with a result, or refused with the message to show. */
export type ControlAnswer = { ok: true; result: unknown } | { ok: false; message: string };

type ControlReply = ControlAnswer & { id: string };

export class ControlChannel {
  private readonly waiting = new Map<string, (reply: ControlReply) => void>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly memberId: string,
    private readonly timeoutMs: number,
  ) {}

  /** Listens for requests to this member (answered by `handle`) and for replies to its own. */
  async start(subscriptions: Subscriptions, handle: (request: ControlRequest) => Promise<ControlAnswer>): Promise<void> {
    await subscriptions.on(this.keys.replies(this.memberId), (message) => {
      const reply = JSON.parse(message) as ControlReply;
      this.waiting.get(reply.id)?.(reply);
    });
    await subscriptions.on(this.keys.control(this.memberId), (message) => {
      const request = JSON.parse(message) as ControlRequest;
      void handle(request)
        .catch((error: Error): ControlAnswer => ({ ok: false, message: error.message }))
        .then((answer) => this.redis.publish(this.keys.replies(request.from), JSON.stringify({ ...answer, id: request.id } satisfies ControlReply)))
        .catch(() => undefined); // the asker times out and says so
    });
  }

  /** Asks `member` to carry out `op` on `jobId`; resolves with its answer. */
  async send(member: string, op: ControlOp, jobId: string): Promise<ControlAnswer> {
    const request: ControlRequest = { id: randomUUID(), from: this.memberId, op, jobId };
    const answer = new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(request.id);
        reject(new ClusterError('E805', `Member ${member} did not answer '${op}' for job '${jobId}' within ${this.timeoutMs / 1000}s. It may be overloaded or cut off from Redis; try again, or look at that member's conductor log.`));
      }, this.timeoutMs);
      this.waiting.set(request.id, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(request.id);
        resolve(reply);
      });
    });
    const receivers = await this.redis.publish(this.keys.control(member), JSON.stringify(request));
    if (receivers === 0) {
      this.waiting.get(request.id)?.({ id: request.id, ok: false, message: '' });
      await answer.catch(() => undefined);
      throw new ClusterError('E805', `Member ${member}, which runs job '${jobId}', is not listening (it stopped or lost Redis). Its lock expires soon and another member takes the job over; try again then.`);
    }
    const { id: _id, ...reply } = await answer;
    return reply;
  }
}
