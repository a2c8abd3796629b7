// The conductor daemon's entry point (dist/conductor.js). Usually started by `mozart start` (or the
// extension) detached, with output to its log file; `--socket PATH` chooses the socket.
import { closeSync, existsSync, mkdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { mozartHome, pidFile, registryDir, socketPath, socketPathProblem } from '../../../protocol/src/paths.js';
import { DEFAULT_LIMITS, JobError, JobManager } from './job-manager.js';
import { ConductorServer } from './server.js';
import type { Handlers } from './server.js';

declare const MOZART_VERSION: string | undefined;
const VERSION = typeof MOZART_VERSION === 'string' ? MOZART_VERSION : 'dev';

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${message}\n`);
}

/** True when something answers on the socket. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A positive number from an environment variable, or the default. */
function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { socket: { type: 'string' }, foreground: { type: 'boolean' }, 'max-jobs': { type: 'string' } } });
  const path = socketPath(values.socket);
  const tooLong = socketPathProblem(path);
  if (tooLong) {
    log(`mozart conductor: ${tooLong}`);
    process.exit(2);
  }
  if (existsSync(path)) {
    if (await answers(path)) {
      log(`mozart conductor: another conductor is already running on ${path}.`);
      process.exit(3);
    }
    rmSync(path, { force: true }); // stale socket from a conductor that died
  }

  const started = Date.now();
  const maxJobs = values['max-jobs'] !== undefined ? Number(values['max-jobs']) : envNumber('MOZART_MAX_JOBS', DEFAULT_LIMITS.maxRunningJobs);
  if (!Number.isInteger(maxJobs) || maxJobs < 1) {
    log(`mozart conductor: --max-jobs must be a whole number ≥ 1 (got '${values['max-jobs']}').`);
    process.exit(2);
  }
  const limits = { maxRunningJobs: maxJobs, minAvailableMemoryBytes: envNumber('MOZART_MIN_FREE_MEMORY_MB', DEFAULT_LIMITS.minAvailableMemoryBytes / 1024 / 1024) * 1024 * 1024 };
  const manager = new JobManager(registryDir(), (event) => server.publish(event), limits);
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping (${reason}): pausing ${manager.runningCount} running job(s) at a safe point`);
      await manager.pauseAll();
      await server.close();
      rmSync(pidFile(), { force: true });
      log('stopped');
      process.exit(0);
    })();
    return stopping;
  };

  // Params arrive checked against each method's schema (absent options stay absent); a JobError
  // thrown here is the manager refusing, answered as is (-32000).
  const handlers: Handlers = {
    'daemon.status': async () => ({
      pid: process.pid,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      socket: path,
      rssBytes: process.memoryUsage.rss(),
      jobs: { total: manager.knownCount, running: manager.runningCount },
    }),
    'daemon.shutdown': async () => {
      setImmediate(() => void stop('shutdown requested'));
      return { stopping: true };
    },
    'daemon.health': async () => manager.health(mozartHome()),
    'job.submit': async ({ scoreFile, ...options }) => manager.submit(scoreFile, options),
    'job.status': async ({ jobId }) => {
      const state = manager.status(jobId);
      // A job at rest keeps the same checkpoint object until its files change: encode it once.
      if (!manager.isRunning(jobId)) server.keepJson(state);
      return state;
    },
    'job.list': async ({ all }) => manager.list(all === true),
    'job.pause': async ({ jobId }) => manager.pause(jobId),
    'job.resume': async ({ jobId, ...options }) => manager.resume(jobId, options),
    'job.modify': async ({ jobId, ...options }) => manager.modify(jobId, options),
    'job.clear': async (options) => manager.clear(options),
    'job.errors': async ({ jobId, sheet }) => manager.errors(jobId, sheet),
    'job.diagnose': async ({ jobId }) => manager.diagnose(jobId),
    'job.logs': async ({ jobId, ...options }) => manager.logs(jobId, options),
    'job.recover': async ({ jobId, dryRun }) => manager.recover(jobId, dryRun === true),
    'job.cancel': async ({ jobId }) => manager.cancel(jobId),
  };
  const server = new ConductorServer(handlers, { isRefusal: (error) => error instanceof JobError, log });
  await server.listen(path);
  mkdirSync(dirname(pidFile()), { recursive: true, mode: 0o700 });
  writeFileSync(pidFile(), String(process.pid));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  log(`mozart conductor ${VERSION} listening on ${path} (pid ${process.pid})`);
  const resumed = manager.resumeInterrupted();
  if (resumed.length) log(`resumed interrupted job(s): ${resumed.join(', ')}`);
  // `mozart start` passes a pipe as fd 3 and waits for this line instead of polling the socket.
  if (process.env.MOZART_READY_FD) {
    const fd = Number(process.env.MOZART_READY_FD);
    try {
      writeSync(fd, 'ready\n');
      closeSync(fd);
    } catch {
      /* nobody is waiting */
    }
  }
}

// One job's failure must never take the others down with the conductor: anything that escapes is
// logged and the conductor keeps serving (each job's runner turns its own failures into a failed job).
process.on('unhandledRejection', (reason) => log(`unexpected error (the conductor keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
process.on('uncaughtException', (error) => log(`unexpected error (the conductor keeps running): ${error.stack ?? error.message}`));

main().catch((error: Error) => {
  log(`mozart conductor failed to start: ${error.message}`);
  process.exit(1);
});
