// `mozart approve <job> [--sheet N] [--skip]`: ends a proactive checkpoint's wait (the score's
// `checkpoints`), letting the sheet run or skipping it.
import { connectConductor } from '../conductor.js';
import { EXIT } from '../output.js';
import { print } from './follow.js';

export async function approveCommand(args: { jobId: string; socket?: string; json: boolean; skip: boolean; sheet?: number }): Promise<number> {
  const client = await connectConductor(args.socket);
  try {
    const result = await client.request('job.approve', { jobId: args.jobId, skip: args.skip, ...(args.sheet !== undefined ? { sheet: args.sheet } : {}) });
    if (args.json) print(JSON.stringify(result, null, 2));
    else print(result.decision === 'skip' ? `Sheet ${result.sheet} of '${result.jobId}' is skipped; the job goes on without it.` : `Sheet ${result.sheet} of '${result.jobId}' is approved and starts now.`);
    return EXIT.ok;
  } finally {
    client.close();
  }
}
