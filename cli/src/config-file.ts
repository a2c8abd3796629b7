// The conductor config file as the command line reads it: where it is (-c FILE, else
// $MOZART_HOME/conductor.yaml), and the socket it names, so `mozart` finds a conductor whose
// socket.path the file moved. MOZART_SOCKET and --socket still win, as they do for the conductor.
import { readFileSync } from 'node:fs';
import { conductorConfigFile } from '../../protocol/src/paths.js';
import { checkConductorConfig, formatConfigFinding } from '../../score/src/conductor-config.js';

export interface ConfigRead {
  path: string;
  exists: boolean;
  text?: string;
  check?: ReturnType<typeof checkConductorConfig>;
}

/** Reads and checks the file (nothing is thrown for a missing one; unreadable ones throw). */
export function readConfig(explicit?: string, env: NodeJS.ProcessEnv = process.env): ConfigRead {
  const path = conductorConfigFile(explicit, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, exists: false };
    throw new Error(`${path} cannot be read: ${(error as Error).message}`);
  }
  return { path, exists: true, text, check: checkConductorConfig(path, text) };
}

/**
 * The socket the config file names, when neither --socket nor MOZART_SOCKET does; undefined
 * otherwise. A broken file is said on stderr once and ignored here (`mozart config check` shows why).
 */
export function socketFromConfig(explicit: string | undefined, configFile?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (explicit !== undefined || env.MOZART_SOCKET) return explicit;
  let read: ConfigRead;
  try {
    read = readConfig(configFile, env);
  } catch (error) {
    process.stderr.write(`mozart: ${(error as Error).message}; its socket.path is not used.\n`);
    return undefined;
  }
  if (!read.exists || !read.check) return undefined;
  const errors = read.check.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(`mozart: the conductor config file has errors, so its socket.path is not used ('mozart config check'):\n${errors.map(formatConfigFinding).join('\n')}\n`);
    return undefined;
  }
  const socket = (read.check.data?.socket as { path?: unknown } | undefined)?.path;
  return typeof socket === 'string' ? socket : undefined;
}

/** The config file's errors as file:line:col lines, or undefined when it is valid or absent. */
export function configErrors(configFile?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const read = readConfig(configFile, env);
  const errors = read.check?.findings.filter((f) => f.severity === 'error') ?? [];
  return errors.length > 0 ? errors.map(formatConfigFinding).join('\n') : undefined;
}
