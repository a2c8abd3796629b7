// The conductor daemon's entry point (dist/conductor.js). Usually started by `mozart start` (or the
// extension) detached, with output to its log file; `--socket PATH` chooses the socket.
import { closeSync, existsSync, mkdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { RPC_ERRORS } from '../../../protocol/src/framing.js';
import { mozartHome, pidFile, registryDir, socketPath, socketPathProblem } from '../../../protocol/src/paths.js';
import type { JobStatus } from '../../../protocol/src/job-state.js';
import { DEFAULT_LIMITS, JobError, JobManager } from './job-manager.js';
import { ConductorServer, MethodError } from './server.js';
import type { Handler } from './server.js';

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

function requireString(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') throw new MethodError(RPC_ERRORS.invalidParams, `Invalid params: '${name}' must be a non-empty string.`);
  return value;
}

function optionalString(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new MethodError(RPC_ERRORS.invalidParams, `Invalid params: '${name}' must be a non-empty string when given.`);
  return value;
}

function optionalInt(params: Record<string, unknown>, name: string, min: number): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new MethodError(RPC_ERRORS.invalidParams, `Invalid params: '${name}' must be an integer ≥ ${min}.`);
  return value;
}

const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'paused', 'cancelled'];

function optionalStatuses(params: Record<string, unknown>): JobStatus[] | undefined {
  const value = params.statuses;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is JobStatus => typeof v === 'string' && (JOB_STATUSES as readonly string[]).includes(v))) {
    throw new MethodError(RPC_ERRORS.invalidParams, `Invalid params: 'statuses' must be a list of ${JOB_STATUSES.join(', ')}.`);
  }
  return value;
}

/** `{ [key]: value }` when value is defined, else `{}` (optional properties stay absent). */
function withDefined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** selfHealing / autoConfirm booleans, when given. */
function healingChoice(params: Record<string, unknown>): { selfHealing?: boolean; autoConfirm?: boolean } {
  return { ...(typeof params.selfHealing === 'boolean' ? { selfHealing: params.selfHealing } : {}), ...(typeof params.autoConfirm === 'boolean' ? { autoConfirm: params.autoConfirm } : {}) };
}

/** A positive number from an environment variable, or the default. */
function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Runs one manager call, turning its refusals into JSON-RPC errors. */
function guarded(fn: Handler): Handler {
  return async (params) => {
    try {
      return await fn(params);
    } catch (error) {
      if (error instanceof JobError) throw new MethodError(RPC_ERRORS.refused, error.message);
      throw error;
    }
  };
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
  const handlers: Record<string, Handler> = {};
  const server = new ConductorServer(handlers);
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

  Object.assign(handlers, {
    'daemon.status': () => ({
      pid: process.pid,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      socket: path,
      rssBytes: process.memoryUsage.rss(),
      jobs: { total: manager.knownCount, running: manager.runningCount },
    }),
    'daemon.shutdown': () => {
      setImmediate(() => void stop('shutdown requested'));
      return { stopping: true };
    },
    'daemon.health': () => manager.health(mozartHome()),
    'job.submit': guarded((p) => manager.submit(requireString(p, 'scoreFile'), { fresh: p.fresh === true, ...withDefined('startSheet', optionalInt(p, 'startSheet', 1)), ...healingChoice(p) })),
    'job.status': guarded((p) => manager.status(requireString(p, 'jobId'))),
    'job.list': guarded((p) => manager.list(p.all === true)),
    'job.pause': guarded((p) => manager.pause(requireString(p, 'jobId'))),
    'job.resume': guarded((p) => manager.resume(requireString(p, 'jobId'), { ...withDefined('scoreFile', optionalString(p, 'scoreFile')), ...healingChoice(p) })),
    'job.modify': guarded((p) => manager.modify(requireString(p, 'jobId'), { resume: p.resume === true, ...withDefined('scoreFile', optionalString(p, 'scoreFile')) })),
    'job.clear': guarded((p) => manager.clear({ ...withDefined('jobId', optionalString(p, 'jobId')), ...withDefined('statuses', optionalStatuses(p)) })),
    'job.errors': guarded((p) => manager.errors(requireString(p, 'jobId'), optionalInt(p, 'sheet', 1))),
    'job.diagnose': guarded((p) => manager.diagnose(requireString(p, 'jobId'))),
    'job.logs': guarded((p) => {
      const offset = p.offset;
      if (offset !== undefined && (typeof offset !== 'number' || !Number.isInteger(offset))) throw new MethodError(RPC_ERRORS.invalidParams, "Invalid params: 'offset' must be an integer (negative: from the end).");
      return manager.logs(requireString(p, 'jobId'), { ...withDefined('sheet', optionalInt(p, 'sheet', 1)), ...withDefined('offset', offset as number | undefined), ...withDefined('maxBytes', optionalInt(p, 'maxBytes', 1)) });
    }),
    'job.recover': guarded((p) => manager.recover(requireString(p, 'jobId'), p.dryRun === true)),
    'job.cancel': guarded((p) => manager.cancel(requireString(p, 'jobId'))),
  } satisfies Record<string, Handler>);
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
