// Helpers for cluster tests: members joined in this process against a test redis-server, with
// short locks so hand-overs take seconds, and a way to wait for what they log.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlAnswer, ControlRequest } from '../../src/cluster/control.js';
import type { MemberEvent } from '../../src/cluster/events.js';
import type { RunRequest } from '../../src/cluster/job-queue.js';
import { ClusterMember } from '../../src/cluster/member.js';
import type { MemberOptions } from '../../src/cluster/member.js';
import { parseClusterUrl } from '../../src/cluster/redis-url.js';

export interface TestMember {
  member: ClusterMember;
  logs: string[];
  events: MemberEvent[];
  /** Resolves when the member logs a line matching `pattern` (also one logged already). */
  logged(pattern: RegExp): Promise<string>;
  /** Resolves when an event from another member matches. */
  received(predicate: (item: MemberEvent) => boolean): Promise<MemberEvent>;
}

/** Something to resolve later: `await gate.promise` until `gate.open()`. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Waits until `check` says yes, re-checking whenever `subscribe`'s callback fires. */
class Waiters<T> {
  private readonly list: { match: (x: T) => boolean; resolve: (x: T) => void }[] = [];
  constructor(private readonly seen: T[]) {}
  push(x: T): void {
    this.seen.push(x);
    for (const w of [...this.list]) {
      if (w.match(x)) {
        this.list.splice(this.list.indexOf(w), 1);
        w.resolve(x);
      }
    }
  }
  wait(match: (x: T) => boolean): Promise<T> {
    const found = this.seen.find(match);
    return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => this.list.push({ match, resolve }));
  }
}

export async function joinMember(url: string, options: Partial<MemberOptions> & { memberId: string }, onControl?: (request: ControlRequest) => Promise<ControlAnswer>): Promise<TestMember> {
  const logs: string[] = [];
  const events: MemberEvent[] = [];
  const logWaiters = new Waiters<string>(logs);
  const eventWaiters = new Waiters<MemberEvent>(events);
  const member = await ClusterMember.join(
    { target: parseClusterUrl(url), maxJobs: 2, lockMs: 1500, version: 'test', log: (line) => logWaiters.push(line), ...options },
    { onEvent: (item) => eventWaiters.push(item), onControl: onControl ?? (async () => ({ ok: false, message: 'no control in this test' })) },
  );
  return {
    member,
    logs,
    events,
    logged: (pattern) => logWaiters.wait((line) => pattern.test(line)),
    received: (predicate) => eventWaiters.wait(predicate),
  };
}

let counter = 0;

/** A run request for a job whose checkpoint folder is a fresh temp dir. */
export function request(jobId: string, extra: Partial<RunRequest> = {}): RunRequest {
  const workspace = mkdtempSync(join(tmpdir(), `mozart-cluster-${counter++}-`));
  return { jobId, scoreFile: join(workspace, 'score.yaml'), workspace, submitter: 'tester', priority: 5, from: 'test', enqueuedAt: Date.now(), ...extra };
}
