// `job.adopt`: a job command given `-w/--workspace DIR` names a job by id within that workspace. A
// job the conductor does not know (run by another conductor, another MOZART_HOME, or cleared) is
// registered from the checkpoint it left in `<workspace>/.mozart/state/`; nothing on disk changes.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JobSummary } from '../../../protocol/src/methods.js';
import { summariseJob } from '../../../protocol/src/summary.js';
import type { JobRecord, JobState } from '../../../protocol/src/job-state.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import { JournalStore } from '../state/journal-store.js';
import { jobShape } from '../state/job-shape.js';
import { stateDir } from '../state/workspace-files.js';
import type { JobRegistryStore } from './registry.js';

/** Why a workspace's job cannot be adopted; shown to the user as is. */
export class AdoptRefusal extends Error {}

/**
 * Registers `jobId` from `workspace`'s checkpoint unless the registry already knows it there.
 * `current` reads a known job's state (the manager's, which knows running jobs).
 */
export function adoptJob(registry: JobRegistryStore, jobId: string, workspaceGiven: string, current: (jobId: string) => JobState): JobSummary & { adopted: boolean } {
  const workspace = resolve(workspaceGiven);
  const known = registry.get(jobId);
  if (known) {
    if (resolve(known.workspace) !== workspace) throw new AdoptRefusal(`The conductor knows job '${jobId}' with the workspace ${known.workspace}, not ${workspace}. Leave out --workspace, or 'mozart clear ${jobId}' first to adopt the one in ${workspace}.`);
    return { ...summariseJob(current(jobId)), adopted: false };
  }
  if (!existsSync(workspace)) throw new AdoptRefusal(`No workspace ${workspace}: it does not exist.`);
  const dir = stateDir(workspace);
  let state: JobState | undefined;
  try {
    state = JournalStore.read<JobState, JobRecord>(dir, (s, r) => applyJobRecord(s, r), jobShape);
  } catch (error) {
    throw new AdoptRefusal(`The checkpoint in ${dir} cannot be read: ${(error as Error).message}`);
  }
  if (!state) throw new AdoptRefusal(`No checkpoint in ${dir}: no job ran in ${workspace} (or its .mozart folder was removed). Start it with 'mozart run <score>'.`);
  if (state.jobId !== jobId) throw new AdoptRefusal(`The checkpoint in ${workspace} is job '${state.jobId}', not '${jobId}'. Use 'mozart <command> ${state.jobId} -w ${workspaceGiven}'.`);
  registry.put({ jobId, scoreFile: state.scoreFile, workspace });
  return { ...summariseJob(state), adopted: true };
}
