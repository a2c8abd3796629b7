// This conductor as a member of a cluster: its connections to Redis and the parts that use them —
// membership, the job queue, the shared rate limits and agent caps, the event stream, control
// messages. Losing Redis stops the member taking new work; its running jobs go on, everything
// reconnects by itself, and what was held back is sent when Redis answers again.
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { ClusterAgentSlots } from './agent-slots.js';
import { openConnection } from './connection.js';
import { ControlChannel } from './control.js';
import type { ControlAnswer, ControlRequest } from './control.js';
import { ClusterError } from './errors.js';
import { ClusterEvents } from './events.js';
import type { MemberEvent } from './events.js';
import { nextHealth } from './health.js';
import type { ConnectionEvent, RedisHealth } from './health.js';
import { ClusterJobQueue } from './job-queue.js';
import type { QueueHandlers } from './job-queue.js';
import { clusterKeys } from './keys.js';
import type { ClusterKeys } from './keys.js';
import { Membership } from './membership.js';
import { ClusterRateLimits } from './rate-limits.js';
import type { ClusterTarget } from './redis-url.js';
import { ClusterRegistry } from './registry.js';
import { Subscriptions } from './subscriptions.js';

export interface MemberOptions {
  target: ClusterTarget;
  /** Key prefix: clusters sharing one Redis use different ones (default "mozart"). */
  prefix?: string;
  /** Unique in the cluster; default `<host>-<pid>`. */
  memberId?: string;
  maxJobs: number;
  /** Queue lock (and heartbeat) lifetime: how soon a dead member's jobs are taken over (default 30 s). */
  lockMs?: number;
  /** How long to wait for a member to answer a control message (default 5 s). */
  controlTimeoutMs?: number;
  /** Approximate number of events the stream keeps (default 10,000). */
  eventStreamLength?: number;
  version: string;
  /** This conductor's own registry folder (what its health check reports on). */
  registryDir?: string;
  /** How long join() waits for Redis to answer before giving up (default 5 s). */
  connectTimeoutMs?: number;
  log: (message: string) => void;
}

export interface MemberHooks {
  /** An event of a job another member runs. */
  onEvent(item: MemberEvent): void;
  /** Carries out a control message about a job this member runs. */
  onControl(request: ControlRequest): Promise<ControlAnswer>;
}

export class ClusterMember {
  readonly keys: ClusterKeys;
  readonly id: string;
  readonly lockMs: number;
  readonly queue: ClusterJobQueue;
  readonly membership: Membership;
  readonly rateLimits: ClusterRateLimits;
  readonly agentSlots: ClusterAgentSlots;
  readonly events: ClusterEvents;
  readonly control: ControlChannel;
  readonly registry: ClusterRegistry;
  private health: RedisHealth;
  private readonly connections: Redis[] = [];
  private lastLogged = '';

  private constructor(
    readonly options: MemberOptions,
    /** Commands that fail at once while Redis is away: heartbeats, events, board, answers to users. */
    readonly redis: Redis,
    /** Commands that wait for Redis: the queue's bookkeeping, fences. */
    private readonly durable: Redis,
    private readonly subscriber: Redis,
    private readonly bull: Redis,
    private readonly reader: Redis,
  ) {
    this.connections.push(redis, durable, subscriber, bull, reader);
    this.keys = clusterKeys(options.prefix);
    this.id = options.memberId ?? `${hostname()}-${process.pid}`;
    this.lockMs = options.lockMs ?? 30_000;
    this.health = { connected: true, since: new Date().toISOString(), losses: 0 };
    const onError = (error: Error) => this.noteError(error);
    this.queue = new ClusterJobQueue(durable, redis, bull, this.keys, { memberId: this.id, maxJobs: options.maxJobs, lockMs: this.lockMs }, onError);
    this.membership = new Membership(redis, this.keys, { id: this.id, host: hostname(), pid: process.pid, version: options.version, maxJobs: options.maxJobs, startedAt: new Date().toISOString() }, () => this.queue.runningHere, this.lockMs);
    this.rateLimits = new ClusterRateLimits(redis, this.keys, onError);
    this.agentSlots = new ClusterAgentSlots(redis, this.keys, this.id, this.lockMs);
    this.events = new ClusterEvents(redis, reader, this.keys, this.id, options.eventStreamLength ?? 10_000, onError);
    this.control = new ControlChannel(redis, this.keys, this.id, options.controlTimeoutMs ?? 5000);
    this.registry = new ClusterRegistry(redis, this.keys, options.registryDir ?? '', onError);
    this.queue.onRunsChanged = () => void this.membership.beat().catch(() => undefined);
  }

