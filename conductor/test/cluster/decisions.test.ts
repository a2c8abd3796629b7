// The cluster's decisions as tables: queue order, URL parsing, fence verdicts, connection health,
// member and stream decoding, agent caps, whether a member can run a job.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAgentCaps } from '../../src/cluster/agent-slots.js';
import { decodeEntry } from '../../src/cluster/events.js';
import { mayWrite } from '../../src/cluster/fence.js';
import { nextHealth } from '../../src/cluster/health.js';
import type { RedisHealth } from '../../src/cluster/health.js';
import { queueId } from '../../src/cluster/job-queue.js';
import { liveMembers } from '../../src/cluster/membership.js';
import { parseClusterUrl } from '../../src/cluster/redis-url.js';
import { priorityOfOrder, queueOrder } from '../../src/cluster/scheduler.js';
import { cannotRun } from '../../src/cluster/start.js';

test('queue order: priority first, then the submitter with fewer outstanding jobs, never 0', () => {
  const rows: [priority: number, outstanding: number, expected: number][] = [
    [1, 0, 1],
    [1, 3, 4],
    [5, 0, 40_001],
    [10, 0, 90_001],
    [0, 0, 1], // below the range: the most urgent band
    [99, 0, 90_001], // above: the least urgent
    [1, 50_000, 10_000], // a huge backlog stays inside its band
  ];
  for (const [priority, outstanding, expected] of rows) assert.equal(queueOrder(priority, outstanding), expected, `priority ${priority}, outstanding ${outstanding}`);
  // Every job of priority 1 goes before any of priority 2, however many the submitter has queued.
  assert.ok(queueOrder(1, 9_999) < queueOrder(2, 0));
  assert.equal(priorityOfOrder(queueOrder(7, 12)), 7);
});

test('fair share interleaves two submitters of one priority', () => {
  // A submits four jobs, then B two: the queue order (ties by submission) alternates A, B, A, B, A, A.
  const jobs = [...[0, 1, 2, 3].map((n) => ({ who: 'A', order: queueOrder(5, n) })), ...[0, 1].map((n) => ({ who: 'B', order: queueOrder(5, n) }))];
  const sorted = jobs.map((j, i) => ({ ...j, i })).sort((a, b) => a.order - b.order || a.i - b.i);
  assert.deepEqual(sorted.map((j) => j.who), ['A', 'B', 'A', 'B', 'A', 'A']);
});

test('cluster URLs: accepted forms, defaults, redaction, and errors that say what to write', () => {
  const plain = parseClusterUrl('redis://10.0.0.5:6380');
  assert.deepEqual({ host: plain.host, port: plain.port, db: plain.db, tls: plain.tls }, { host: '10.0.0.5', port: 6380, db: 0, tls: false });
  const full = parseClusterUrl('rediss://ops:s3cret@redis.example:7000/2');
  assert.equal(full.password, 's3cret');
  assert.equal(full.username, 'ops');
  assert.equal(full.db, 2);
  assert.equal(full.tls, true);
  assert.ok(!full.display.includes('s3cret') && full.display.includes('***'), full.display);
  assert.equal(parseClusterUrl('redis://localhost').port, 6379);
  for (const [text, says] of [
    ['localhost:6379', 'redis://HOST:PORT'],
    ['http://localhost:6379', 'redis://'],
    ['redis://localhost:6379/x', 'database number'],
  ] as const) {
    assert.throws(() => parseClusterUrl(text), (e: Error & { code?: string }) => e.code === 'E801' && e.message.includes(says), text);
  }
});

test('fence verdicts: an owner may write until a newer token is recorded', () => {
  const at = '2026-01-01T00:00:00Z';
  assert.equal(mayWrite(3, undefined), true);
  assert.equal(mayWrite(3, { token: 3, member: 'a', at }), true);
  assert.equal(mayWrite(3, { token: 2, member: 'a', at }), true);
  assert.equal(mayWrite(3, { token: 4, member: 'b', at }), false);
});

test('connection health: losing Redis stops taking work once, coming back resumes it once', () => {
  let health: RedisHealth = { connected: true, since: 't0', losses: 0 };
  const steps: [Parameters<typeof nextHealth>[1], string][] = [
    [{ kind: 'lost', at: 't1' }, 'stop-taking'],
    [{ kind: 'lost', at: 't2' }, 'none'], // ioredis reports each failed reconnection
    [{ kind: 'error', message: 'ECONNREFUSED' }, 'none'],
    [{ kind: 'ready', at: 't3' }, 'resume-taking'],
    [{ kind: 'ready', at: 't4' }, 'none'],
  ];
  for (const [event, effect] of steps) {
    const next = nextHealth(health, event);
    assert.equal(next.effect, effect, JSON.stringify(event));
    health = next.health;
  }
  assert.deepEqual(health, { connected: true, since: 't3', losses: 1, lastError: 'ECONNREFUSED' });
});

test('members: expired heartbeats and unreadable values are not members; sorted by id', () => {
  const info = (id: string) => JSON.stringify({ id, host: 'h', pid: 1, version: 'v', maxJobs: 2, running: [], startedAt: 's', heartbeatAt: 'b' });
  assert.deepEqual(liveMembers([info('b'), null, 'not json', info('a')]).map((m) => m.id), ['a', 'b']);
});

test('stream entries decode to member + event; anything else is skipped', () => {
  const event = { type: 'job.started', jobId: 'j', at: 'now' };
  assert.deepEqual(decodeEntry(['m', 'm1', 'e', JSON.stringify(event)]), { member: 'm1', event });
  assert.equal(decodeEntry(['m', 'm1']), undefined);
  assert.equal(decodeEntry(['m', 'm1', 'e', '{"no":"type"}']), undefined);
  assert.equal(decodeEntry(['m', 'm1', 'e', '{']), undefined);
});

test('queue ids: any score name becomes an id BullMQ accepts, distinct names stay distinct', () => {
  const names = ['hello', 'a:b', '42', 'a b', 'a%3Ab'];
  const ids = names.map(queueId);
  for (const id of ids) assert.ok(!id.includes(':') && !/^\d+$/.test(id), id);
  assert.equal(new Set(ids).size, names.length);
});

test('agent caps parse BACKEND=N lists and name the part that is wrong', () => {
  assert.deepEqual(parseAgentCaps('claude_cli=4, command=2'), { claude_cli: 4, command: 2 });
  assert.deepEqual(parseAgentCaps(''), {});
  assert.throws(() => parseAgentCaps('claude_cli=four'), /'claude_cli=four' is not BACKEND=N/);
});

test('a member cannot run a job whose score it cannot read or whose checkpoint folder it cannot write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-visible-'));
  const scoreFile = join(dir, 'score.yaml');
  const workspace = join(dir, 'ws');
  assert.match(cannotRun({ scoreFile, workspace }) ?? '', /cannot read the score .*score\.yaml \(ENOENT\)/);
  writeFileSync(scoreFile, 'name: x\n');
  assert.match(cannotRun({ scoreFile, workspace }) ?? '', /cannot write the job's checkpoint in .*ws\/\.mozart\/state \(ENOENT\); the workspace must be on storage every member shares/);
  mkdirSync(join(workspace, '.mozart', 'state'), { recursive: true });
  assert.equal(cannotRun({ scoreFile, workspace }), undefined);
});
