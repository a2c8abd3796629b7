// The conductor's start with and without a config file: fresh conductors (dist/conductor.js) from
// spawn to their "ready" line, without a file and with the starter file `mozart config init` writes
// (plus one notification channel), interleaved so both meet the same machine; and the time one
// check of that file takes in this process (parse, schema, positions). Printed, never asserted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkConductorConfig } from '../../score/src/conductor-config.js';
import { starterConfig } from '../../cli/src/commands/config-init.js';
import { median, percentile } from '../lib/stats.js';

const RUNS = 15;
const CONDUCTOR = resolve('dist/conductor.js');

/** Starts a conductor in `home`, resolves with the ms until it said ready, after stopping it. */
function startOnce(home: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, MOZART_HOME: home, MOZART_READY_FD: '3' };
  delete env.MOZART_SOCKET;
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [CONDUCTOR], { env, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  return new Promise((res, rej) => {
    child.once('exit', (code) => rej(new Error(`the conductor exited with ${code} before it was ready`)));
    (child.stdio[3] as NodeJS.ReadableStream).once('data', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      child.removeAllListeners('exit');
      child.once('exit', () => res(ms));
      child.kill('SIGTERM');
    });
  });
}

export async function benchConductorStart(): Promise<void> {
  const bare = mkdtempSync(join(tmpdir(), 'mozart-bench-nocfg-'));
  const withFile = mkdtempSync(join(tmpdir(), 'mozart-bench-cfg-'));
  const text = starterConfig().replace('notifications: []', 'notifications: [{ type: webhook, config: { url: "http://127.0.0.1:9/hook" } }]');
  writeFileSync(join(withFile, 'conductor.yaml'), text);
  const none: number[] = [];
  const file: number[] = [];
  try {
    await startOnce(bare); // warms the file cache
    for (let i = 0; i < RUNS; i++) {
      none.push(await startOnce(bare));
      file.push(await startOnce(withFile));
    }
  } finally {
    rmSync(bare, { recursive: true, force: true });
    rmSync(withFile, { recursive: true, force: true });
  }
  const checks: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    checkConductorConfig('conductor.yaml', text);
    checks.push(performance.now() - t);
  }
  console.log(`\nConductor start to ready (${RUNS} fresh conductors each, interleaved)`);
  console.log(`${'no config file'.padEnd(40)}${median(none).toFixed(1).padStart(10)} ms median${percentile(none, 90).toFixed(1).padStart(10)} ms p90`);
  console.log(`${`starter conductor.yaml (${text.split('\n').length} lines)`.padEnd(40)}${median(file).toFixed(1).padStart(10)} ms median${percentile(file, 90).toFixed(1).padStart(10)} ms p90`);
  console.log(`${'one check of that file (in process)'.padEnd(40)}${median(checks.slice(20)).toFixed(3).padStart(10)} ms median${percentile(checks.slice(20), 90).toFixed(3).padStart(10)} ms p90`);
}

if (require.main === module) {
  if (!existsSync(CONDUCTOR)) throw new Error('build first: node scripts/build.mjs');
  void benchConductorStart();
}
