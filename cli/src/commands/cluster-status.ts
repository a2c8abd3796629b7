// The cluster part of `mozart conductor-status`: Redis, the members with their jobs and capacity,
// the queue, and the cluster-wide agent caps.
import type { ClusterStatus } from '../../../protocol/src/methods.js';
import { c } from './follow.js';

export function clusterLines(cluster: ClusterStatus): string[] {
  const lines: string[] = [];
  const redis = cluster.redis;
  lines.push(`Cluster ${cluster.url}: this conductor is member ${cluster.member}`);
  lines.push(
    redis.connected
      ? c.dim(`  ✓ Redis answers${redis.latencyMs !== undefined ? ` in ${redis.latencyMs.toFixed(1)} ms` : ''}${redis.losses > 0 ? ` (lost ${redis.losses} time${redis.losses === 1 ? '' : 's'}, back since ${redis.since})` : ''}`)
      : c.yellow(`  ! Redis unreachable since ${redis.since}${redis.lastError ? ` (${redis.lastError})` : ''}: not taking new jobs; running jobs go on; reconnecting`),
  );
  const used = cluster.members.reduce((n, m) => n + m.running.length, 0);
  const capacity = cluster.members.reduce((n, m) => n + m.maxJobs, 0);
  lines.push(`  ${cluster.members.length} member${cluster.members.length === 1 ? '' : 's'}, ${used} of ${capacity} job slots in use, ${cluster.queued.length} queued`);
  for (const m of cluster.members) {
    const here = m.id === cluster.member ? ' (this one)' : '';
    lines.push(`    ${m.id}${here}: ${m.running.length}/${m.maxJobs} jobs${m.running.length ? ` — ${m.running.join(', ')}` : ''} (pid ${m.pid} on ${m.host}, ${m.version})`);
  }
  for (const q of cluster.queued.slice(0, 10)) lines.push(c.dim(`    queued: ${q.jobId} (priority ${q.priority}, from ${q.submitter})`));
  if (cluster.queued.length > 10) lines.push(c.dim(`    … and ${cluster.queued.length - 10} more queued`));
  for (const cap of cluster.agentCaps) lines.push(`  agent cap ${cap.backend}: ${cap.running} of ${cap.cap} running cluster-wide${cap.waitingHere ? `, ${cap.waitingHere} waiting here` : ''}`);
  return lines;
}
