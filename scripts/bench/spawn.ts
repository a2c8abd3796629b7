// Starting a child, as every sheet does twice (the agent, then a command validation): `/bin/sh -c
// true` run to its end through runProcess, once through the process helper (posix_spawn, the default
// on Linux) and once with Node's own spawn (the reference: what the conductor did before), in
// alternating rounds of the same run. Prints the time per child and the CPU this process spent on
// it — the conductor's event loop is blocked for most of that CPU.
import { configureLauncher, launcherState } from '../../conductor/src/backends/launcher.js';
import { runProcess } from '../../conductor/src/backends/process.js';
import { median } from '../lib/stats.js';

const CHILDREN = 200;
const ROUNDS = 3;

async function round(): Promise<{ wallMs: number; cpuMs: number }> {
  const spec = { command: '/bin/sh', args: ['-c', 'true'], cwd: process.cwd(), env: process.env, timeoutMs: 30_000, captureBytes: 1024 };
  for (let i = 0; i < 10; i++) await runProcess(spec);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < CHILDREN; i++) {
    const r = await runProcess(spec);
    if (r.exitCode !== 0) throw new Error(`/bin/sh -c true ended ${r.exitCode ?? r.signal}: ${r.spawnError?.message ?? r.stderr}`);
  }
  const used = process.cpuUsage(cpu);
  return { wallMs: (performance.now() - started) / CHILDREN, cpuMs: (used.user + used.system) / 1000 / CHILDREN };
}

export async function benchSpawn(): Promise<void> {
  console.log(`\nStarting a child: /bin/sh -c true to its end through runProcess, ${CHILDREN} in a row, ${ROUNDS} alternating rounds per way`);
  const ways = { helper: [] as { wallMs: number; cpuMs: number }[], node: [] as { wallMs: number; cpuMs: number }[] };
  for (let i = 0; i < ROUNDS; i++) {
    configureLauncher('off');
    ways.node.push(await round());
    configureLauncher('auto');
    ways.helper.push(await round());
  }
  const state = launcherState();
  configureLauncher('off');
  const row = (label: string, runs: { wallMs: number; cpuMs: number }[]) =>
    console.log(`${label.padEnd(46)}${median(runs.map((r) => r.wallMs)).toFixed(2).padStart(8)} ms per child${median(runs.map((r) => r.cpuMs)).toFixed(2).padStart(8)} ms CPU here`);
  row("Node's spawn (reference)", ways.node);
  if (state.kind !== 'helper') {
    console.log(`  process helper not used here: ${state.why}`);
    return;
  }
  row(`process helper (${state.interpreter}, posix_spawn)`, ways.helper);
  const ratio = median(ways.node.map((r) => r.wallMs)) / median(ways.helper.map((r) => r.wallMs));
  console.log(`${'helper is faster by'.padEnd(46)}${`${ratio.toFixed(2)}×`.padStart(8)}`);
}

if (require.main === module) void benchSpawn();
