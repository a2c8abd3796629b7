// The extension's own settings (the language server reads `scoreFiles`, `checks` and
// `languageServer.debounceMs` itself), normalised from whatever the configuration holds, and what
// follows from them: the socket, the log, the conductor's environment.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { homeConductor, logFile, socketPath } from '../../protocol/src/paths.js';

export interface ExtensionSettings {
  /** The conductor's socket ('' = $MOZART_SOCKET, else the running conductor's, else ~/.mozart/run/conductor.sock). */
  socketPath: string;
  autoStart: boolean;
  /** The `claude` executable a conductor started by the extension uses ('' = found on PATH). */
  claudePath: string;
  /** Globs of YAML files that are always scores. */
  scoreFiles: string[];
}

export const DEFAULT_SCORE_FILES = ['**/*.score.yaml', '**/*.score.yml', '**/scores/**/*.yaml', '**/scores/**/*.yml'];

/** Settings from raw configuration values; a wrong type falls back to the default. */
export function normaliseSettings(raw: { socketPath?: unknown; autoStart?: unknown; claudePath?: unknown; scoreFiles?: unknown }): ExtensionSettings {
  return {
    socketPath: typeof raw.socketPath === 'string' ? raw.socketPath.trim() : '',
    autoStart: typeof raw.autoStart === 'boolean' ? raw.autoStart : true,
    claudePath: typeof raw.claudePath === 'string' ? raw.claudePath.trim() : '',
    scoreFiles: Array.isArray(raw.scoreFiles) && raw.scoreFiles.every((g) => typeof g === 'string') ? (raw.scoreFiles as string[]) : DEFAULT_SCORE_FILES,
  };
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

/**
 * The socket to use: the setting, else $MOZART_SOCKET, else the socket of the conductor that holds
 * the Mozart home (one started from a terminal on another socket, e.g. conductor.yaml's
 * socket.path), else the default. Starting a second conductor there would run its jobs twice.
 */
export function resolveSocketPath(settings: ExtensionSettings, env: NodeJS.ProcessEnv, home = homedir()): string {
  if (settings.socketPath) return expandHome(settings.socketPath, home);
  if (env.MOZART_SOCKET) return env.MOZART_SOCKET;
  return homeConductor(env)?.socket ?? socketPath(undefined, env);
}

export function resolveLogFile(env: NodeJS.ProcessEnv): string {
  return logFile(env);
}

/** The environment of a conductor the extension starts: Electron runs as Node; the claude path is passed on. */
export function conductorEnv(settings: ExtensionSettings, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ELECTRON_RUN_AS_NODE: '1' };
  delete env.MOZART_READY_FD;
  if (settings.claudePath) env.MOZART_CLAUDE_PATH = settings.claudePath;
  return env;
}

/** Top-level keys that, next to `sheet`, make a YAML document a score (a quick look, for code lenses). */
const SCORE_COMPANIONS = new Set(['name', 'prompt', 'backend', 'validations', 'workspace']);

/** True when a YAML text looks like a score: a top-level `sheet:` with another score section. */
export function looksLikeScore(text: string): boolean {
  let sheet = false;
  let companion = false;
  let seen = 0;
  for (const line of text.split('\n', 2000)) {
    const key = /^([A-Za-z_][\w-]*)\s*:/.exec(line)?.[1];
    if (!key) continue;
    if (key === 'sheet') sheet = true;
    else if (SCORE_COMPANIONS.has(key)) companion = true;
    if (sheet && companion) return true;
    if (++seen > 200) break;
  }
  return false;
}
