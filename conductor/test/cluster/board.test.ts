// The cluster's shared parts against a real redis-server: membership, rate limits one member meets
// holding the others, the cluster-wide agent cap, the bounded event stream, control messages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { gate, joinMember } from '../support/cluster.js';
import type { TestMember } from '../support/cluster.js';
import { RedisServer, redisMissing } from '../support/redis-server.js';

const event = (jobId: string, message: string): RunnerEvent => ({ type: 'job.started', jobId, at: new Date().toISOString(), message });

describe('cluster board', { skip: redisMissing, timeout: 60_000 }, () => {
  let redis: RedisServer;
  const members: TestMember[] = [];
  let n = 0;
  const pair = async (extra: Partial<Parameters<typeof joinMember>[1]> = {}, onControl?: Parameters<typeof joinMember>[2]) => {
    const prefix = `b${++n}`;
    const a = await joinMember(redis.url, { memberId: `${prefix}-a`, prefix, ...extra }, onControl);
    const b = await joinMember(redis.url, { memberId: `${prefix}-b`, prefix, ...extra }, onControl);
    members.push(a, b);
    return [a, b] as const;
  };
  before(async () => {
    redis = await RedisServer.start();
  });
  after(async () => {
    await Promise.allSettled(members.map((m) => m.member.leave()));
    await redis.dispose();
  });

  test('members see each other with their capacity; one that leaves is gone', async () => {
    const [a, b] = await pair({ maxJobs: 3 });
    const seen = await a.member.membership.members();
    assert.deepEqual(seen.map((m) => [m.id, m.maxJobs, m.pid]), [
      [a.member.id, 3, process.pid],
      [b.member.id, 3, process.pid],
    ]);
    await b.member.leave();
    members.splice(members.indexOf(b), 1);
    assert.deepEqual((await a.member.membership.members()).map((m) => m.id), [a.member.id]);
  });

  test('a rate limit reported on one member holds the others on that backend, and only that backend', async () => {
    const [a, b] = await pair();
    const until = Date.now() + 60_000;
    const announced = gate();
    b.member.rateLimits.onAnnounced = (key) => key === 'claude_cli' && announced.open();
    a.member.rateLimits.report('claude_cli', until);
    await announced.promise;
    assert.equal(b.member.rateLimits.until('claude_cli'), until);
    assert.equal(b.member.rateLimits.until('anthropic_api'), 0);
    // A member joining later learns the wait from Redis.
    const prefix = `b${n}`;
    const late = await joinMember(redis.url, { memberId: `${prefix}-late`, prefix });
    members.push(late);
    assert.equal(late.member.rateLimits.until('claude_cli'), until);
  });

  test('the cluster-wide agent cap: a second agent waits until the first one ends', async () => {
    const [a, b] = await pair();
    await a.member.agentSlots.setCap('command', 1);
    const order: string[] = [];
    const releaseA = await a.member.agentSlots.acquire('command', new AbortController().signal);
    order.push('a started');
    const waiting = gate();
    b.member.agentSlots.onWaitingChange = (backend, count) => backend === 'command' && count === 1 && waiting.open();
    const bAcquired = b.member.agentSlots.acquire('command', new AbortController().signal).then((release) => {
      order.push('b started');
      return release;
    });
    await waiting.promise;
    assert.deepEqual(await a.member.agentSlots.usage(), [{ backend: 'command', cap: 1, running: 1 }]);
    order.push('a ended');
    releaseA();
    const releaseB = await bAcquired;
    assert.deepEqual(order, ['a started', 'a ended', 'b started']);
    releaseB();
    // No cap: nothing waits, nothing is counted.
    const free = await Promise.all([1, 2, 3].map(() => b.member.agentSlots.acquire('claude_cli', new AbortController().signal)));
    assert.equal(free.length, 3);
    // A waiting agent gives up when its sheet is stopped.
    const held = await a.member.agentSlots.acquire('command', new AbortController().signal);
    const stop = new AbortController();
    const gaveUp = b.member.agentSlots.acquire('command', stop.signal);
    stop.abort();
    await assert.rejects(gaveUp);
    held();
  });

  test('events cross members through the stream, not back to their sender, and the stream stays bounded', async () => {
    const [a, b] = await pair({ eventStreamLength: 100 });
    a.member.events.publish(event('j1', 'from a'));
    const got = await b.received((item) => item.event.jobId === 'j1');
    assert.equal(got.member, a.member.id);
    assert.equal((got.event as { message?: string }).message, 'from a');
    b.member.events.publish(event('j2', 'from b'));
    await a.received((item) => item.event.jobId === 'j2');
    assert.ok(!a.events.some((item) => item.event.jobId === 'j1'), 'a does not receive its own event');
    for (let i = 0; i < 1000; i++) a.member.events.publish(event('bulk', String(i)));
    await b.received((item) => item.event.jobId === 'bulk' && (item.event as { message?: string }).message === '999');
    const length = await a.member.redis.xlen(a.member.keys.events);
    assert.ok(length < 400, `stream trimmed to about its bound (100 asked, ${length} kept)`);
  });

  test('control messages reach the member that runs a job and bring its answer back', async () => {
    const asked: string[] = [];
    const [a, b] = await pair({}, async (request) => {
      asked.push(`${request.op} ${request.jobId} from ${request.from}`);
      return request.jobId === 'known' ? { ok: true, result: { status: 'paused' } } : { ok: false, message: `no job ${request.jobId} here` };
    });
    assert.deepEqual(await a.member.control.send(b.member.id, 'pause', 'known'), { ok: true, result: { status: 'paused' } });
    assert.deepEqual(asked, [`pause known from ${a.member.id}`]);
    const refused = await a.member.control.send(b.member.id, 'cancel', 'other');
    assert.equal(refused.ok, false);
    await assert.rejects(a.member.control.send('nobody-here', 'pause', 'known'), (e: Error & { code?: string }) => e.code === 'E805' && /not listening/.test(e.message));
  });
});
