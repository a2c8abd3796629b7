// The connection shell against a real conductor on a temp socket. The conductor and the CLI are
// bundled for this test into a temp folder (with the project's build options), so it does not
// depend on dist/ — which other test files rebuild while this one runs. two connection objects starting at once spawn exactly one conductor; events reach
// the job store; a conductor killed with SIGKILL is restarted once and both rejoin it; a conductor
// stopped on purpose is not restarted; one started from the CLI is noticed and joined.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { after, before, describe, test } from 'node:test';
import { ConductorConnection } from '../src/conductor/connection.js';
import type { ConnectionOptions } from '../src/conductor/connection.js';
import type { ConnectionState } from '../src/conductor/connection-state.js';
import { JobStore } from '../src/jobs/job-store.js';

const ROOT = resolve(__dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'mz-conn-'));
const DIST = join(home, 'dist');
const socket = join(home, 'c.sock');
const env: NodeJS.ProcessEnv = { ...process.env, MOZART_HOME: home, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' };
delete env.MOZART_SOCKET;

const options: ConnectionOptions = {
  socketPath: socket,
  conductorScript: join(DIST, 'conductor.js'),
  execPath: process.execPath,
  env,
  logFile: join(home, 'conductor.log'),
  mayRestart: () => true,
  requestTimeoutMs: 30_000,
};

/** Resolves with the state once `accept` holds (checked now and on every change). */
function until(connection: ConductorConnection, accept: (state: ConnectionState) => boolean): Promise<ConnectionState> {
  if (accept(connection.state)) return Promise.resolve(connection.state);
  return new Promise((resolvePromise) => {
    const onState = (state: ConnectionState) => {
      if (!accept(state)) return;
      connection.off('state', onState);
      resolvePromise(state);
    };
    connection.on('state', onState);
  });
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(DIST, 'cli.js'), ...args, '--socket', socket], { env, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the connection against a real conductor', () => {
  let a: ConductorConnection;
  let b: ConductorConnection;
  const spawnedPids: number[] = [];

  before(async () => {
    const { buildOptions } = (await import(pathToFileURL(join(ROOT, 'scripts/build-options.mjs')).href)) as { buildOptions: (production: boolean) => BuildOptions };
    const entries = buildOptions(false).entryPoints as Record<string, string>;
    await build({
      ...buildOptions(false),
      absWorkingDir: ROOT,
      entryPoints: { conductor: entries.conductor as string, cli: entries.cli as string },
      outdir: DIST,
      sourcemap: false,
      metafile: false,
    });
    assert.ok(existsSync(options.conductorScript), `${options.conductorScript} was built`);
    a = new ConductorConnection(options);
    b = new ConductorConnection(options);
    for (const c of [a, b]) c.on('spawned', (pid) => spawnedPids.push(pid));
  });

  after(() => {
    cli('stop');
    a?.dispose();
    b?.dispose();
    for (const pid of spawnedPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  test('two connections starting at once spawn exactly one conductor and both join it', async () => {
    a.start({ spawn: true });
    b.start({ spawn: true });
    const [clientA, clientB] = await Promise.all([a.whenRunning(), b.whenRunning()]);
    assert.ok(clientA && clientB);
    assert.equal(a.spawnCount + b.spawnCount, 1, 'one spawn between them');
    assert.equal(spawnedPids.length, 1);
    assert.equal(a.state.conductor?.pid, spawnedPids[0]);
    assert.equal(b.state.conductor?.pid, spawnedPids[0]);
    const status = await a.request('daemon.status', {});
    assert.equal(status.pid, spawnedPids[0]);
    assert.equal(status.socket, socket);
  });

  test("the conductor's events reach the job store until the job completes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mz-score-'));
    const score = join(dir, 'score.yaml');
    writeFileSync(
      score,
      `name: conn-test
workspace: ./ws
pause_between_sheets_seconds: 0
backend: { type: command, command: 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', timeout_seconds: 60 }
sheet: { size: 1, total_items: 2 }
prompt: { template: "sheet {{ sheet_num }}" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}" }
`,
    );
    const store = new JobStore(b);
    b.on('event', (event) => store.handle(event));
    b.on('record', (event) => store.handleRecord(event));
    await store.load();
    const seen: string[] = [];
    b.on('event', (event) => seen.push(event.type));
    const completed = new Promise<void>((resolvePromise) => {
      store.on('changed', () => {
        if (store.summary('conn-test')?.status === 'completed' && store.state('conn-test')?.sheets['2']?.status === 'completed') resolvePromise();
      });
    });
    const submitted = await a.request('job.submit', { scoreFile: score });
    store.upsert(submitted);
    await completed;
    assert.equal(store.summary('conn-test')?.completedSheets, 2);
    assert.ok(seen.includes('sheet.started') && seen.includes('sheet.completed') && seen.includes('job.completed'), seen.join(','));
  });

  test('a conductor killed with SIGKILL is restarted once, and both connections rejoin the new one', async () => {
    const old = a.state.conductor?.pid;
    assert.ok(old);
    const before = a.spawnCount + b.spawnCount;
    const rejoined = Promise.all([until(a, (s) => s.phase === 'running' && s.conductor?.pid !== old), until(b, (s) => s.phase === 'running' && s.conductor?.pid !== old)]);
    process.kill(old, 'SIGKILL');
    const [stateA, stateB] = await rejoined;
    assert.equal(a.spawnCount + b.spawnCount, before + 1, 'exactly one restart');
    assert.equal(stateA.conductor?.pid, stateB.conductor?.pid);
    assert.equal(stateA.conductor?.pid, spawnedPids.at(-1));
    assert.equal(stateA.crashes.length + stateB.crashes.length >= 1, true, 'the crash is counted');
  });

  test('a conductor stopped on purpose is not restarted: both end stopped', async () => {
    const before = a.spawnCount + b.spawnCount;
    const pid = a.state.conductor?.pid;
    const settled = (s: ConnectionState) => s.phase !== 'running' && s.phase !== 'starting';
    const stopped = Promise.all([until(a, settled), until(b, settled)]);
    a.stop();
    const [stateA, stateB] = await stopped;
    assert.equal(stateA.phase, 'stopped');
    assert.equal(stateB.phase, 'stopped', 'the other connection reads the log and sees a stop, not a crash');
    assert.equal(a.spawnCount + b.spawnCount, before, 'nothing was respawned');
    assert.ok(pid);
  });

  test('a conductor started from the command line is noticed and joined without spawning', async () => {
    const before = a.spawnCount + b.spawnCount;
    const joined = Promise.all([until(a, (s) => s.phase === 'running'), until(b, (s) => s.phase === 'running')]);
    const started = cli('start');
    assert.equal(started.code, 0, started.err);
    const [stateA, stateB] = await joined;
    assert.equal(a.spawnCount + b.spawnCount, before);
    assert.equal(stateA.conductor?.pid, stateB.conductor?.pid);
    const status = await b.request('daemon.status', {});
    assert.equal(status.pid, stateA.conductor?.pid);
  });
});
