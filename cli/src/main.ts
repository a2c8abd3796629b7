#!/usr/bin/env node
// The `mozart` command line. `validate` and `run --dry-run` work offline; the job commands talk to
// the conductor over its Unix socket.
import { parseArgs } from 'node:util';
import { ConductorError } from '../../conductor/src/protocol/client.js';
import { conductorStatusCommand, jobActionCommand, listCommand, runCommand, startCommand, statusCommand, stopCommand } from './commands/jobs.js';
import { validateCommand } from './commands/validate.js';
import { NoConductorError } from './conductor.js';
import { EXIT } from './output.js';

const USAGE = `Usage: mozart <command> [options]

Scores:
  validate <score> [--json]            Check a score without running anything (no conductor needed).
  run <score> [--watch] [--fresh]      Submit a score as a job; --watch follows it to the end.
      [--dry-run]                      Check the score and show its sheets without running it.

Jobs:
  status <job> [--json]                A job's sheets, attempts, waits and errors.
  list [--all] [--json]                Jobs the conductor knows (--all includes finished ones).
  pause <job> | resume <job> | cancel <job>

Conductor:
  start                                Start the conductor in the background.
  stop                                 Stop it; running jobs pause at a safe point and are checkpointed.
  conductor-status [--json]            Pid, uptime, version, jobs, memory, socket.

Common options:
  --socket PATH                        Conductor socket (default: $MOZART_SOCKET or ~/.mozart/run/conductor.sock).
  -j, --json                           Machine-readable output.
  -h, --help                           Show this help.    --version   Print the version.

Exit codes:
  0  success (validate: valid, warnings allowed; run --watch: the job completed)
  1  the command found a problem (invalid score, failed job, refused request)
  2  the command could not run (missing file, unparseable YAML, bad usage, no conductor)
`;

declare const MOZART_VERSION: string | undefined;

const OPTIONS = {
  json: { type: 'boolean', short: 'j' },
  help: { type: 'boolean', short: 'h' },
  socket: { type: 'string' },
  watch: { type: 'boolean', short: 'W' },
  fresh: { type: 'boolean' },
  'dry-run': { type: 'boolean', short: 'n' },
  all: { type: 'boolean', short: 'a' },
} as const;

/** Runs the CLI with the given arguments; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? EXIT.unusable : EXIT.ok;
  }
  if (command === '--version') {
    process.stdout.write(`${typeof MOZART_VERSION === 'string' ? MOZART_VERSION : 'dev'}\n`);
    return EXIT.ok;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const one = (what: string): string | undefined => (positionals.length === 1 ? positionals[0] : undefined) ?? (usageError(`${command} takes exactly one ${what}`), undefined);
  const json = v.json === true;
  try {
    switch (command) {
      case 'validate': {
        const score = one('score file');
        return score ? validateCommand({ score, json }) : EXIT.unusable;
      }
      case 'run': {
        const score = one('score file');
        if (!score) return EXIT.unusable;
        if (v['dry-run']) return validateCommand({ score, json });
        return await runCommand({ score, socket: v.socket, fresh: v.fresh === true, watch: v.watch === true, json });
      }
      case 'status': {
        const jobId = one('job name');
        return jobId ? await statusCommand({ jobId, socket: v.socket, json }) : EXIT.unusable;
      }
      case 'list':
        return await listCommand({ socket: v.socket, all: v.all === true, json });
      case 'pause':
      case 'resume':
      case 'cancel': {
        const jobId = one('job name');
        return jobId ? await jobActionCommand(command, { jobId, socket: v.socket, json }) : EXIT.unusable;
      }
      case 'start':
        return await startCommand(v.socket);
      case 'stop':
        return await stopCommand(v.socket);
      case 'conductor-status':
        return await conductorStatusCommand(v.socket, json);
      default:
        return usageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof NoConductorError) {
      process.stderr.write(`mozart: ${error.message}\n`);
      return EXIT.unusable;
    }
    if (error instanceof ConductorError) {
      process.stderr.write(`mozart ${command}: ${error.message}\n`);
      return EXIT.failure;
    }
    process.stderr.write(`mozart ${command}: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}

function usageError(message: string): number {
  process.stderr.write(`mozart: ${message}\nRun 'mozart --help' for usage.\n`);
  return EXIT.unusable;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
