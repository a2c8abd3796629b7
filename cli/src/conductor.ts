// How the CLI reaches the conductor: connect to its socket, or start one (detached, in its own
// session, output to its log file) and wait for its "ready" line.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ConductorClient, ConductorTimeoutError, DEFAULT_REQUEST_TIMEOUT_MS } from '../../protocol/src/client.js';
import type { ClientOptions } from '../../protocol/src/client.js';
import { EXIT_HOME_TAKEN, homeConductor, logFile, mozartHome, openConductorLog, socketPath, socketPathProblem } from '../../protocol/src/paths.js';

/** Thrown when no conductor answers; the message says how to start one. */
export class NoConductorError extends Error {}

/** The request time limit: $MOZART_REQUEST_TIMEOUT seconds, else 30 s. */
export function requestTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.MOZART_REQUEST_TIMEOUT;
  if (text === undefined || text === '') return DEFAULT_REQUEST_TIMEOUT_MS;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`MOZART_REQUEST_TIMEOUT must be a number of seconds above 0 (it is '${text}').`);
  return value * 1000;
}

/** Connects to the running conductor; its requests time out (see requestTimeoutMs). */
export async function connectConductor(socket?: string): Promise<ConductorClient> {
  const path = socketPath(socket);
  const options: ClientOptions = { timeoutMs: requestTimeoutMs(), stuckHint: `see ${logFile()} or 'mozart restart'` };
  try {
    return await ConductorClient.connect(path, options);
  } catch (error) {
    if (error instanceof ConductorTimeoutError) throw error;
    throw new NoConductorError(`No conductor is running on ${path}. Start one with 'mozart start' (or 'mozart start --foreground' to watch its log).`);
  }
}

/**
 * Starts a detached conductor and resolves once it listens; rejects with its log's location.
 * `passSocket` false: the socket was not given on the command line, so the conductor resolves it
 * itself (MOZART_SOCKET, its config file's socket.path, the default) and reports where it came from.
 */
export function startConductor(socket?: string, maxJobs?: string, extraArgs: readonly string[] = [], passSocket = true): Promise<{ pid: number; socket: string; log: string }> {
  const path = socketPath(socket);
  const problem = socketPathProblem(path);
  if (problem) return Promise.reject(new Error(problem));
  const log = logFile();
  const out = openConductorLog(log);
  const child = spawn(process.execPath, [join(__dirname, 'conductor.js'), ...(passSocket ? ['--socket', path] : []), ...(maxJobs ? ['--max-jobs', maxJobs] : []), ...extraArgs], {
    detached: true,
    stdio: ['ignore', out, out, 'pipe'],
    env: { ...process.env, MOZART_READY_FD: '3', ELECTRON_RUN_AS_NODE: '1' },
  });
  return new Promise((resolve, reject) => {
    const ready = child.stdio[3] as NodeJS.ReadableStream;
    let said = '';
    ready.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('ready')) {
        child.unref();
        (ready as unknown as { destroy(): void }).destroy();
        resolve({ pid: child.pid ?? 0, socket: path, log });
      }
    });
    child.once('exit', (code) => reject(new Error(code === 3 ? `A conductor is already running on ${path}.` : code === EXIT_HOME_TAKEN ? homeTaken() : `The conductor exited with code ${code} before it was ready; see ${log}${code === 2 ? " (a setting it could not use: 'mozart config check' checks its config file)" : ''}.`)));
  });
}

/** Why a conductor did not start: another one holds this home, on the socket it names. */
function homeTaken(): string {
  const holder = homeConductor();
  const where = holder?.socket ? ` on ${holder.socket} (pid ${holder.pid})` : '';
  return `Another conductor already runs for ${mozartHome()}${where}; a second one would run its jobs twice. Use its socket (--socket or MOZART_SOCKET${holder?.socket ? `=${holder.socket}` : ''}), or stop it first.`;
}

/** `mozart start --foreground`: runs the conductor attached to this terminal; resolves to its exit code. */
export function runConductorInForeground(socket?: string, maxJobs?: string, extraArgs: readonly string[] = [], passSocket = true): Promise<number> {
  const path = socketPath(socket);
  const problem = socketPathProblem(path);
  if (problem) return Promise.reject(new Error(problem));
  const child = spawn(process.execPath, [join(__dirname, 'conductor.js'), ...(passSocket ? ['--socket', path] : []), '--foreground', ...(maxJobs ? ['--max-jobs', maxJobs] : []), ...extraArgs], {
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  // Ctrl-C reaches the conductor too (same process group); it pauses jobs and exits by itself.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.once('exit', (code) => resolve(code === 3 ? 1 : (code ?? 1))));
}
