// Where the conductor lives on disk: its socket (in a user-only directory), pid file, log, and job
// registry. The socket path is checked against the OS limit instead of being truncated silently.
import { lstatSync, mkdirSync, openSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

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

/** The conductor config file: --config FILE (made absolute), else <home>/conductor.yaml. */
export function conductorConfigFile(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit !== undefined ? resolve(explicit) : join(mozartHome(env), 'conductor.yaml');
}

export function pidFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(mozartHome(env), 'run', 'conductor.pid');
}

/** The daemon's exit code when another conductor already holds its home, on another socket. */
export const EXIT_HOME_TAKEN = 4;

/** Where the conductor holding a home writes its socket's path, beside its pid file; both go when it stops. */
export function socketRecordFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(mozartHome(env), 'run', 'conductor.socket');
}

/**
 * The conductor that last took this home (its pid file and socket record), when that process is
 * still alive; undefined otherwise. Its socket may be elsewhere than the default (a --socket flag,
 * MOZART_SOCKET, conductor.yaml's socket.path, the editor's setting): who looks for a conductor
 * checks here before starting another one over the same jobs.
 */
export function homeConductor(env: NodeJS.ProcessEnv = process.env): { pid: number; socket?: string } | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(env), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  let socket: string | undefined;
  try {
    socket = readFileSync(socketRecordFile(env), 'utf8').trim() || undefined;
  } catch {
    /* an older conductor writes no record */
  }
  return { pid, ...(socket ? { socket } : {}) };
}

/** The conductor's own log, `<home>/mozart.log` (the original's name). */
export function logFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(mozartHome(env), 'mozart.log');
}

/** The log's earlier name, kept as a link to mozart.log so what read it still does. */
export const LEGACY_LOG_NAME = 'conductor.log';

/**
 * Opens the conductor's log for appending (its folder made owner-only) and keeps
 * `conductor.log` beside it as a link to it. A `conductor.log` left as a file by an earlier
 * version becomes mozart.log when there is none yet; when both are files, both stay as they are.
 */
export function openConductorLog(path: string): number {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const legacy = join(dir, LEGACY_LOG_NAME);
  if (basename(path) !== LEGACY_LOG_NAME) {
    try {
      let seen = lstatOrUndefined(legacy);
      if (seen?.isFile() && !lstatOrUndefined(path)) {
        renameSync(legacy, path);
        seen = undefined;
      }
      if (!seen) symlinkSync(basename(path), legacy);
    } catch {
      /* the link is a courtesy; the log itself is what matters */
    }
  }
  return openSync(path, 'a', 0o600);
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(mozartHome(env), 'jobs');
}
