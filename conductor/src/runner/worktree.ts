// Git worktree isolation (the score's `isolation` section): before the first sheet the job gets its
// own worktree of the repository on a new branch, and every agent runs there, so the user's
// checkout and other jobs never see half-finished edits. The worktree is recorded in the job's
// checkpoint so a resumed job (even after a conductor restart) keeps working in the same one.
//
// git is run with execFile (no shell): paths and branch names from a score are never interpreted.
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { resolveFromScore } from '../../../score/src/files.js';
import type { Score } from '../../../score/src/score-types.js';
import type { JobStatus } from '../../../protocol/src/job-state.js';

export type IsolationConfig = Score['isolation'];

/** What the checkpoint keeps about a job's worktree. */
export interface WorktreeRef {
  path: string;
  branch: string;
}

/** A worktree in use by this run; `repoRoot` is the main checkout git commands run from. */
export interface ActiveWorktree extends WorktreeRef {
  repoRoot: string;
  /** Whether this run locked it (and so must unlock it when the job stops). */
  locked: boolean;
}

/** Why a worktree could not be set up: E601 a folder is missing, E603 no usable git repository. */
export class IsolationError extends Error {
  constructor(
    readonly code: 'E601' | 'E603',
    message: string,
  ) {
    super(message);
    this.name = 'IsolationError';
  }
}

/** How the job will run, decided before its first sheet. */
export type IsolationOutcome =
  | { kind: 'none' }
  | { kind: 'worktree'; worktree: ActiveWorktree; note: string }
  /** The worktree could not be made and fallback_on_error allows running in the checkout itself. */
  | { kind: 'fallback'; note: string }
  | { kind: 'failed'; code: 'E601' | 'E603'; message: string };

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A git command longer than this is stuck (worktree commands are local and fast). */
const GIT_TIMEOUT_MS = 120_000;

/**
 * Runs git without a shell. Variables that point git at another repository (set when the conductor
 * itself was started from a git hook, say) are dropped so the command acts on `cwd`'s repository.
 */
function git(args: readonly string[], cwd: string): Promise<GitResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY']) delete env[name];
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, env, timeout: GIT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') {
        // A string code is a spawn failure (ENOENT: git is not installed), not git's own exit status.
        reject(new IsolationError('E603', error.code === 'ENOENT' ? 'git was not found on the PATH. Worktree isolation needs git: install it, or set isolation.enabled: false in the score.' : `git could not be started: ${error.message}`));
        return;
      }
      resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

/** Runs git and returns its output, or throws E603 with git's own explanation. */
async function gitOk(args: readonly string[], cwd: string, what: string): Promise<string> {
  const result = await git(args, cwd);
  if (result.code !== 0) throw new IsolationError('E603', `${what} failed: git ${args.join(' ')}: ${result.stderr || result.stdout || `exit code ${result.code}`}`);
  return result.stdout;
}

/**
 * A branch- and folder-safe form of the job id (job ids are score names, which may hold spaces or
 * characters git refuses in branch names).
 */
export function worktreeName(jobId: string): string {
  const slug = jobId
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '')
    .replace(/\.lock$/i, '');
  return slug || 'job';
}

/** The checkout's top folder for `dir`, or E601/E603 saying what is wrong and how to fix it. */
async function repositoryRoot(dir: string): Promise<string> {
  if (!existsSync(dir)) {
    throw new IsolationError('E601', `The folder to isolate, ${dir}, does not exist. Worktree isolation branches the git repository that holds backend.working_directory (or the score's folder): create it, or fix the path.`);
  }
  const result = await git(['rev-parse', '--show-toplevel'], dir);
  if (result.code !== 0 || result.stdout === '') {
    throw new IsolationError(
      'E603',
      `${dir} is not inside a git working tree, so no worktree can be created for the job (isolation.enabled is true). ` +
        'Point backend.working_directory at a git checkout with at least one commit (or run `git init` and commit there), or set isolation.enabled: false.',
    );
  }
  return realpathSync(result.stdout);
}

interface ListedWorktree {
  path: string;
  branch?: string;
  locked: boolean;
}

