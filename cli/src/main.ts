#!/usr/bin/env node
// The `mozart` command line. `validate` and `run --dry-run` work offline; the job commands talk to
// the conductor over its Unix socket.
import { parseArgs } from 'node:util';
import { ConductorError, ConductorTimeoutError } from '../../protocol/src/client.js';
import { diagnoseCommand, errorsCommand, logsCommand } from './commands/inspect.js';
import { conductorStatusCommand, jobActionCommand, listCommand, resumeCommand, runCommand, startCommand, statusCommand, stopCommand } from './commands/jobs.js';
import { clearCommand, modifyCommand, recoverCommand, restartCommand } from './commands/manage.js';
import { validateCommand } from './commands/validate.js';
import { dryRunCommand } from './commands/dry-run.js';
import { approveCommand } from './commands/approve.js';
import { LEARNING_COMMANDS, learningCommand } from './commands/learning.js';
import { NoConductorError } from './conductor.js';
import { EXIT } from './output.js';

const USAGE = `Usage: mozart <command> [options]

Scores:
  validate <score> [--json]              Check a score without running anything (no conductor needed).
  run <score> [--watch] [--fresh]        Submit a score as a job; --watch follows it to the end.
      [--start-sheet N] [--dry-run]      -s N: begin at sheet N (earlier sheets are skipped);
      [--prompt N]                       -n: show the plan (each sheet's items, stage, instance,
                                         dependencies, validations) and the findings, run nothing;
                                         --prompt N: print sheet N's prompt as its agent gets it;
      [--self-healing [--yes]]
                                         -H: when a sheet would fail for good, fix known causes
                                         (missing folders) and retry, or say what to do; -y: also
                                         apply suggested fixes (folders outside the workspace).

Jobs:
  status <job> [--watch] [--json]        A job's sheets, attempts, waits and errors; --watch follows it.
  list [--all] [--json]                  Jobs the conductor knows (--all includes finished ones).
  pause <job>                            Pause at the next safe point (running sheets finish first).
  resume <job> [-c score] [--watch]      Continue from the checkpoint, re-reading the score (or -c FILE,
      [--self-healing [--yes]]           --reload-config FILE); validated sheets never run again.
  modify <job> [-c score] [--resume]     Pause at a safe point and take a changed score; --resume continues.
  cancel <job>                           Stop the job and its agents now.
  approve <job> [--sheet N] [--skip]     Let a sheet waiting at a checkpoint (the score's checkpoints)
                                         run, or skip it.
  diagnose <job> [--json]                Why a job failed or is stuck: failing sheets, validations,
                                         error history, what to do, which files to open.
  errors <job> [--sheet N] [--verbose]   Every error recorded, oldest first.
  logs <job> [--sheet N] [--follow]      A sheet's full agent output, or the job's event log.
  recover <job> [--dry-run]              Re-check failed sheets' validations without re-running them.
  clear [<job>] [--status S ...]         Forget finished jobs (their workspaces stay on disk).

Learning (from the conductor's store of every attempt's outcome; see docs/cli.md):
  patterns-list [-p P] [-n N] [-q]       Learned patterns: kind, status, trust, effectiveness, priority.
      [--high-trust] [--low-trust]       -q: quarantined only; --high-trust: trust ≥ 0.7; --low-trust ≤ 0.3.
  patterns-why [ID] [-m N] [-n N]        Why a pattern works: the conditions when it helped.
  patterns-entropy [-t T] [-H] [-r]      Pattern diversity (Shannon entropy); -H history, -r record it.
  patterns-budget [-j JOB] [-H] [-n N]   The exploration budget and its adjustments.
  learning-stats                         Outcomes, first-attempt pass rate, patterns, recoveries.
  learning-insights [--limit N]          Patterns with their descriptions [--pattern-type KIND].
  learning-drift [-t T] [-w N] [-s]      Patterns whose effectiveness changed; -s summary only.
  learning-epistemic-drift [-t T] [-s]   Patterns whose verdicts' confidence changed.
  learning-activity [-h HOURS]           Recent attempts, applications, best and worst hours.
  entropy-status [-j JOB] [-H] [-c]      Automatic entropy responses; -c checks whether one is due.
  (each takes --json; note -h is --hours in learning-activity and -j is --job in patterns-budget
   and entropy-status, as in the original)

Conductor:
  start [--foreground] [--max-jobs N]    Start the conductor (in the background unless --foreground).
        [--cluster redis://HOST:PORT]    Join the cluster that Redis names (or set MOZART_CLUSTER): jobs are
        [--agent-cap BACKEND=N,...]      queued and run by any member with room; caps on concurrent agents
                                         per backend hold across the cluster. See docs/cluster.md.
  stop                                   Stop it; running jobs pause at a safe point and are checkpointed.
  restart                                Stop and start; jobs that were running continue.
  conductor-status [--json]              Pid, uptime, version, jobs, memory, socket; in a cluster its
                                         members, their jobs and capacity, the queue and Redis health.

Common options:
  --socket PATH                          Conductor socket (default: $MOZART_SOCKET or ~/.mozart/run/conductor.sock).
  -j, --json                             Machine-readable output.
  -h, --help                             Show this help.    --version   Print the version.

Exit codes:
  0  success (validate: valid, warnings allowed; run/resume/status --watch: the job completed;
     recover: no sheet still failing)
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
  prompt: { type: 'string' },
  all: { type: 'boolean', short: 'a' },
  'start-sheet': { type: 'string', short: 's' },
  config: { type: 'string', short: 'c' },
  'reload-config': { type: 'string' },
  resume: { type: 'boolean' },
  sheet: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  verbose: { type: 'boolean', short: 'v' },
  status: { type: 'string', multiple: true },
  foreground: { type: 'boolean' },
  'max-jobs': { type: 'string' },
  cluster: { type: 'string' },
  'agent-cap': { type: 'string' },
  'self-healing': { type: 'boolean', short: 'H' },
  yes: { type: 'boolean', short: 'y' },
  skip: { type: 'boolean' },
} as const;

/** A whole number ≥ 1 from an option, or a usage error. */
/** The conductor flags `start` and `restart` pass through: --cluster and --agent-cap. */
function clusterArgs(v: { cluster?: string; 'agent-cap'?: string }): string[] {
  return [...(v.cluster ? ['--cluster', v.cluster] : []), ...(v['agent-cap'] ? ['--agent-cap', v['agent-cap']] : [])];
}

function positiveInt(name: string, value: string | undefined): number | undefined | Error {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : new Error(`--${name} must be a whole number ≥ 1 (got '${value}')`);
}

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
  if (Object.hasOwn(LEARNING_COMMANDS, command)) return runLearning(command, rest);
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
  const startSheet = positiveInt('start-sheet', v['start-sheet']);
  const sheet = positiveInt('sheet', v.sheet);
  if (startSheet instanceof Error) return usageError(startSheet.message);
  if (sheet instanceof Error) return usageError(sheet.message);
  if (v.config && v['reload-config']) return usageError('give the new score once: -c FILE or --reload-config FILE');
  const scoreFile = v.config ?? v['reload-config'];
  const socket = v.socket;
  if (v.yes && !v['self-healing']) return usageError('--yes allows suggested self-healing remedies; it needs --self-healing');
  const healing = v['self-healing'] ? { selfHealing: true, autoConfirm: v.yes === true } : {};
  try {
    switch (command) {
      case 'validate': {
        const score = one('score file');
        return score ? validateCommand({ score, json }) : EXIT.unusable;
      }
      case 'run': {
        const score = one('score file');
        if (!score) return EXIT.unusable;
        const prompt = positiveInt('prompt', v.prompt);
        if (prompt instanceof Error) return usageError(prompt.message);
        if (prompt !== undefined && !v['dry-run']) return usageError('--prompt N shows a sheet\'s prompt in a dry run: add --dry-run');
        if (v['dry-run']) return dryRunCommand({ score, json, ...(prompt !== undefined ? { prompt } : {}) });
        return await runCommand({ score, socket, fresh: v.fresh === true, watch: v.watch === true, json, ...(startSheet !== undefined ? { startSheet } : {}), ...healing });
      }
      case 'status': {
        const jobId = one('job name');
        return jobId ? await statusCommand({ jobId, socket, json, watch: v.watch === true }) : EXIT.unusable;
      }
      case 'list':
        return await listCommand({ socket, all: v.all === true, json });
      case 'pause':
      case 'cancel': {
        const jobId = one('job name');
        return jobId ? await jobActionCommand(command, { jobId, socket, json }) : EXIT.unusable;
      }
      case 'approve': {
        const jobId = one('job name');
        return jobId ? await approveCommand({ jobId, socket, json, skip: v.skip === true, ...(sheet !== undefined ? { sheet } : {}) }) : EXIT.unusable;
      }
      case 'resume': {
        const jobId = one('job name');
        return jobId ? await resumeCommand({ jobId, socket, json, watch: v.watch === true, ...(scoreFile ? { scoreFile } : {}), ...healing }) : EXIT.unusable;
      }
      case 'modify': {
        const jobId = one('job name');
        return jobId ? await modifyCommand({ jobId, socket, json, resume: v.resume === true, ...(scoreFile ? { scoreFile } : {}) }) : EXIT.unusable;
      }
      case 'diagnose': {
        const jobId = one('job name');
        return jobId ? await diagnoseCommand({ jobId, socket, json }) : EXIT.unusable;
      }
      case 'errors': {
        const jobId = one('job name');
        return jobId ? await errorsCommand({ jobId, socket, json, verbose: v.verbose === true, ...(sheet !== undefined ? { sheet } : {}) }) : EXIT.unusable;
      }
      case 'logs': {
        const jobId = one('job name');
        return jobId ? await logsCommand({ jobId, socket, json, follow: v.follow === true, ...(sheet !== undefined ? { sheet } : {}) }) : EXIT.unusable;
      }
      case 'recover': {
        const jobId = one('job name');
        return jobId ? await recoverCommand({ jobId, socket, json, dryRun: v['dry-run'] === true }) : EXIT.unusable;
      }
      case 'clear':
        if (positionals.length > 1) return usageError('clear takes at most one job name');
        return await clearCommand({ socket, json, ...(positionals[0] ? { jobId: positionals[0] } : {}), ...(v.status ? { statuses: v.status } : {}) });
      case 'start':
        return await startCommand(socket, v.foreground === true, v['max-jobs'], clusterArgs(v));
      case 'stop':
        return await stopCommand(socket);
      case 'restart':
        return await restartCommand(socket, v['max-jobs'], clusterArgs(v));
      case 'conductor-status':
        return await conductorStatusCommand(socket, json);
      default:
        return usageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof NoConductorError || error instanceof ConductorTimeoutError) {
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

/** The learning commands parse their own options (the original's short flags differ from ours). */
async function runLearning(command: string, args: string[]): Promise<number> {
  try {
    return await learningCommand(command, args, undefined);
  } catch (error) {
    if (error instanceof NoConductorError || error instanceof ConductorTimeoutError) {
      process.stderr.write(`mozart: ${error.message}\n`);
      return EXIT.unusable;
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
  // `mozart logs job | head`: a closed pipe ends the output quietly instead of with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
