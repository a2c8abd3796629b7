// Each command's options, spelt as the original Mozart spells them (its src/mozart/cli/commands/):
// where one of our short options meant something else there (`-f`, `-s`, `-v`, `-r`), the
// original's meaning wins and ours stays under its long name. Parsed with node:util parseArgs.
import { parseArgs } from 'node:util';

type Option = { type: 'boolean' | 'string'; short?: string; multiple?: boolean };
type Table = Record<string, Option>;

const bool = (short?: string): Option => ({ type: 'boolean', ...(short ? { short } : {}) });
const text = (short?: string): Option => ({ type: 'string', ...(short ? { short } : {}) });

/** The original's global options (given before or after the command). */
export const GLOBAL: Table = {
  verbose: bool('v'),
  quiet: bool('q'),
  'log-level': text('L'),
  'log-file': text(),
  'log-format': text(),
};

const COMMON: Table = { json: bool('j'), help: bool('h'), socket: text() };
const workspace = text('w');
const healing = { 'self-healing': bool('H'), yes: bool('y') };

/** Options per command, besides COMMON and GLOBAL. */
export const COMMAND_OPTIONS: Record<string, Table> = {
  validate: {},
  run: { 'dry-run': bool('n'), prompt: text(), 'start-sheet': text('s'), workspace, escalation: bool('e'), fresh: bool(), watch: bool('W'), ...healing },
  status: { watch: bool('W'), interval: text('i'), workspace },
  list: { all: bool('a'), status: text('s'), limit: text('l'), workspace },
  pause: { workspace, wait: bool(), timeout: text('t') },
  cancel: { workspace },
  approve: { workspace, sheet: text(), skip: bool() },
  resume: { workspace, config: text('c'), 'reload-config': bool('r'), force: bool('f'), escalation: bool('e'), watch: bool('W'), ...healing },
  modify: { workspace, config: text('c'), resume: bool('r'), wait: bool(), timeout: text('t') },
  diagnose: { workspace, 'include-logs': bool() },
  errors: { workspace, sheet: text('b'), type: text('t'), code: text('c'), 'verbose-errors': bool('V') },
  logs: { workspace, file: text('f'), follow: bool('F'), lines: text('n'), level: text('l'), sheet: text() },
  history: { workspace, sheet: text('b'), limit: text('n') },
  recover: { workspace, sheet: text('s'), 'dry-run': bool('n') },
  clear: { status: { type: 'string', multiple: true } },
  start: { foreground: bool('f'), config: text('c'), 'log-level-conductor': text('l'), 'max-jobs': text(), cluster: text(), 'agent-cap': text() },
  stop: { force: bool(), 'pid-file': text() },
  restart: { foreground: bool('f'), config: text('c'), 'log-level-conductor': text('l'), 'pid-file': text(), 'max-jobs': text(), cluster: text(), 'agent-cap': text() },
  'conductor-status': { 'pid-file': text() },
  dashboard: { port: text('p'), host: text(), workspace, reload: bool('r') },
  mcp: { port: text('p'), host: text(), workspace },
  config: { config: text('c'), force: bool('f') },
};

/** The commands this table knows (the learning commands parse their own). */
export const COMMANDS = Object.keys(COMMAND_OPTIONS);

export type Values = Record<string, string | boolean | string[] | undefined>;
export interface Parsed {
  values: Values;
  positionals: string[];
}

/**
 * Parses a command's arguments. `-l` of start/restart is the conductor's log level and `-V` of
 * errors is its --verbose: stored under internal names, given back under the original's.
 */
export function parseCommand(command: string, args: string[]): Parsed {
  const own = COMMAND_OPTIONS[command] ?? {};
  const options: Table = { ...GLOBAL, ...COMMON, ...own };
  // A command's own short option wins over a global one with the same letter (none today).
  const parsed = parseArgs({ args, allowPositionals: true, options, strict: true });
  const values = { ...parsed.values } as Values;
  if (values['verbose-errors']) values.verbose = true;
  if (values['log-level-conductor'] !== undefined) values['log-level'] ??= values['log-level-conductor'];
  delete values['verbose-errors'];
  delete values['log-level-conductor'];
  return { values, positionals: parsed.positionals };
}

/** Splits the global options given before the command from the rest: `mozart -v status job`. */
export function splitGlobal(argv: string[]): { before: string[]; command: string | undefined; rest: string[] } {
  const before: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-v' || arg === '--verbose' || arg === '-q' || arg === '--quiet') before.push(arg);
    else if (arg === '-L' || arg === '--log-level' || arg === '--log-file' || arg === '--log-format') before.push(arg, argv[++i] ?? '');
    else if (/^--(log-level|log-file|log-format)=/.test(arg)) before.push(arg);
    else break;
  }
  return { before, command: argv[i], rest: argv.slice(i + 1) };
}

/** A whole number ≥ 1 from an option, or an error naming it. */
export function positiveInt(name: string, value: unknown): number | undefined | Error {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : new Error(`--${name} must be a whole number ≥ 1 (got '${String(value)}')`);
}
