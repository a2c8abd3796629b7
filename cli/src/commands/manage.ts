// Commands that change a job or the conductor beyond run/pause/resume: `modify`, `recover`, `clear`,
// `restart`.
import { resolve } from 'node:path';
import type { JobStatus } from '../../../protocol/src/job-state.js';
import { startConductor } from '../conductor.js';
import { EXIT } from '../output.js';
import { c, print } from './follow.js';
import { withClient } from './jobs.js';
import { pauseWithin } from './original.js';

/**
 * `mozart modify <job> [-c score] [--resume] [-t SECONDS]`: pause at a safe point, take the changed
 * score, maybe resume. With `timeoutSeconds` a running job is paused here first, waiting at most that
 * long (then exit 1, nothing changed); without it the conductor waits as long as the sheets take.
 */
export async function modifyCommand(args: { jobId: string; socket?: string; scoreFile?: string; resume: boolean; json: boolean; timeoutSeconds?: number }): Promise<number> {
  if (!args.json) print(c.dim(`Applying the score to '${args.jobId}' (a running job first pauses at a safe point; this waits for its running sheets${args.timeoutSeconds !== undefined ? `, at most ${args.timeoutSeconds}s` : ''})…`));
  const summary = await withClient(args.socket, async (client) => {
    const seconds = args.timeoutSeconds;
    if (seconds !== undefined && (await client.request('job.status', { jobId: args.jobId })).status === 'running') {
      let paused: boolean;
      try {
        paused = await pauseWithin(client, args.jobId, seconds);
      } catch (error) {
        // It stopped by itself between the two requests: nothing to wait for.
        if ((await client.request('job.status', { jobId: args.jobId })).status === 'running') throw error;
        paused = true;
      }
      if (!paused) return undefined;
    }
    return client.request('job.modify', { jobId: args.jobId, resume: args.resume, ...(args.scoreFile ? { scoreFile: resolve(args.scoreFile) } : {}) });
  });
  if (!summary) {
    process.stderr.write(`mozart modify: job '${args.jobId}' did not pause within ${args.timeoutSeconds}s (its running sheets are still finishing; it pauses when they do); the score was not applied. Run 'mozart modify ${args.jobId}' again once it has paused.\n`);
    return EXIT.failure;
  }
  if (args.json) print(JSON.stringify(summary, null, 2));
  else if (args.resume) print(`Job '${summary.jobId}' resumed with ${summary.scoreFile}: ${summary.completedSheets}/${summary.totalSheets} sheets already done.`);
  // The checkpoint names the score it last ran with; the one given is taken at the next resume.
  else print(`Job '${summary.jobId}' is ${summary.status} and will use ${args.scoreFile ? resolve(args.scoreFile) : summary.scoreFile}. Continue with 'mozart resume ${summary.jobId}'.`);
  return EXIT.ok;
}

/** `mozart recover <job> [--dry-run]`: re-check failed sheets' validations without re-running them. */
export async function recoverCommand(args: { jobId: string; socket?: string; dryRun: boolean; json: boolean; sheet?: number }): Promise<number> {
  const result = await withClient(args.socket, (client) => client.request('job.recover', { jobId: args.jobId, dryRun: args.dryRun, ...(args.sheet !== undefined ? { sheet: args.sheet } : {}) }));
  if (args.json) print(JSON.stringify(result, null, 2));
  else {
    const list = (nums: number[]) => nums.join(', ');
    if (result.recovered.length === 0 && result.stillFailing.length === 0) print(`Job '${args.jobId}' has no failed sheets.`);
    const one = result.recovered.length === 1;
    if (result.recovered.length > 0) {
      print(c.green(`${args.dryRun ? 'Would recover' : 'Recovered'} sheet${one ? '' : 's'} ${list(result.recovered)}: ${one ? 'its' : 'their'} validations pass now${args.dryRun ? ` (nothing recorded; run without --dry-run to mark ${one ? 'it' : 'them'} completed)` : `; ${one ? 'it is' : 'they are'} completed`}.`));
      if (!args.dryRun && result.jobStatus === 'completed') print(`Job '${args.jobId}' is completed.`);
      else if (!args.dryRun && result.stillFailing.length === 0) print(`The sheets not run yet continue with 'mozart resume ${args.jobId}'.`);
    }
    if (result.stillFailing.length > 0) print(c.yellow(`Still failing: sheet${result.stillFailing.length === 1 ? '' : 's'} ${list(result.stillFailing)}. 'mozart diagnose ${args.jobId}' says why; 'mozart resume ${args.jobId}' runs them again.`));
  }
  return result.stillFailing.length > 0 ? EXIT.failure : EXIT.ok;
}

/** `mozart clear [<job>] [--status S ...]`: forget finished jobs; their workspaces stay on disk. */
export async function clearCommand(args: { jobId?: string; socket?: string; statuses?: string[]; json: boolean }): Promise<number> {
  const result = await withClient(args.socket, (client) =>
    client.request('job.clear', { ...(args.jobId ? { jobId: args.jobId } : {}), ...(args.statuses?.length ? { statuses: args.statuses as JobStatus[] } : {}) }),
  );
  if (args.json) print(JSON.stringify(result, null, 2));
  else if (result.cleared.length === 0) print('Nothing to clear.');
  else print(`Cleared ${result.cleared.length} job${result.cleared.length === 1 ? '' : 's'}: ${result.cleared.join(', ')}. Their workspaces and outputs are untouched.`);
  return EXIT.ok;
}

/** `mozart restart`: stop (running jobs pause and are checkpointed), then start; jobs that were running continue. */
export async function restartCommand(socket?: string, maxJobs?: string, conductorArgs: readonly string[] = [], passSocket = true): Promise<number> {
  const running = await withClient(socket, async (client) => {
    const jobs = await client.request('job.list', {});
    const closed = new Promise<void>((r) => (client.onClose = r));
    await client.request('daemon.shutdown', {});
    await closed;
    return jobs.filter((j) => j.status === 'running').map((j) => j.jobId);
  });
  const started = await startConductor(socket, maxJobs, conductorArgs, passSocket);
  print(`Conductor restarted (pid ${started.pid}) on ${started.socket}.`);
  if (running.length > 0) {
    const resumed = await withClient(socket, async (client) => {
      const out: string[] = [];
      for (const jobId of running) {
        try {
          await client.request('job.resume', { jobId });
          out.push(jobId);
        } catch (error) {
          print(c.yellow(`  ${jobId} was not resumed: ${(error as Error).message}`));
        }
      }
      return out;
    });
    if (resumed.length > 0) print(`Resumed ${resumed.join(', ')}.`);
  }
  return EXIT.ok;
}
