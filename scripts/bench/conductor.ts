// Conductor round trip: `job.status` over the real Unix socket, idle and with 20 running jobs
// streaming output to 20 subscribed clients, next to a bare Unix-socket echo measured in the same
// run; plus the idle conductor's memory.
//
// The reference echo runs as the conductor does: a process in a session of its own (`mozart start`
// detaches the conductor with setsid). Where the kernel groups CPU time by session (Linux's
// autogroup, on by default on desktops), a process in the bench's own session is woken within the
// bench's group and answers sooner under load than any daemon can; that echo is measured and printed
// too, as a second reference.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConductorClient } from '../../protocol/src/client.js';
import type { MethodName, Methods } from '../../protocol/src/methods.js';
import { processCpuSeconds } from '../lib/proc-cpu.js';
import { median, percentile } from '../lib/stats.js';

const CLI = resolve('dist/cli.js');
const REQUESTS = 2000;

const p99 = (v: number[]) => percentile(v, 99);

/** A line-echo server in its own process: in a session of its own like the conductor (`detached`), or in the bench's. */
function startEcho(path: string, detached: boolean): Promise<ChildProcess> {
  const code = `require('net').createServer((s) => s.on('data', (d) => s.write(d))).listen(${JSON.stringify(path)}, () => process.stdout.write('ready\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], detached });
  return new Promise((res) => child.stdout?.once('data', () => res(child)));
}

const connectTo = (path: string): Promise<Socket> =>
  new Promise((res) => {
    const s = connect(path, () => res(s));
  });

interface Echoes {
  /** In a session of its own, as the conductor runs: the reference the goal is measured against. */
  daemon: Socket;
  /** In the bench's session. */
  here: Socket;
}

interface Run {
  /** Against the echo in its own session. */
  echo: number[];
  rpc: number[];
  /** Against the echo in the bench's session, measured right after. */
  echoHere: number[];
  rpcHere: number[];
}

/** One round trip on the echo socket. */
async function echoOnce(socket: Socket, line: string): Promise<void> {
  await new Promise<void>((res) => {
    let got = '';
    const onData = (d: Buffer) => {
      got += d.toString();
      if (got.endsWith('\n')) {
        socket.off('data', onData);
        res();
      }
    };
    socket.on('data', onData);
    socket.write(line);
  });
}

/**
 * Interleaves echo and conductor round trips (one of each per step), so both meet the same machine
 * state: CPU frequency, other load, a warm or cold scheduler.
 */
async function measureWith<M extends MethodName>(echo: Socket, client: ConductorClient, method: M, params: Methods[M][0], count: number): Promise<{ echo: number[]; rpc: number[] }> {
  const line = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) + '\n';
  for (let i = 0; i < 50; i++) {
    await echoOnce(echo, line);
    await client.request(method, params);
  }
  const out = { echo: [] as number[], rpc: [] as number[] };
  for (let i = 0; i < count; i++) {
    let t = performance.now();
    await echoOnce(echo, line);
    out.echo.push(performance.now() - t);
    t = performance.now();
    await client.request(method, params);
    out.rpc.push(performance.now() - t);
  }
  return out;
}

/** One situation measured twice in a row: against the echo in its own session, then against the one in the bench's. */
async function measure<M extends MethodName>(echoes: Echoes, client: ConductorClient, method: M, params: Methods[M][0], count: number): Promise<Run> {
  const daemon = await measureWith(echoes.daemon, client, method, params, count);
  const here = await measureWith(echoes.here, client, method, params, count);
  return { echo: daemon.echo, rpc: daemon.rpc, echoHere: here.echo, rpcHere: here.rpc };
}

/**
 * Waits until the conductor's own CPU use over half a second falls under SETTLED_CPU (or
 * SETTLE_LIMIT_S passes): right after 20 jobs start it stays busy for a while with their first
 * checkpoint and log writes and with code run for the first time. Returns the seconds waited and
 * the CPU shares seen (one per half second), or undefined where /proc cannot tell.
 */
async function conductorSettled(pid: number): Promise<{ seconds: number; shares: number[] } | undefined> {
  const shares: number[] = [];
  const t0 = performance.now();
  let before = processCpuSeconds(pid);
  if (before === undefined) return undefined;
  while (performance.now() - t0 < SETTLE_LIMIT_S * 1000) {
    const start = performance.now();
    await new Promise((res) => setTimeout(res, 500));
    const now = processCpuSeconds(pid);
    if (now === undefined) return undefined;
    const share = (now - before) / ((performance.now() - start) / 1000);
    shares.push(share);
    before = now;
    if (share < SETTLED_CPU) break;
  }
  return { seconds: (performance.now() - t0) / 1000, shares };
}

/** A conductor using less than this share of one CPU has settled (20 agents' output costs it ~3–5 % here). */
const SETTLED_CPU = 0.1;
const SETTLE_LIMIT_S = 20;

function score(dir: string, name: string, command: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nworkspace: ./ws-${name}\npause_between_sheets_seconds: 0\nbackend: { type: command, command: ${JSON.stringify(command)}, timeout_seconds: 600 }\nsheet: { size: 1, total_items: 3 }\nprompt: { template: "sheet {{ sheet_num }}" }\n`);
  return file;
}

