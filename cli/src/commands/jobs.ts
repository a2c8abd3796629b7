// Job commands that talk to the conductor: start, stop, conductor-status, run, status, list, pause,
// resume, cancel. Output is readable in a terminal; --json gives the conductor's answer as is.
import { resolve } from 'node:path';
import type { ConductorClient } from '../../../protocol/src/client.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { connectConductor, runConductorInForeground, startConductor } from '../conductor.js';
import { EXIT } from '../output.js';
import { clusterLines } from './cluster-status.js';
import { bar, c, finishFollowing, JobFollower, print } from './follow.js';

export async function withClient<T>(socket: string | undefined, fn: (client: ConductorClient) => Promise<T>): Promise<T> {
  const client = await connectConductor(socket);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** `mozart start`; `conductorArgs` carries --cluster URL and --agent-cap CAPS through to the conductor. */
export async function startCommand(socket: string | undefined, foreground = false, maxJobs?: string, conductorArgs: readonly string[] = [], passSocket = true): Promise<number> {
  if (foreground) return runConductorInForeground(socket, maxJobs, conductorArgs, passSocket);
  const started = await startConductor(socket, maxJobs, conductorArgs, passSocket);
  print(`Conductor started (pid ${started.pid}) on ${started.socket}; log: ${started.log}`);
  return EXIT.ok;
}

export async function stopCommand(socket?: string): Promise<number> {
  const inCluster = await withClient(socket, async (client) => {
    const clustered = (await client.request('daemon.status', {})).cluster !== undefined;
    const closed = new Promise<void>((r) => (client.onClose = r));
    await client.request('daemon.shutdown', {});
    await closed; // the conductor closes connections once running jobs are paused and checkpointed
    return clustered;
  });
  print(inCluster ? 'Conductor stopped; its running jobs went back to the cluster queue, and other members take them over.' : 'Conductor stopped; running jobs were paused and can be resumed after the next start.');
  return EXIT.ok;
}

export async function conductorStatusCommand(socket: string | undefined, json: boolean): Promise<number> {
  const { status, health } = await withClient(socket, async (client) => ({ status: await client.request('daemon.status', {}), health: await client.request('daemon.health', {}) }));
  if (json) print(JSON.stringify({ ...status, health }, null, 2));
  else {
    print(`Conductor ${status.version}: pid ${status.pid}, up ${status.uptimeSeconds}s, ${status.jobs.running} running of ${status.jobs.total} jobs`);
    print(`  socket ${status.socket}, memory ${(status.rssBytes / 1024 / 1024).toFixed(1)} MB`);
    for (const check of health.checks) print(check.ok ? c.dim(`  ✓ ${check.name}: ${check.detail}`) : c.yellow(`  ! ${check.name}: ${check.detail}`));
    if (status.cluster) for (const line of clusterLines(status.cluster)) print(line);
  }
  return health.ok ? EXIT.ok : EXIT.failure;
}

/** `mozart run <score>`: submits the job; with --watch, follows it to the end. */
export async function runCommand(args: { score: string; socket?: string; workspace?: string; fresh: boolean; watch: boolean; json: boolean; startSheet?: number; selfHealing?: boolean; autoConfirm?: boolean }): Promise<number> {
  return withClient(args.socket, async (client) => {
    const follower = new JobFollower(client, args.json);
    if (args.watch) await client.request('events.subscribe', {});
    const summary = await client.request('job.submit', {
      scoreFile: resolve(args.score),
      fresh: args.fresh,
      ...(args.workspace !== undefined ? { workspace: resolve(args.workspace) } : {}),
      ...(args.startSheet !== undefined ? { startSheet: args.startSheet } : {}),
      ...(args.selfHealing ? { selfHealing: true, autoConfirm: args.autoConfirm === true } : {}),
    });
    if (!args.json) print(`Job '${summary.jobId}' started: ${summary.totalSheets} sheets, workspace ${summary.workspace}`);
    if (!args.json) for (const note of summary.notes ?? []) print(note);
    if (!args.watch) {
      print(args.json ? JSON.stringify(summary, null, 2) : `Follow it with 'mozart status ${summary.jobId} --watch'.`);
      return EXIT.ok;
    }
    follower.follow(summary.jobId, summary.completedSheets, summary.totalSheets);
    return finishFollowing(client, follower, summary.jobId, args.json);
  });
}

/** `mozart resume <job>`: continues from the checkpoint, re-reading the score (or `-c FILE`); `force`: a completed job runs its last sheet again. */
export async function resumeCommand(args: { jobId: string; socket?: string; scoreFile?: string; watch: boolean; json: boolean; force?: boolean; selfHealing?: boolean; autoConfirm?: boolean }): Promise<number> {
  return withClient(args.socket, async (client) => {
    const follower = new JobFollower(client, args.json);
    if (args.watch) await client.request('events.subscribe', { jobId: args.jobId });
    const summary = await client.request('job.resume', {
      jobId: args.jobId,
      ...(args.scoreFile ? { scoreFile: resolve(args.scoreFile) } : {}),
      ...(args.force ? { force: true } : {}),
      ...(args.selfHealing ? { selfHealing: true, autoConfirm: args.autoConfirm === true } : {}),
    });
    if (!args.watch) {
      print(args.json ? JSON.stringify(summary, null, 2) : `Job '${summary.jobId}' resumed: ${summary.completedSheets}/${summary.totalSheets} sheets already done; only the rest run.`);
      return EXIT.ok;
    }
    if (!args.json) print(`Job '${summary.jobId}' resumed: ${summary.completedSheets}/${summary.totalSheets} sheets already done.`);
    follower.follow(summary.jobId, summary.completedSheets, summary.totalSheets);
    return finishFollowing(client, follower, summary.jobId, args.json);
  });
}

const STATUS_ICON: Record<string, string> = { completed: '✓', failed: '✗', in_progress: '▶', pending: '·', skipped: '–' };

export async function statusCommand(args: { jobId: string; socket?: string; json: boolean; watch?: boolean; intervalSeconds?: number }): Promise<number> {
  if (args.watch) return watchStatus(args);
  const state = await withClient(args.socket, (client) => client.request('job.status', { jobId: args.jobId }));
  if (args.json) {
    print(JSON.stringify(state, null, 2));
    return EXIT.ok;
  }
  printStatus(state);
  return state.status === 'failed' ? EXIT.failure : EXIT.ok;
}

/**
 * `status --watch`: the status now, then the job's events as they happen until it stops; with
 * `-i N` also the whole status again every N seconds, as the original's refreshing watch showed it.
 */
async function watchStatus(args: { jobId: string; socket?: string; json: boolean; intervalSeconds?: number }): Promise<number> {
  return withClient(args.socket, async (client) => {
    const follower = new JobFollower(client, args.json);
    await client.request('events.subscribe', { jobId: args.jobId });
    const state = await client.request('job.status', { jobId: args.jobId });
    if (state.status !== 'running' && state.status !== 'pending') {
      if (args.json) print(JSON.stringify(state, null, 2));
      else {
        printStatus(state);
        print(c.dim(`(not running: nothing to watch)`));
      }
      return state.status === 'failed' ? EXIT.failure : EXIT.ok;
    }
    if (!args.json) printStatus(state);
    const done = Object.values(state.sheets).filter((s) => s.status === 'completed' || s.status === 'skipped').length;
    follower.follow(state.jobId, done, state.totalSheets);
    const every = args.intervalSeconds;
    const timer = every === undefined ? undefined : setInterval(() => void refresh(client, args.jobId, args.json, every), every * 1000);
    try {
      return await finishFollowing(client, follower, state.jobId, args.json);
    } finally {
      clearInterval(timer);
    }
  });
}

/** One refresh of `status --watch -i N`: the whole status, then when it was taken. */
async function refresh(client: ConductorClient, jobId: string, json: boolean, every: number): Promise<void> {
  let state: JobState;
  try {
    state = await client.request('job.status', { jobId });
  } catch {
    return; // the connection closed as the job ended; finishFollowing reports the end
  }
  if (json) print(JSON.stringify(state, null, 2));
  else {
    printStatus(state);
    print(c.dim(`Last updated ${new Date().toLocaleTimeString()} | refreshing every ${every}s`));
  }
}

function printStatus(state: JobState): void {
  const sheets = Object.entries(state.sheets);
  const done = sheets.filter(([, s]) => s.status === 'completed' || s.status === 'skipped').length;
  print(`${c.bold(state.jobId)}: ${state.status} ${bar(done, state.totalSheets)}${state.costUsd > 0 ? `  $${state.costUsd.toFixed(4)}` : ''}`);
  if (state.error) print(c.red(`  ${state.error.code} ${state.error.message}`));
  if (state.worktree) print(c.dim(`  agents work in the git worktree ${state.worktree.path} (branch ${state.worktree.branch})`));
  if (state.concert) print(c.dim(`  ${concertLine(state.concert)}`));
  for (const [num, s] of sheets) {
    const asking = s.approval && !s.approval.decision && s.status === 'pending' ? c.yellow(` — awaiting approval: ${s.approval.message} ('mozart approve ${state.jobId} --sheet ${num}' or --skip)`) : '';
    const waiting = asking || (s.waitingUntil ? ` — ${s.waitReason ?? 'waiting'} until ${new Date(s.waitingUntil).toLocaleTimeString()}` : '');
    const error = s.status === 'failed' && s.lastError ? ` — ${s.lastError.code} ${s.lastError.message}` : '';
    const label = s.description ? ` (${s.description})` : '';
    print(`  ${STATUS_ICON[s.status] ?? '?'} sheet ${num.padStart(3)} ${s.status.padEnd(11)} attempts ${s.attempts}${label}${waiting}${error}`);
  }
}

/** "concert depth 2 of at most 5, started by 'x'; next: 'y' at 12:00:00". */
function concertLine(concert: NonNullable<JobState['concert']>): string {
  const parts = [`concert depth ${concert.depth}${concert.maxDepth !== undefined ? ` of at most ${concert.maxDepth}` : ''}`];
  if (concert.parent) parts.push(`started by '${concert.parent}'`);
  const head = parts.join(', ');
  const next = concert.next ? `; next: '${concert.next.jobId}'${concert.next.startsAt ? ` at ${new Date(concert.next.startsAt).toLocaleTimeString()}` : ' when this job ends'}` : '';
  return head + next;
}

export async function listCommand(args: { socket?: string; all: boolean; json: boolean; status?: string; limit?: number }): Promise<number> {
  // -s/--status: one status (the original's `queued` is our `pending`); -l/--limit: at most N, newest first.
  const wanted = args.status === 'queued' ? 'pending' : args.status;
  const jobs = (await withClient(args.socket, (client) => client.request('job.list', { all: args.all }))).filter((j) => wanted === undefined || j.status === wanted).slice(0, args.limit);
  if (args.json) print(JSON.stringify(jobs, null, 2));
  else if (jobs.length === 0) print(args.all ? 'No jobs.' : "No active jobs. 'mozart list --all' shows finished ones too.");
  else {
    for (const j of jobs) {
      // A checkpoint that cannot be read has no sheets to show: its error says what to do.
      if (j.error && j.totalSheets === 0) print(`${j.jobId.padEnd(28)} ${j.status.padEnd(10)} ${c.red(`${j.error.code} ${j.error.message}`)}`);
      else print(`${j.jobId.padEnd(28)} ${j.status.padEnd(10)} ${bar(j.completedSheets, j.totalSheets, 12)}  ${j.workspace}`);
    }
  }
  return EXIT.ok;
}

export async function jobActionCommand(action: 'pause' | 'cancel', args: { jobId: string; socket?: string; json: boolean }): Promise<number> {
  const summary = await withClient(args.socket, (client) => client.request(`job.${action}`, { jobId: args.jobId }));
  if (args.json) print(JSON.stringify(summary, null, 2));
  else {
    const words = { pause: 'will pause at the next safe point (running sheets finish first)', cancel: 'is being cancelled' };
    print(`Job '${summary.jobId}' ${words[action]}.`);
  }
  return EXIT.ok;
}