/** The repository's worktrees, from `git worktree list --porcelain`. */
async function listWorktrees(repoRoot: string): Promise<ListedWorktree[]> {
  const out = await gitOk(['worktree', 'list', '--porcelain'], repoRoot, 'Listing worktrees');
  const list: ListedWorktree[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('worktree ')) list.push({ path: line.slice('worktree '.length), locked: false });
    const last = list[list.length - 1];
    if (!last) continue;
    if (line.startsWith('branch ')) last.branch = line.slice('branch '.length).replace(/^refs\/heads\//, '');
    if (line === 'locked' || line.startsWith('locked ')) last.locked = true;
  }
  return list;
}

/** Compares folders by their real location (a temp dir may be reached through a symlink). */
function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

async function branchExists(repoRoot: string, branch: string): Promise<boolean> {
  return (await git(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], repoRoot)).code === 0;
}

/**
 * Keeps a worktree folder that lives inside the repository out of the main checkout's `git status`
 * (and out of a careless `git add -A`, which would record it as an embedded repository). Uses the
 * repository's local info/exclude, so no tracked file changes. Best effort.
 */
async function excludeFromCheckout(repoRoot: string, base: string): Promise<void> {
  const rel = relative(repoRoot, base);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return;
  try {
    const commonDir = resolve(repoRoot, await gitOk(['rev-parse', '--git-common-dir'], repoRoot, 'Finding the git folder'));
    const exclude = join(commonDir, 'info', 'exclude');
    const pattern = `/${rel.split('\\').join('/')}/`;
    const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
    if (current.split('\n').some((line) => line.trim() === pattern)) return;
    mkdirSync(join(commonDir, 'info'), { recursive: true });
    appendFileSync(exclude, `${current === '' || current.endsWith('\n') ? '' : '\n'}# Mozart job worktrees\n${pattern}\n`);
  } catch {
    /* only cosmetic for the main checkout; the worktree itself is fine */
  }
}

/** Locks the worktree so `git worktree remove/prune` leave it alone while the job runs. */
async function lock(repoRoot: string, path: string, jobId: string, alreadyLocked: boolean): Promise<boolean> {
  // A run killed with -9 leaves its lock behind; that lock already protects this run.
  if (alreadyLocked) return true;
  return (await git(['worktree', 'lock', '--reason', `Mozart job ${jobId} is running`, path], repoRoot)).code === 0;
}

export interface IsolateOptions {
  jobId: string;
  /** Where the agent would run without isolation; its repository is the one branched. */
  dir: string;
  scoreFile: string;
  config: IsolationConfig;
  /** The worktree recorded in the checkpoint by an earlier run of this job. */
  previous?: WorktreeRef;
}

/**
 * Gives the job its worktree: the recorded one when it still exists (or can be re-added from its
 * branch), otherwise a new one on branch <branch_prefix>/<job id> from source_branch (default: the
 * checked-out HEAD), in worktree_base (default: <repository>/.worktrees). Throws IsolationError.
 */
