// Concerts: chains of jobs, each started by an on_success run_job hook of the one before. Pure:
// given the hook, the job's place in its chain and the concert settings, decide whether the next job
// may start, with which score, workspace and cooldown, and what its place in the chain will be.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { resolveFromScore } from '../../../score/src/files.js';
import { expandPlaceholders } from '../../../score/src/placeholders.js';
import type { Score } from '../../../score/src/score-types.js';

export type ConcertConfig = Score['concert'];
type Hook = Score['on_success'][number];

/**
 * A job's place in its concert. The first job has depth 0 and no link at all until it starts one;
 * each job a hook starts is one deeper. Kept with the job so a restarted conductor still knows it.
 */
export interface ConcertLink {
  /** Shared by every job of one chain. */
  id: string;
  depth: number;
  /** The job whose hook started this one (for a self-chaining score, its own id). */
  parent: string;
  /** The job that began the chain. */
  root: string;
}

/** What a run_job hook should do. */
export type ChainStep =
  | { kind: 'refuse'; message: string }
  | {
      kind: 'start';
      scoreFile: string;
      /** Workspace for the started job, when it must not use its own score's. */
      workspace?: string;
      fresh: boolean;
      detached: boolean;
      /** Wait this long after this job ends before the next one starts. */
      cooldownMs: number;
      /** How long a hook that is not detached waits for the started job to finish. */
      timeoutMs: number;
      link: ConcertLink;
    };

/** Everything the decision reads. */
export interface ChainInputs {
  hook: Hook;
  concert: ConcertConfig;
  /** This job's place in its chain; undefined for a job no hook started. */
  link: ConcertLink | undefined;
  jobId: string;
  scoreFile: string;
  workspace: string;
  /** {workspace}, {job_id}, {sheet_count} for the hook's job_path. */
  values: Readonly<Record<string, string | number>>;
  /** Makes the id of a new concert (tests pass a fixed one). */
  newId?: () => string;
  /** Whether a file exists (tests pass their own). */
  exists?: (path: string) => boolean;
}

/**
 * Where a hook's job_path points. Relative to the score's folder when that file exists; else, as
 * the original Mozart resolved it from the folder it was started in (its examples say
 * `job_path: examples/x.yaml`, run from the repository root), the first of the score folder's
 * ancestors, up to the enclosing git repository's root, that holds it. Nothing found: the score's
 * folder, so the error names the path a reader expects.
 */
export function resolveJobPath(scoreFile: string, jobPath: string, exists: (path: string) => boolean = existsSync): string {
  const direct = resolveFromScore(scoreFile, jobPath);
  if (isAbsolute(jobPath) || exists(direct)) return direct;
  let dir = dirname(resolve(scoreFile));
  for (;;) {
    const candidate = resolve(dir, jobPath);
    if (exists(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir || exists(join(dir, '.git'))) return direct;
    dir = parent;
  }
}

/**
 * Decides one run_job hook. The depth limit always applies — with concert.enabled false too, whose
 * default of 5 stops a self-chaining score that forgot to configure its concert — because a chain
 * without a limit is a job that never ends.
 */
export function planChainStep(inputs: ChainInputs): ChainStep {
  const { hook, concert, link } = inputs;
  if (!hook.job_path) return { kind: 'refuse', message: 'run_job needs job_path: the score to start.' };
  const scoreFile = resolveJobPath(inputs.scoreFile, expandPlaceholders(hook.job_path, inputs.values), inputs.exists);
  const depth = link?.depth ?? 0;
  if (depth >= concert.max_chain_depth) {
    return {
      kind: 'refuse',
      message: `The concert stops here: this job is number ${depth} in its chain after the first, and concert.max_chain_depth is ${concert.max_chain_depth}; ${scoreFile} was not started.`,
    };
  }
  const workspace = hook.job_workspace ? resolveFromScore(inputs.scoreFile, hook.job_workspace) : concert.inherit_workspace ? inputs.workspace : undefined;
  return {
    kind: 'start',
    scoreFile,
    ...(workspace ? { workspace } : {}),
    fresh: hook.fresh,
    detached: hook.detached,
    cooldownMs: Math.round(concert.cooldown_between_jobs_seconds * 1000),
    timeoutMs: Math.round(hook.timeout_seconds * 1000),
    link: { id: link?.id ?? (inputs.newId ?? randomUUID)(), depth: depth + 1, parent: inputs.jobId, root: link?.root ?? inputs.jobId },
  };
}

/** Where the chain's shared log lives: concert_log_path, or concert.log in the workspace. */
export function concertLogFile(concert: ConcertConfig, scoreFile: string, workspace: string): string {
  return concert.concert_log_path ? resolveFromScore(scoreFile, concert.concert_log_path) : join(workspace, 'concert.log');
}

/** One line of the concert log. */
export function concertLogLine(at: string, jobId: string, link: ConcertLink | undefined, what: string): string {
  return `${at} [concert ${link?.id.slice(0, 8) ?? '-'} depth ${link?.depth ?? 0}] ${jobId}: ${what}\n`;
}

/** True when a failed hook ends the whole chain, not only this job's remaining hooks. */
export function abortsConcert(concert: ConcertConfig, hookOk: boolean): boolean {
  return !hookOk && concert.enabled && concert.abort_concert_on_hook_failure;
}

/** A line for status and the job tree: "concert depth 2 of at most 5, started by 'x'". */
export function describeLink(link: ConcertLink, maxDepth: number, next?: string): string {
  return `concert depth ${link.depth} of at most ${maxDepth}, started by '${link.parent}'${link.root !== link.parent ? ` (chain began with '${link.root}')` : ''}${next ? `; next: ${next}` : ''}`;
}
