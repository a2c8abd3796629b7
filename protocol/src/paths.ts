// Where the conductor lives on disk: its socket (in a user-only directory), pid file, log, and job
// registry. The socket path is checked against the OS limit instead of being truncated silently.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** sun_path is 108 bytes on Linux and 104 on macOS, including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'darwin' ? 103 : 107;

/** Mozart's home folder (~/.mozart, or $MOZART_HOME). */
export function mozartHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.MOZART_HOME ?? join(homedir(), '.mozart');
}

/** The socket path: --socket, then $MOZART_SOCKET, then <home>/run/conductor.sock. */
export function socketPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.MOZART_SOCKET ?? join(mozartHome(env), 'run', 'conductor.sock');
}

/** An error message when a socket path is too long for the OS, else undefined. */
export function socketPathProblem(path: string): string | undefined {
  const bytes = Buffer.byteLength(path);
  if (bytes <= MAX_SOCKET_PATH_BYTES) return undefined;
  return `The socket path is ${bytes} bytes long, over this system's limit of ${MAX_SOCKET_PATH_BYTES}: ${path}. Choose a shorter path with --socket or MOZART_SOCKET (or a shorter MOZART_HOME).`;
}

export function pidFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(mozartHome(env), 'run', 'conductor.pid');
}

export function logFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(mozartHome(env), 'conductor.log');
}

export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(mozartHome(env), 'jobs');
}