export async function prepareWorktree(options: IsolateOptions): Promise<{ worktree: ActiveWorktree; reused: boolean }> {
  const { config, jobId, previous } = options;
  const repoRoot = await repositoryRoot(options.dir);
  const listed = await listWorktrees(repoRoot);

  if (previous) {
    const existing = listed.find((w) => samePath(w.path, previous.path));
    if (existing && existsSync(previous.path)) {
      const locked = config.lock_during_execution ? await lock(repoRoot, previous.path, jobId, existing.locked) : false;
      return { worktree: { path: previous.path, branch: previous.branch, repoRoot, locked }, reused: true };
    }
    // The folder was deleted by hand but the branch holds the job's commits: put the folder back
    // rather than start over on a new branch.
    if (!existsSync(previous.path) && (await branchExists(repoRoot, previous.branch)) && !listed.some((w) => w.branch === previous.branch && existsSync(w.path))) {
      await gitOk(['worktree', 'prune'], repoRoot, 'Pruning stale worktrees');
      await gitOk(['worktree', 'add', previous.path, previous.branch], repoRoot, `Re-creating the worktree ${previous.path}`);
      const locked = config.lock_during_execution ? await lock(repoRoot, previous.path, jobId, false) : false;
      return { worktree: { path: previous.path, branch: previous.branch, repoRoot, locked }, reused: true };
    }
  }

  const base = config.worktree_base ? resolveFromScore(options.scoreFile, config.worktree_base) : join(repoRoot, '.worktrees');
  const source = config.source_branch ?? 'HEAD';
  if (source.startsWith('-')) throw new IsolationError('E603', `isolation.source_branch '${source}' is not a branch name.`);
  const sourceCheck = await git(['rev-parse', '--verify', '--quiet', `${source}^{commit}`], repoRoot);
  if (sourceCheck.code !== 0) {
    throw new IsolationError(
      'E603',
      config.source_branch === null
        ? `The repository ${repoRoot} has no commit yet, so there is nothing to branch the job's worktree from. Make a first commit, or set isolation.enabled: false.`
        : `isolation.source_branch '${source}' is not a branch or commit of ${repoRoot}. Fix the name (see git branch --list), or remove it to start from the checked-out HEAD.`,
    );
  }

  // A re-run of the same job (--fresh) finds the previous run's branch kept for review, and maybe its
  // worktree folder: take the next free name instead of touching that work.
  const name = worktreeName(jobId);
  let branch = '';
  let path = '';
  for (let n = 1; n <= 100 && !branch; n++) {
    const candidate = n === 1 ? name : `${name}-${n}`;
    const candidateBranch = `${config.branch_prefix}/${candidate}`;
    const candidatePath = join(base, candidate);
    if (existsSync(candidatePath) || (await branchExists(repoRoot, candidateBranch))) continue;
    branch = candidateBranch;
    path = candidatePath;
  }
  if (!branch) throw new IsolationError('E603', `No free branch name ${config.branch_prefix}/${name}-N in ${repoRoot}: delete old ${config.branch_prefix}/${name}* branches and worktrees.`);
  if ((await git(['check-ref-format', '--branch', branch], repoRoot)).code !== 0) {
    throw new IsolationError('E603', `'${branch}' is not a valid git branch name; change the job name or isolation.branch_prefix.`);
  }

  mkdirSync(base, { recursive: true });
  await excludeFromCheckout(repoRoot, base);
  await gitOk(['worktree', 'add', '-b', branch, path, source], repoRoot, `Creating the worktree ${path}`);
  const locked = config.lock_during_execution ? await lock(repoRoot, path, jobId, false) : false;
  return { worktree: { path, branch, repoRoot, locked }, reused: false };
}

/**
 * Decides how the job runs: not isolated, in its worktree, in the checkout after a failure that
 * fallback_on_error allows, or not at all (the job fails before any sheet, saying what to do).
 */
export async function isolateJob(options: IsolateOptions): Promise<IsolationOutcome> {
  const { config } = options;
  if (!config.enabled || config.mode !== 'worktree') return { kind: 'none' };
  try {
    const { worktree, reused } = await prepareWorktree(options);
    return { kind: 'worktree', worktree, note: `${reused ? 'continuing in the' : 'in a new'} worktree ${worktree.path} (branch ${worktree.branch})` };
  } catch (error) {
    const code = error instanceof IsolationError ? error.code : 'E603';
    const message = error instanceof Error ? error.message : String(error);
    if (config.fallback_on_error) {
      return { kind: 'fallback', note: `WITHOUT isolation: the worktree could not be created (${code}: ${message}) and isolation.fallback_on_error is true, so the agents work in ${options.dir} itself` };
    }
    return { kind: 'failed', code, message: `Worktree isolation failed before any sheet ran: ${message}` };
  }
}

/** Whether a job that ended with `status` has its worktree removed (pauses and cancels keep it). */
export function shouldRemove(config: IsolationConfig, status: JobStatus): boolean {
  return (status === 'completed' && config.cleanup_on_success) || (status === 'failed' && config.cleanup_on_failure);
}

/**
 * The job stopped: unlock its worktree and, when `remove`, delete the folder (uncommitted changes
 * with it: --force) while keeping the branch and its commits. Never throws: a cleanup problem must
 * not change the job's outcome; it is returned for the caller to keep the worktree recorded.
 */
export async function releaseWorktree(worktree: ActiveWorktree, remove: boolean): Promise<{ removed: boolean; error?: string }> {
  try {
    if (worktree.locked) await git(['worktree', 'unlock', worktree.path], worktree.repoRoot);
    if (!remove) return { removed: false };
    if (!existsSync(worktree.path)) {
      await git(['worktree', 'prune'], worktree.repoRoot);
      return { removed: true };
    }
    const result = await git(['worktree', 'remove', '--force', worktree.path], worktree.repoRoot);
    return result.code === 0 ? { removed: true } : { removed: false, error: result.stderr || `git worktree remove exited ${result.code}` };
  } catch (error) {
    return { removed: false, error: (error as Error).message };
  }
}