export async function benchConductor(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'mozart-bench-home-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MOZART_HOME: home, MOZART_MAX_JOBS: '32' };
  delete env.MOZART_SOCKET;
  const mozart = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  const socket = join(home, 'run', 'conductor.sock');
  const echoPath = join(home, 'echo.sock');
  const echoHerePath = join(home, 'echo-here.sock');
  const echo = await startEcho(echoPath, true);
  const echoHere = await startEcho(echoHerePath, false);
  const started = mozart('start');
  if (started.status !== 0) throw new Error(`conductor did not start: ${started.stderr}`);
  const clients: ConductorClient[] = [];
  try {
    const client = await ConductorClient.connect(socket);
    clients.push(client);
    const idle = await client.request('daemon.status', {});
    // One finished job to ask about, as `mozart status` does.
    const done = new Promise<void>((res) => (client.onEvent = (e) => e.type === 'job.completed' && res()));
    await client.request('events.subscribe', { jobId: 'bench-status' });
    await client.request('job.submit', { scoreFile: score(home, 'bench-status', 'true') });
    await done;

    const echoes: Echoes = { daemon: await connectTo(echoPath), here: await connectTo(echoHerePath) };
    const idleRun = await measure(echoes, client, 'job.status', { jobId: 'bench-status' }, REQUESTS);

    // 20 jobs whose agents print a line every 50 ms until told to stop, and 20 subscribers.
    const stopFile = join(home, 'stop');
    const ticking = `while [ ! -e ${JSON.stringify(stopFile)} ]; do echo tick; sleep 0.05; done; exit 1`;
    let events = 0;
    // Measured once every job's agent has printed: the spawning of 20 agents is not the steady state.
    const started = new Set<string>();
    let allStarted: () => void = () => undefined;
    const allRunning = new Promise<void>((res) => (allStarted = res));
    for (let i = 0; i < 20; i++) {
      const subscriber = await ConductorClient.connect(socket);
      subscriber.onEvent = (event) => {
        events++;
        if (event.type === 'sheet.output' && event.jobId.startsWith('busy-')) started.add(event.jobId);
        if (started.size === 20) allStarted();
      };
      await subscriber.request('events.subscribe', {});
      clients.push(subscriber);
    }
    for (let i = 0; i < 20; i++) await client.request('job.submit', { scoreFile: score(home, `busy-${i}`, ticking) });
    await allRunning;
    const running = (await client.request('daemon.status', {})).jobs.running;
    // The first requests after 20 agents start meet the conductor still busy with their start (the
    // first checkpoint and log writes of every job, code run for the first time): 500 of them are
    // measured and printed but not counted; the rows that count wait until its CPU use settles.
    const settling = await measure(echoes, client, 'job.status', { jobId: 'bench-status' }, 500);
    const settled = await conductorSettled(idle.pid);
    const eventsBefore = events;
    const t0 = performance.now();
    const busyRun = await measure(echoes, client, 'job.status', { jobId: 'bench-status' }, REQUESTS);
    const eventRate = ((events - eventsBefore) / (performance.now() - t0)) * 1000;
    const busyRunning = await measure(echoes, client, 'job.status', { jobId: 'busy-0' }, REQUESTS);
    writeFileSync(stopFile, '');
    echoes.daemon.destroy();
    echoes.here.destroy();

    const rows: [string, Run][] = [
      ['idle conductor, finished job', idleRun],
      ["(first 500 after the jobs started, not counted)", settling],
      [`${running} running jobs + 20 subscribers, finished job`, busyRun],
      [`${running} running jobs + 20 subscribers, running job`, busyRunning],
    ];
    console.log('\nConductor round trip: job.status vs a bare Unix-socket echo of the same request');
    console.log(`(${REQUESTS} of each, interleaved one by one; then as many against the second echo; ms)`);
    console.log("echo: a bare echo in a session of its own, as the conductor runs (the goal's reference); echo here: one in the bench's session, with the ratio of the status requests measured beside it");
    console.log(`${'situation'.padEnd(48)}${'status med'.padStart(11)}${'p99'.padStart(8)}${'echo med'.padStart(10)}${'p99'.padStart(8)}${'ratio'.padStart(7)}${'echo here'.padStart(11)}${'ratio'.padStart(7)}`);
    for (const [label, r] of rows) {
      const cells = [median(r.rpc).toFixed(3).padStart(11), p99(r.rpc).toFixed(3).padStart(8), median(r.echo).toFixed(3).padStart(10), p99(r.echo).toFixed(3).padStart(8), (median(r.rpc) / median(r.echo)).toFixed(2).padStart(7)];
      console.log(`${label.padEnd(48)}${cells.join('')}${median(r.echoHere).toFixed(3).padStart(11)}${(median(r.rpcHere) / median(r.echoHere)).toFixed(2).padStart(7)}`);
    }
    if (settled) console.log(`conductor settled ${settled.seconds.toFixed(1)} s after the 500: its CPU use per half second ${settled.shares.map((x) => `${(x * 100).toFixed(0)}%`).join(' → ')} of one CPU (settled: under ${SETTLED_CPU * 100}%)`);
    else console.log('(no /proc here: the rows that count follow the 500 at once, the conductor may still be settling)');
    console.log(`events delivered to the 20 subscribers during the busy run: ${eventRate.toFixed(0)}/s`);
    console.log(`idle conductor memory (RSS right after start): ${(idle.rssBytes / 1024 / 1024).toFixed(1)} MB`);
    console.log('goal: median under 2× the bare echo, p99 under 10 ms, idle RSS under 60 MB');
  } finally {
    for (const c of clients) c.close();
    mozart('stop');
    echo.kill();
    echoHere.kill();
    rmSync(home, { recursive: true, force: true });
  }
}
