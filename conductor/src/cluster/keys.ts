// Every Redis key the cluster uses, in one place, under one prefix (default "mozart"), so two
// clusters can share a Redis and nothing else of ours is ever touched.

export interface ClusterKeys {
  /** BullMQ's own prefix for the job queue. */
  readonly bullPrefix: string;
  /** Set of member ids that joined (dead ones are pruned when their heartbeat key is gone). */
  readonly members: string;
  /** A member's heartbeat: its info as JSON, expiring unless renewed. */
  member(id: string): string;
  /** A job's fencing counter: INCR gives each new owner a larger token. */
  fence(jobId: string): string;
  /** Job id → the member running it right now. */
  readonly owners: string;
  /** Submitter → how many of their jobs are queued or running (the fair-share input). */
  readonly outstanding: string;
  /** The cluster's jobs: job id → registry entry as JSON. */
  readonly jobs: string;
  /** Job id → its latest summary as JSON, for members that cannot read its workspace. */
  readonly summaries: string;
  /** Rate-limit key → epoch ms until which it holds. */
  readonly rateLimits: string;
  /** Pub/sub channel announcing a new rate-limit wait. */
  readonly rateLimitChannel: string;
  /** Backend key → the cluster-wide cap on concurrent agents. */
  readonly agentCaps: string;
  /** Sorted set of agent leases on one backend key (score: lease expiry, epoch ms). */
  agentLeases(backendKey: string): string;
  /** Pub/sub channel announcing a released agent lease. */
  readonly agentReleaseChannel: string;
  /** The bounded stream of runner events of every member. */
  readonly events: string;
  /** Pub/sub channel of control messages for one member. */
  control(memberId: string): string;
  /** Pub/sub channel of replies to one member's control messages. */
  replies(memberId: string): string;
  /** Pub/sub channel announcing registry changes. */
  readonly registryChannel: string;
}

export function clusterKeys(prefix = 'mozart'): ClusterKeys {
  const p = prefix;
  return {
    bullPrefix: `${p}:bull`,
    members: `${p}:members`,
    member: (id) => `${p}:member:${id}`,
    fence: (jobId) => `${p}:fence:${jobId}`,
    owners: `${p}:owners`,
    outstanding: `${p}:outstanding`,
    jobs: `${p}:jobs`,
    summaries: `${p}:summaries`,
    rateLimits: `${p}:rate-limits`,
    rateLimitChannel: `${p}:rate-limited`,
    agentCaps: `${p}:agent-caps`,
    agentLeases: (key) => `${p}:agents:${key}`,
    agentReleaseChannel: `${p}:agent-released`,
    events: `${p}:events`,
    control: (id) => `${p}:control:${id}`,
    replies: (id) => `${p}:replies:${id}`,
    registryChannel: `${p}:registry-changed`,
  };
}
