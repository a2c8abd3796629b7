// `npm run main-job`: the README's first command. Starts the conductor if none answers, then runs
// examples/hello-world.yaml (offline, on the command backend) to completion, following its progress.
import { spawnSync } from 'node:child_process';

const cli = (...args) => spawnSync(process.execPath, ['dist/cli.js', ...args], { stdio: 'inherit' }).status;

if (spawnSync(process.execPath, ['dist/cli.js', 'conductor-status'], { stdio: 'ignore' }).status !== 0) {
  const started = cli('start');
  if (started !== 0) process.exit(started ?? 1);
}
process.exit(cli('run', 'examples/hello-world.yaml', '--fresh', '--watch') ?? 1);
