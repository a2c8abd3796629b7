// The daemon's way into cluster mode: joins the cluster named by cluster.url (--cluster, MOZART_CLUSTER),
// and gives the job manager the cluster's parts — the queue as its job source, the cluster's
// registry, rate limits and agent caps — then feeds it the runs this member takes and the control
// messages other members send. Loaded only when a conductor starts in cluster mode, so a single
// conductor never loads BullMQ or ioredis.
import { userInfo, hostname } from 'node:os';
import { accessSync, constants, mkdirSync } from 'node:fs';
import type { ClusterStatus } from '../../../protocol/src/methods.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { JobManager, ManagerParts } from '../daemon/job-manager.js';
import { stateDir } from '../state/workspace-files.js';
import { parseAgentCaps } from './agent-slots.js';
import type { RunRequest } from './job-queue.js';
import { ClusterJobSource } from './job-source.js';
import { ClusterMember } from './member.js';
import { parseClusterUrl } from './redis-url.js';

/**
 * How this conductor joins a cluster: the `cluster.*` settings (conductor.yaml, MOZART_CLUSTER*
 * variables, --cluster and --agent-cap; see score/src/conductor-settings.ts).
 */
export interface ClusterSettings {
  url: string;
  /** `BACKEND=N,…`: cluster-wide caps on concurrent agents, set in Redis for every member. */
  agentCaps?: string;
  /** Queue lock lifetime in ms: how soon a dead member's jobs move (cluster.lock_ms). */
  lockMs?: number;
  /** Key prefix in Redis (cluster.prefix). */
  prefix?: string;
  /** This member's id (cluster.member_id; default host-pid). */
  memberId?: string;
}

/** Why this member cannot run a job (it cannot read the score or write the checkpoint), or undefined. */
export function cannotRun(request: Pick<RunRequest, 'scoreFile' | 'workspace'>): string | undefined {
  try {
    accessSync(request.scoreFile, constants.R_OK);
  } catch (error) {
    return `it cannot read the score ${request.scoreFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`;
  }
  const dir = stateDir(request.workspace);
  try {
    accessSync(dir, constants.R_OK | constants.W_OK);
  } catch (error) {
    return `it cannot write the job's checkpoint in ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the workspace must be on storage every member shares, at the same path.`;
  }
  return undefined;
}

export interface ClusterMode {
  member: ClusterMember;
  /** What the job manager is built with. */
  parts: ManagerParts;
  /** Publishes an event of a job this member runs: to local subscribers and the cluster's stream. */
  publish(event: RunnerEvent): void;
  /** Starts taking runs for `manager` and answering control messages about its jobs. */
  attach(manager: JobManager): void;
  status(): Promise<ClusterStatus>;
  leave(): Promise<void>;
}

/** Joins the cluster; `publishLocal` reaches this conductor's own subscribers. */
export async function joinCluster(settings: ClusterSettings, options: { maxJobs: number; version: string; registryDir: string; log: (m: string) => void; publishLocal: (e: RunnerEvent) => void }): Promise<ClusterMode> {
  const target = parseClusterUrl(settings.url);
  const caps = settings.agentCaps ? parseAgentCaps(settings.agentCaps) : {};
  let manager: JobManager | undefined;
  // The registry lives in Redis; the home folder still holds this member's socket and log.
  mkdirSync(options.registryDir, { recursive: true, mode: 0o700 });
  const member = await ClusterMember.join(
    { target, maxJobs: options.maxJobs, version: options.version, registryDir: options.registryDir, log: options.log, ...(settings.lockMs ? { lockMs: settings.lockMs } : {}), ...(settings.prefix ? { prefix: settings.prefix } : {}), ...(settings.memberId ? { memberId: settings.memberId } : {}) },
    {
      onEvent: ({ member: from, event }) => options.publishLocal({ ...event, member: event.member ?? from }),
      onControl: async (request) => {
        if (!manager) return { ok: false, message: 'This member is still starting; try again.' };
        try {
          return { ok: true, result: request.op === 'pause' ? await manager.pause(request.jobId) : await manager.cancel(request.jobId) };
        } catch (error) {
          return { ok: false, message: (error as Error).message };
        }
      },
    },
  );
  for (const [backend, cap] of Object.entries(caps)) await member.agentSlots.setCap(backend, cap);
  const source = new ClusterJobSource(member);
  const submitter = `${userInfo().username}@${hostname()}`;
  const publish = (event: RunnerEvent) => {
    const stamped = { ...event, member: member.id };
    options.publishLocal(stamped);
    member.events.publish(stamped);
  };
  return {
    member,
    parts: { board: { rateLimits: member.rateLimits, agentSlots: member.agentSlots }, source, registry: member.registry, submitter },
    publish,
    attach(m) {
      manager = m;
      member.startTaking({
        cannotRun,
        stateDir: (r) => stateDir(r.workspace),
        run: async (taken) => ({ kind: await m.runTaken({ ticket: taken.request, beforeWrite: taken.fence.beforeWrite, signal: taken.signal }) }),
        note: (jobId, action, message) => publish({ type: 'job.cluster', jobId, at: new Date().toISOString(), action, message }),
        liveMembers: async () => (await member.membership.members()).map((x) => x.id),
      });
    },
    async status() {
      const [redis, members, overview, usage] = await Promise.all([member.redisHealth(), member.membership.members().catch(() => []), member.queue.overview().catch(() => ({ queued: [], running: 0 })), member.agentSlots.usage().catch(() => [])]);
      return {
        url: redis.url,
        member: member.id,
        redis: { connected: redis.connected, since: redis.since, losses: redis.losses, ...(redis.latencyMs !== undefined ? { latencyMs: redis.latencyMs } : {}), ...(redis.lastError ? { lastError: redis.lastError } : {}) },
        members: members.map(({ id, host, pid, version, maxJobs, running, heartbeatAt }) => ({ id, host, pid, version, maxJobs, running, heartbeatAt })),
        queued: overview.queued.map((r) => ({ jobId: r.jobId, priority: r.priority, submitter: r.submitter, enqueuedAt: r.enqueuedAt })),
        agentCaps: usage.map((u) => ({ ...u, waitingHere: member.agentSlots.waiting.get(u.backend) ?? 0 })),
      };
    },
    leave: () => member.leave(),
  };
}
