// Cluster mode (issue 13): jobs per minute for one and for three members on the same job mix
// (sleeping `command` agents, so the agents' waits dominate), and the dispatch overhead per job —
// submit to job.started — in cluster mode next to a single conductor, measured in the same run.
// Real conductors, a real redis-server on a free port with its data in a temp folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConductorClient } from '../../protocol/src/client.js';
import type { RunnerEvent } from '../../protocol/src/events.js';
import { RedisServer, redisMissing } from '../../conductor/test/support/redis-server.js';
import { median, percentile } from '../lib/stats.js';

const CLI = resolve('dist/cli.js');
/** The job mix: this many jobs of SHEETS sheets, each agent sleeping SLEEP seconds. */
const JOBS = Number(process.env.MOZART_BENCH_CLUSTER_JOBS ?? 24);
const SHEETS = 2;
const SLEEP = 1;
const MAX_JOBS = 4;
const DISPATCHES = 40;

interface Conductor {
  home: string;
  mozart: (...args: string[]) => { status: number | null; stderr: string };
  client: ConductorClient;
}

async function startConductor(env: NodeJS.ProcessEnv): Promise<Conductor> {
  const home = mkdtempSync(join(tmpdir(), 'mozart-bench-cluster-'));
  const full: NodeJS.ProcessEnv = { ...process.env, MOZART_HOME: home, ...env };
  delete full.MOZART_SOCKET;
  const mozart = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: full, encoding: 'utf8' });
  const started = mozart('start');
  if (started.status !== 0) throw new Error(`conductor did not start: ${started.stderr}`);
  const client = await ConductorClient.connect(join(home, 'run', 'conductor.sock'));
  return { home, mozart, client };
}

function stopAll(conductors: Conductor[]): void {
  for (const c of conductors) {
    c.client.close();
    c.mozart('stop');
    rmSync(c.home, { recursive: true, force: true });
  }
}

function writeScore(dir: string, name: string, command: string, sheets: number): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nworkspace: ./ws-${name}\npause_between_sheets_seconds: 0\nbackend: { type: command, command: ${JSON.stringify(command)}, timeout_seconds: 600 }\nsheet: { size: 1, total_items: ${sheets} }\nprompt: { template: "sheet {{ sheet_num }}" }\n`);
  return file;
}

/** Resolves when `count` events match, counted on one subscribed client. */
function countEvents(client: ConductorClient, match: (e: RunnerEvent) => boolean, count: number): Promise<void> {
  let seen = 0;
  return new Promise((res) => {
    const previous = client.onEvent;
    client.onEvent = (e) => {
      previous?.(e);
      if (match(e) && ++seen === count) res();
    };
  });
}

/** Runs the job mix on `members` members of a fresh cluster; jobs per minute. */
async function throughput(redis: RedisServer, members: number, prefix: string): Promise<number> {
  const conductors: Conductor[] = [];
  try {
    for (let i = 0; i < members; i++) conductors.push(await startConductor({ MOZART_CLUSTER: redis.url, MOZART_CLUSTER_PREFIX: prefix, MOZART_MAX_JOBS: String(MAX_JOBS) }));
    const first = conductors[0] as Conductor;
    await first.client.request('events.subscribe', {});
    const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-mix-'));
    const done = countEvents(first.client, (e) => e.type === 'job.completed', JOBS);
    const files = Array.from({ length: JOBS }, (_, i) => writeScore(dir, `mix-${i}`, `sleep ${SLEEP}`, SHEETS));
    const t0 = performance.now();
    // Submitted all at once, spread over the members, as a team would.
    await Promise.all(files.map((scoreFile, i) => (conductors[i % members] as Conductor).client.request('job.submit', { scoreFile })));
    await done;
    const minutes = (performance.now() - t0) / 60_000;
    rmSync(dir, { recursive: true, force: true });
    return JOBS / minutes;
  } finally {
    stopAll(conductors);
  }
}

/** Submit → job.started for one trivial job at a time, on an idle conductor; ms per job. */
async function dispatch(env: NodeJS.ProcessEnv): Promise<number[]> {
  const conductor = await startConductor({ MOZART_MAX_JOBS: '64', ...env });
  try {
    const { client } = conductor;
    await client.request('events.subscribe', {});
    const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-dispatch-'));
    const times: number[] = [];
    for (let i = 0; i < DISPATCHES + 5; i++) {
      const file = writeScore(dir, `d-${i}`, 'true', 1);
      const started = countEvents(client, (e) => e.type === 'job.started' && e.jobId === `d-${i}`, 1);
      const completed = countEvents(client, (e) => e.type === 'job.completed' && e.jobId === `d-${i}`, 1);
      const t0 = performance.now();
      await client.request('job.submit', { scoreFile: file });
      await started;
      if (i >= 5) times.push(performance.now() - t0); // the first few warm up the JIT and Redis scripts
      await completed;
    }
    rmSync(dir, { recursive: true, force: true });
    return times;
  } finally {
    stopAll([conductor]);
  }
}

export async function benchCluster(): Promise<void> {
  console.log('\nCluster mode: BullMQ on a local redis-server (appendonly, appendfsync everysec), real conductors');
  if (redisMissing) {
    console.log(`skipped: ${redisMissing}`);
    return;
  }
  // Redis's default AOF policy (fsync once a second), as docs/cluster.md recommends for speed.
  const redis = await RedisServer.start('everysec');
  try {
    const one = await throughput(redis, 1, 'bench-one');
    const three = await throughput(redis, 3, 'bench-three');
    console.log(`job mix: ${JOBS} jobs × ${SHEETS} sheets, each agent 'sleep ${SLEEP}'; every member --max-jobs ${MAX_JOBS}`);
    console.log(`${'members'.padEnd(12)}${'jobs/min'.padStart(10)}${'vs one'.padStart(9)}`);
    console.log(`${'1'.padEnd(12)}${one.toFixed(1).padStart(10)}${'1.00'.padStart(9)}`);
    console.log(`${'3'.padEnd(12)}${three.toFixed(1).padStart(10)}${(three / one).toFixed(2).padStart(9)}`);
    console.log(`(bound set by the agents alone: ${((60 / (SHEETS * SLEEP)) * MAX_JOBS).toFixed(0)} and ${((60 / (SHEETS * SLEEP)) * MAX_JOBS * 3).toFixed(0)} jobs/min)`);
    const local = await dispatch({});
    const cluster = await dispatch({ MOZART_CLUSTER: redis.url, MOZART_CLUSTER_PREFIX: 'bench-dispatch' });
    console.log(`dispatch overhead, submit → job.started, one job at a time on an idle conductor (${DISPATCHES} jobs; ms)`);
    console.log(`${'mode'.padEnd(28)}${'median'.padStart(9)}${'p95'.padStart(9)}`);
    console.log(`${'single conductor'.padEnd(28)}${median(local).toFixed(2).padStart(9)}${percentile(local, 95).toFixed(2).padStart(9)}`);
    console.log(`${'cluster member (queued)'.padEnd(28)}${median(cluster).toFixed(2).padStart(9)}${percentile(cluster, 95).toFixed(2).padStart(9)}`);
    console.log('goal: 3 members ≥ 2.5× one; cluster dispatch under 20 ms per job');
  } finally {
    await redis.dispose();
  }
}

// `node --import tsx scripts/bench/cluster.ts` runs this part alone.
if (process.argv[1] && resolve(process.argv[1]) === resolve(__filename)) void benchCluster();
