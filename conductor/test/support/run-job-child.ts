// Runs one job in this process and prints every runner event as a JSON line: the parent test kills
// this process with SIGKILL mid-sheet to prove the checkpoint survives.
import { prepareJob } from './job.js';

const [scoreFile, dir] = process.argv.slice(2) as [string, string];
const job = prepareJob(scoreFile, dir, 1);
// Re-wire events to stdout (prepareJob collects them in memory).
const originalPush = job.events.push.bind(job.events);
job.events.push = (...events) => {
  for (const e of events) process.stdout.write(JSON.stringify(e) + '\n');
  return originalPush(...events);
};
void job.runner.run();
