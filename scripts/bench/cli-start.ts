// `mozart validate` from a cold start: fresh processes of the bundled CLI checking hello-world,
// interleaved with fresh `node -e 0` processes (the floor any Node program pays) in the same run,
// so both see the same machine. The goal is under 2× the floor; printed, never asserted.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { median, percentile } from '../lib/stats.js';

const ROOT = join(__dirname, '..', '..');
const RUNS = 21;
const GOAL_RATIO = 2;

function wallMs(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited with ${run.status}: ${run.stderr || run.stdout}`);
  return ms;
}

export function benchCliStart(): void {
  const validate = ['dist/cli.js', 'validate', 'examples/hello-world.yaml'];
  const bare = ['-e', '0'];
  wallMs(validate); // the first run warms the file cache, not the process
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push(wallMs(bare));
    ours.push(wallMs(validate));
  }
  const ratio = median(ours) / median(floor);
  console.log(`\nmozart validate examples/hello-world.yaml from a cold start (${RUNS} fresh processes each, interleaved)`);
  console.log(`${'node -e 0 (reference)'.padEnd(40)}${median(floor).toFixed(1).padStart(10)} ms median${percentile(floor, 90).toFixed(1).padStart(10)} ms p90`);
  console.log(`${'mozart validate (dist/cli.js)'.padEnd(40)}${median(ours).toFixed(1).padStart(10)} ms median${percentile(ours, 90).toFixed(1).padStart(10)} ms p90`);
  console.log(`${'ratio'.padEnd(40)}${`${ratio.toFixed(2)}×`.padStart(10)}    goal under ${GOAL_RATIO}× — ${ratio < GOAL_RATIO ? 'ok' : 'OVER GOAL'}`);
}

if (require.main === module) benchCliStart();
