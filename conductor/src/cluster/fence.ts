// Fencing: the queue's lock says who should run a job, but a member that was cut off, paused or
// slow may still believe it owns a job someone else took over. So every owner gets a token from a
// per-job counter in Redis, larger than any before it, and records it next to the checkpoint (on
// the storage the checkpoint lives on, which every member shares). Before every checkpoint write
// the runner's guard reads that record: a larger token than its own means the job belongs to
// another member now, and the write does not happen.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { FencedOffError } from './errors.js';
import type { ClusterKeys } from './keys.js';

/** What the fence file next to a checkpoint holds. */
export interface FenceRecord {
  token: number;
  member: string;
  at: string;
}

/** The fence file of a checkpoint folder. */
export const fenceFile = (stateDir: string): string => join(stateDir, 'fence.json');

/** Whether an owner holding `mine` may write, given the record on disk (none: nobody fenced it). */
export function mayWrite(mine: number, recorded: FenceRecord | undefined): boolean {
  return recorded === undefined || recorded.token <= mine;
}

/** Reads a fence file; undefined when there is none. Other read errors are thrown: writing blind is not safe. */
export function readFence(file: string): FenceRecord | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const record = JSON.parse(text) as FenceRecord;
  if (typeof record.token !== 'number') throw new Error(`${file} holds no fencing token.`);
  return record;
}

/** The check an owner runs before each checkpoint write; `beforeWrite` throws FencedOffError once superseded. */
export class FenceGuard {
  private superseded: FencedOffError | undefined;

  constructor(
    readonly jobId: string,
    readonly token: number,
    readonly member: string,
    private readonly file: string,
  ) {}

  /** Throws FencedOffError when a newer owner holds the job; called before every checkpoint write. */
  beforeWrite = (): void => {
    if (this.superseded) throw this.superseded;
    const recorded = readFence(this.file);
    if (!mayWrite(this.token, recorded) && recorded) {
      this.superseded = new FencedOffError(this.jobId, this.token, recorded.token, recorded.member);
      throw this.superseded;
    }
  };

  /** True once a write was refused. */
  get fenced(): boolean {
    return this.superseded !== undefined;
  }
}

// The counter only grows, and never falls below a token already on disk (a Redis that lost its
// data must not hand out a token an older owner still holds).
const NEXT_TOKEN = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local floor = tonumber(ARGV[1])
if current < floor then redis.call('SET', KEYS[1], floor) end
return redis.call('INCR', KEYS[1])`;

/**
 * Makes `member` the job's owner: takes the next token, records it beside the checkpoint, and
 * confirms no one took a newer token meanwhile. Returns the guard its writes go through.
 */
export async function acquireFence(redis: Redis, keys: ClusterKeys, jobId: string, member: string, stateDir: string): Promise<FenceGuard> {
  const file = fenceFile(stateDir);
  const before = readFence(file);
  const token = Number(await redis.eval(NEXT_TOKEN, 1, keys.fence(jobId), String(before?.token ?? 0)));
  const now = readFence(file);
  if (now && now.token > token) throw new FencedOffError(jobId, token, now.token, now.member);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ token, member, at: new Date().toISOString() } satisfies FenceRecord), { mode: 0o600 });
  renameSync(temp, file);
  // Two takers racing (a lock that expired under one of them) both wrote; only the newest goes on.
  const latest = Number(await redis.get(keys.fence(jobId)));
  if (latest !== token) throw new FencedOffError(jobId, token, latest, 'another member');
  return new FenceGuard(jobId, token, member, file);
}