  /** Connects to the cluster's Redis and joins; E802 when Redis does not answer in time. */
  static async join(options: MemberOptions, hooks: MemberHooks): Promise<ClusterMember> {
    const errors: Error[] = [];
    const collect = (error: Error) => errors.push(error);
    const { target } = options;
    const member = new ClusterMember(options, openConnection(target, 'commands', collect, true), openConnection(target, 'durable', collect), openConnection(target, 'subscriber', collect), openConnection(target, 'queue', collect), openConnection(target, 'events', collect));
    try {
      await withTimeout(ready(member.redis), options.connectTimeoutMs ?? 5000);
    } catch (error) {
      member.disconnect();
      const why = errors[0]?.message ?? (error as Error).message;
      throw new ClusterError('E802', `Cannot reach the cluster's Redis at ${target.display}: ${why}. Check that redis-server runs there and that this machine can reach it.`);
    }
    for (const c of member.connections) {
      c.removeListener('error', collect);
      c.on('error', (error: Error) => member.noteError(error));
    }
    member.watchConnection();
    const subscriptions = new Subscriptions(member.subscriber);
    await member.rateLimits.start(subscriptions);
    await member.agentSlots.start(subscriptions);
    await member.control.start(subscriptions, (request) => hooks.onControl(request));
    await member.registry.start(subscriptions);
    await member.events.start((item) => hooks.onEvent(item));
    await member.membership.join();
    return member;
  }

  /** Starts taking jobs from the queue. */
  startTaking(handlers: QueueHandlers): void {
    this.queue.start(handlers);
  }

  /** The Redis connection as this member sees it, with a PING's round trip when Redis answers. */
  async redisHealth(): Promise<RedisHealth & { latencyMs?: number; url: string }> {
    const url = this.options.target.display;
    if (!this.health.connected) return { ...this.health, url };
    const started = process.hrtime.bigint();
    try {
      await withTimeout(this.redis.ping(), 2000);
      return { ...this.health, url, latencyMs: Number(process.hrtime.bigint() - started) / 1e6 };
    } catch (error) {
      return { ...this.health, url, lastError: (error as Error).message };
    }
  }

  /** Leaves the cluster: stops taking work and waits for this member's runs to end (stop them first). */
  async leave(): Promise<void> {
    await this.queue.stopTaking().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    await this.membership.leave().catch(() => undefined);
    await this.events.flush();
    await this.events.close();
    this.disconnect();
  }

  private disconnect(): void {
    for (const c of this.connections) c.disconnect();
  }

  /** Follows the fail-fast connection: it is the first to notice Redis going and coming back. */
  private watchConnection(): void {
    const on = (event: ConnectionEvent) => {
      const { health, effect } = nextHealth(this.health, event);
      this.health = health;
      if (effect === 'stop-taking') {
        this.options.log(`cluster: lost Redis at ${this.options.target.display}; not taking new jobs, running jobs go on, reconnecting`);
        void this.queue.stopTaking().catch(() => undefined);
      } else if (effect === 'resume-taking') {
        this.options.log(`cluster: Redis at ${this.options.target.display} answers again; taking jobs`);
        this.lastLogged = '';
        void this.afterReconnect();
      }
    };
    this.redis.on('close', () => on({ kind: 'lost', at: new Date().toISOString() }));
    this.redis.on('ready', () => on({ kind: 'ready', at: new Date().toISOString() }));
  }

  private async afterReconnect(): Promise<void> {
    try {
      await this.membership.beat();
      await this.rateLimits.resync();
      await this.registry.resync();
      await this.agentSlots.loadCaps();
      await this.events.flush();
    } catch (error) {
      this.noteError(error as Error);
    }
    this.queue.resumeTaking();
  }

  /** Logs an error once per kind while it repeats (a lost Redis makes every call fail alike). */
  private noteError(error: Error): void {
    this.health = nextHealth(this.health, { kind: 'error', message: error.message }).health;
    if (error.message === this.lastLogged) return;
    this.lastLogged = error.message;
    this.options.log(`cluster: ${error.message}`);
  }
}

/** Resolves once the connection is up (a fail-fast connection refuses commands before that). */
function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: Error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
