// The conductor daemon's entry point (dist/conductor.js). Usually started by `mozart start` (or the
// extension) detached, with output to its log file; `--socket PATH` chooses the socket.
import { closeSync, existsSync, mkdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { RPC_ERRORS } from '../protocol/framing.js';
import { pidFile, registryDir, socketPath, socketPathProblem } from '../protocol/paths.js';
import { JobError, JobManager } from './job-manager.js';
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
  const { values } = parseArgs({ options: { socket: { type: 'string' }, foreground: { type: 'boolean' } } });
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
  const manager = new JobManager(registryDir(), (event) => server.publish(event));
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
      jobs: { total: manager.list(true).length, running: manager.runningCount },
    }),
    'daemon.shutdown': () => {
      setImmediate(() => void stop('shutdown requested'));
      return { stopping: true };
    },
    'job.submit': guarded((p) => manager.submit(requireString(p, 'scoreFile'), p.fresh === true)),
    'job.status': guarded((p) => manager.state(requireString(p, 'jobId'))),
    'job.list': guarded((p) => manager.list(p.all === true)),
    'job.pause': guarded((p) => manager.pause(requireString(p, 'jobId'))),
    'job.resume': guarded((p) => manager.resume(requireString(p, 'jobId'))),
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

main().catch((error: Error) => {
  log(`mozart conductor failed to start: ${error.message}`);
  process.exit(1);
});
