#!/usr/bin/env node
// The `mozart` command line. `validate` and `run --dry-run` work offline; the job commands talk to
// the conductor over its Unix socket.
import { join } from 'node:path';
import { ConductorTimeoutError } from '../../protocol/src/client.js';
import { conductorConfigFile, logFile, pidFile, socketPath, socketPathProblem } from '../../protocol/src/paths.js';
import { COMMANDS, parseCommand, positiveInt, splitGlobal } from './args.js';
import type { Values } from './args.js';
import { adoptFromWorkspace, dashboardCommand, forceStop, historyCommand, pauseAndWait } from './commands/original.js';
import { LOG_LEVEL_NAMES, logFileCommand, logPathFor, parseLogLevel } from './commands/log-files.js';
import { setQuiet } from './commands/follow.js';
import { diagnoseCommand, errorsCommand, logsCommand } from './commands/inspect.js';
import { conductorStatusCommand, jobActionCommand, listCommand, resumeCommand, runCommand, startCommand, statusCommand, stopCommand } from './commands/jobs.js';
import { clearCommand, modifyCommand, recoverCommand, restartCommand } from './commands/manage.js';
import { validateCommand } from './commands/validate.js';
import { dryRunCommand } from './commands/dry-run.js';
import { commandHelp } from './help.js';
import { approveCommand } from './commands/approve.js';
import { LEARNING_COMMANDS, learningCommand } from './commands/learning.js';
import { configCommand } from './commands/config.js';
import { configErrors, socketFromConfig } from './config-file.js';
import { LOG_LEVELS } from '../../score/src/conductor-settings.js';
import { NoConductorError } from './conductor.js';
import { EXIT } from './output.js';
import type * as McpModule from './mcp/server.js';

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
  status <job> [--watch] [--json]        A job's sheets, attempts, waits and errors; --watch follows it,
      [--interval N]                     -i N: with --watch, also the whole status again every N seconds.
  list [--all] [--json]                  Jobs the conductor knows (--all includes finished ones).
      [-s STATUS] [-l N]                 -s: only jobs with this status; -l: at most N (default 20).
  pause <job> [--wait [-t N]]            Pause at the next safe point (running sheets finish first);
                                         --wait: return once paused, giving up after -t N s (60).
  resume <job> [-c FILE] [-r] [--watch]  Continue from the checkpoint, re-reading the score (or -c FILE,
      [--force] [--self-healing [--yes]] which becomes its score; -r with -c as in the original);
                                         validated sheets never run again; -f: a completed job runs
                                         its last sheet again.
  modify <job> [-c score] [--resume]     Pause at a safe point and take a changed score; --resume continues;
      [-t N]                             -t N: give up waiting for the pause after N seconds (exit 1).
  cancel <job>                           Stop the job and its agents now.
  approve <job> [--sheet N] [--skip]     Let a sheet waiting at a checkpoint (the score's checkpoints)
                                         run, or skip it.
  diagnose <job> [--json]                Why a job failed or is stuck: failing sheets, validations,
      [--include-logs]                   error history, what to do, which files to open; --include-logs:
                                         the end of each failing sheet's agent output.
  errors <job> [--sheet N] [--verbose]   Every error recorded, oldest first [-t TYPE] [-c CODE].
  logs <job> [--sheet N] [--follow]      A sheet's full agent output, or the job's event log.
  logs [-w DIR | -f FILE] [--follow]     No job: DIR's mozart.log, FILE, or the conductor's log;
      [-n N] [-l LEVEL]                  -n: the last N lines (50); -l: only lines of LEVEL and above.
  history <job> [--sheet N] [--limit N]  Every attempt of every sheet, oldest first, with its outcome.
  recover <job> [--dry-run] [-s N]       Re-check failed sheets' validations without re-running them.
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
        [-c FILE] [-l LEVEL]             -c: its config file (default ~/.mozart/conductor.yaml); -l: log level.
        [--cluster redis://HOST:PORT]    Join the cluster that Redis names (or set MOZART_CLUSTER): jobs are
        [--agent-cap BACKEND=N,...]      queued and run by any member with room; caps on concurrent agents
                                         per backend hold across the cluster. See docs/cluster.md.
  stop [--force]                         Stop it; running jobs pause at a safe point and are checkpointed.
                                         --force: SIGKILL the conductor its pid file names (checked first).
  restart                                Stop and start; jobs that were running continue.
  conductor-status [--json]              Pid, uptime, version, jobs, memory, socket; in a cluster its
                                         members, their jobs and capacity, the queue and Redis health.
  config show [-c FILE] [--json]         The conductor's settings in effect and where each comes from
                                         (default, file, env, flag); live from a running conductor.
  config set KEY VALUE [-c FILE]         Edit the config file (comments kept), check it, and have the
                                         running conductor re-read it (or send it SIGHUP).
  config path | init [--force] | check   Where the file is; write a commented starter file; validate it
                                         (exit 1 with file:line:col for each problem).

Agents and editors:
  mcp                                    Serve the Model Context Protocol on stdin/stdout: tools to list,
                                         start, pause, resume and cancel jobs and read their workspaces
                                         and logs, through the conductor (see docs/cli.md).

Not offered: dashboard (the VS Code extension's Mozart view replaces it; the command says so).
docs/cli.md maps every command and option of the original Mozart's command line to ours.

Each command's options, those of the original that have no effect here included: mozart <command> --help.

Common options:
  --socket PATH                          Conductor socket (default: $MOZART_SOCKET or ~/.mozart/run/conductor.sock).
  -j, --json                             Machine-readable output.
  -h, --help                             Show this help (or a command's: mozart <command> --help).
  -V, --version                          Print the version.

Global options (before or after the command):
  -v, --verbose                          More detail: validate shows the sheet DAG, errors each error's
                                         category and what to do (elsewhere it says it has no effect).
  -q, --quiet                            Only errors and --json output.
  -L, --log-level LEVEL                  No effect here (it says so): this command line writes no log.
      --log-file FILE                    No effect, as --log-level (the conductor's log: ~/.mozart/mozart.log).
      --log-format FORMAT                No effect, as --log-level.

Environment:
  MOZART_HOME                            Mozart's folder (default ~/.mozart): socket, pid file, the
                                         conductor's log mozart.log, conductor.yaml, learning store.
  MOZART_SOCKET                          The conductor's socket (default $MOZART_HOME/run/conductor.sock).
  MOZART_REQUEST_TIMEOUT                 Seconds a command waits for the conductor's answer (default 30).
  MOZART_MAX_JOBS, MOZART_LOG_LEVEL, ... The conductor's settings ('mozart config show' lists each).
  NO_COLOR                               Plain output, no colours.

Exit codes:
  0  success (validate: valid, warnings allowed; run/resume/status --watch: the job completed;
     recover: no sheet still failing)
  1  the command found a problem (invalid score, failed job, refused request)
  2  the command could not run (missing file, unparseable YAML, bad usage, no conductor)
`;

declare const MOZART_VERSION: string | undefined;

/** The conductor flags `start` and `restart` pass through: --cluster and --agent-cap. */
function clusterArgs(v: Values): string[] {
  return [...(typeof v.cluster === 'string' ? ['--cluster', v.cluster] : []), ...(typeof v['agent-cap'] === 'string' ? ['--agent-cap', v['agent-cap']] : [])];
}

/** An option of the original's this command line accepts but cannot honour: said plainly, on stderr. */
const noEffect = (option: string, why: string): void => {
  process.stderr.write(`mozart: ${option} has no effect here: ${why}\n`);
};

/** The global options: -q quiets, -v adds detail where a command has more; the log options say they have no effect. */
function globalNotices(command: string, v: Values): void {
  if (v.quiet) setQuiet(true);
  for (const option of ['log-level', 'log-file', 'log-format'] as const) {
    if (option === 'log-level' && (command === 'start' || command === 'restart')) continue; // passed on to the conductor
    if (v[option] !== undefined) noEffect(`--${option}`, command === 'start' || command === 'restart' ? `the conductor writes one log, ${logFile()}, at one level` : `this command line writes no log of its own (the conductor's is ${logFile()})`);
  }
  if (v.verbose && command !== 'validate' && command !== 'errors') noEffect('-v/--verbose', `'${command}' has no more detailed output (validate -v shows the sheet DAG; errors -v each error's category and what to do)`);
}

/** Runs the CLI with the given arguments; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const { before, command, rest } = splitGlobal(argv);
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? EXIT.unusable : EXIT.ok;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`${typeof MOZART_VERSION === 'string' ? MOZART_VERSION : 'dev'}\n`);
    return EXIT.ok;
  }
  if (Object.hasOwn(LEARNING_COMMANDS, command)) return runLearning(command, before, rest);
  if (!COMMANDS.includes(command)) return usageError(`unknown command '${command}'`);
  let parsed;
  try {
    parsed = parseCommand(command, [...before, ...rest]);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  const str = (name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  const numbers: Record<string, number | undefined> = {};
  for (const name of ['start-sheet', 'sheet', 'interval', 'limit', 'timeout']) {
    const n = positiveInt(name, v[name]);
    if (n instanceof Error) return usageError(n.message);
    numbers[name] = n;
  }
  const lines = str('lines') === undefined ? 0 : Number(str('lines'));
  if (!Number.isInteger(lines) || lines < 0) return usageError(`--lines must be a whole number ≥ 0 (got '${str('lines')}')`);
  globalNotices(command, v);
  const conductorCommand = command === 'start' || command === 'restart';
  const json = v.json === true;
  // --socket, else MOZART_SOCKET, else the config file's socket.path (config-file.ts), else the default.
  const explicitSocket = str('socket');
  const socket = command === 'validate' || command === 'config' ? explicitSocket : socketFromConfig(explicitSocket, conductorCommand ? str('config') : undefined);
  // resume: `-r/--reload-config` is a flag with `-c FILE`; `--reload-config FILE` (our old spelling) still works.
  let scoreFile = str('config');
  if (command === 'resume' && v['reload-config'] && !scoreFile && positionals.length === 2) scoreFile = positionals.pop();
  if (v.yes && !v['self-healing']) return usageError('--yes allows suggested self-healing remedies; it needs --self-healing');
  const healing = v['self-healing'] ? { selfHealing: true, autoConfirm: v.yes === true } : {};
  const sheet = numbers.sheet;
  const sheetOpt = sheet !== undefined ? { sheet } : {};
  if (v.escalation) noEffect('-e/--escalation', "escalation to a person is done by the score's checkpoints and 'mozart approve'");
  const one = (what: string): string | undefined => (positionals.length === 1 ? positionals[0] : undefined) ?? (usageError(`${command} takes exactly one ${what}`), undefined);
  try {
    // Job commands given -w DIR find the job in that workspace, adopting it from its checkpoint.
    const workspace = str('workspace');
    if (workspace !== undefined && JOB_COMMANDS.has(command) && positionals.length === 1) await adoptFromWorkspace(socket, positionals[0] as string, workspace);
    switch (command) {
      case 'validate': {
        const score = one('score file');
        return score ? validateCommand({ score, json, dag: v.verbose === true }) : EXIT.unusable;
      }
      case 'run': {
        const score = one('score file');
        if (!score) return EXIT.unusable;
        const prompt = positiveInt('prompt', v.prompt);
        if (prompt instanceof Error) return usageError(prompt.message);
        if (prompt !== undefined && !v['dry-run']) return usageError('--prompt N shows a sheet\'s prompt in a dry run: add --dry-run');
        if (v['dry-run']) return dryRunCommand({ score, json, ...(prompt !== undefined ? { prompt } : {}) });
        return await runCommand({ score, socket, ...(workspace !== undefined ? { workspace } : {}), fresh: v.fresh === true, watch: v.watch === true, json, ...(numbers['start-sheet'] !== undefined ? { startSheet: numbers['start-sheet'] } : {}), ...healing });
      }
      case 'status': {
        const jobId = one('job name');
        if (numbers.interval !== undefined && !v.watch) noEffect('-i/--interval', 'it is the refresh interval of --watch');
        return jobId ? await statusCommand({ jobId, socket, json, watch: v.watch === true, ...(v.watch && numbers.interval !== undefined ? { intervalSeconds: numbers.interval } : {}) }) : EXIT.unusable;
      }
      case 'list':
        if (workspace !== undefined) noEffect('list -w/--workspace', 'the conductor lists every job it knows (reserved in the original too)');
        return await listCommand({ socket, all: v.all === true || str('status') !== undefined, json, ...(str('status') ? { status: str('status') } : {}), ...(numbers.limit !== undefined ? { limit: numbers.limit } : { limit: 20 }) });
      case 'pause': {
        const jobId = one('job name');
        if (!jobId) return EXIT.unusable;
        if (v.wait) return await pauseAndWait({ jobId, socket, json, timeoutSeconds: numbers.timeout ?? 60 });
        if (numbers.timeout !== undefined) noEffect('-t/--timeout', 'it is the time --wait waits');
        return await jobActionCommand('pause', { jobId, socket, json });
      }
      case 'cancel': {
        const jobId = one('job name');
        return jobId ? await jobActionCommand('cancel', { jobId, socket, json }) : EXIT.unusable;
      }
      case 'approve': {
        const jobId = one('job name');
        return jobId ? await approveCommand({ jobId, socket, json, skip: v.skip === true, ...sheetOpt }) : EXIT.unusable;
      }
      case 'resume': {
        const jobId = one('job name');
        if (v['reload-config'] && !scoreFile) noEffect('-r/--reload-config', 'resume always re-reads the score file; -c FILE names another one');
        return jobId ? await resumeCommand({ jobId, socket, json, watch: v.watch === true, force: v.force === true, ...(scoreFile ? { scoreFile } : {}), ...healing }) : EXIT.unusable;
      }
      case 'modify': {
        const jobId = one('job name');
        return jobId ? await modifyCommand({ jobId, socket, json, resume: v.resume === true, ...(scoreFile ? { scoreFile } : {}), ...(numbers.timeout !== undefined ? { timeoutSeconds: numbers.timeout } : {}) }) : EXIT.unusable;
      }
      case 'diagnose': {
        const jobId = one('job name');
        return jobId ? await diagnoseCommand({ jobId, socket, json, includeLogs: v['include-logs'] === true }) : EXIT.unusable;
      }
      case 'errors': {
        const jobId = one('job name');
        return jobId ? await errorsCommand({ jobId, socket, json, verbose: v.verbose === true, ...sheetOpt, ...(str('type') ? { type: str('type') } : {}), ...(str('code') ? { code: str('code') } : {}) }) : EXIT.unusable;
      }
      case 'logs': {
        const levelText = str('level');
        const level = levelText === undefined ? undefined : parseLogLevel(levelText);
        if (levelText !== undefined && !level) return usageError(`--level must be one of ${LOG_LEVEL_NAMES.join(', ')} (got '${levelText}')`);
        if (positionals.length > 1) return usageError('logs takes at most one job name');
        const jobId = positionals[0];
        // No job, or a file named: the file (-f), the workspace's log (-w), or the conductor's.
        if (jobId === undefined || str('file') !== undefined) {
          if (jobId !== undefined) noEffect('the job name', `with --file the file's lines are shown as they are; without --file, 'mozart logs ${jobId}' shows the job's event log`);
          if (sheet !== undefined) noEffect('--sheet', "it picks a sheet's agent output of a job: 'mozart logs <job> --sheet N'");
          const path = logPathFor(str('file'), jobId === undefined ? workspace : undefined);
          // -n N: the last N lines (50); with --follow only what is appended, unless -n is given.
          const shown = str('lines') !== undefined ? lines : v.follow ? undefined : 50;
          return await logFileCommand({ path, lines: shown, follow: v.follow === true, ...(level ? { level } : {}) });
        }
        if (level && sheet !== undefined) noEffect('-l/--level', "a sheet's agent output has no levels (it filters the job's event log: 'mozart logs <job> -l LEVEL')");
        return await logsCommand({ jobId, socket, json, follow: v.follow === true, lines, ...sheetOpt, ...(level && sheet === undefined ? { level } : {}) });
      }
      case 'history': {
        const jobId = one('job name');
        return jobId ? await historyCommand({ jobId, socket, json, limit: numbers.limit ?? 50, ...sheetOpt }) : EXIT.unusable;
      }
      case 'recover': {
        const jobId = one('job name');
        return jobId ? await recoverCommand({ jobId, socket, json, dryRun: v['dry-run'] === true, ...sheetOpt }) : EXIT.unusable;
      }
      case 'clear':
        if (positionals.length > 1) return usageError('clear takes at most one job name');
        return await clearCommand({ socket, json, ...(positionals[0] ? { jobId: positionals[0] } : {}), ...(Array.isArray(v.status) ? { statuses: v.status } : {}) });
      case 'start':
      case 'restart': {
        if (str('pid-file') !== undefined) noEffect('--pid-file', `the conductor's pid file is ${pidFile()}`);
        if (command === 'restart' && v.foreground) noEffect('-f/--foreground', "restart starts the conductor in the background; for one attached to the terminal, 'mozart stop' then 'mozart start --foreground'");
        const level = str('log-level');
        if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level.toLowerCase() === 'warn' ? 'warning' : level.toLowerCase())) return usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')} (got '${level}')`);
        // A config file the conductor would refuse: say why here, with its positions, not only in the log.
        const problems = configErrors(str('config'));
        if (problems) {
          process.stderr.write(`${problems}\nmozart ${command}: the conductor config file has errors; fix them ('mozart config check') and try again.\n`);
          return EXIT.failure;
        }
        const args = [...clusterArgs(v), ...(str('config') !== undefined ? ['--config', conductorConfigFile(str('config'))] : []), ...(level !== undefined ? ['--log-level', level] : [])];
        // The conductor resolves a socket not given here the same way (MOZART_SOCKET, its config file, the default).
        if (command === 'restart') return await restartCommand(socket, str('max-jobs'), args, explicitSocket !== undefined);
        return await startCommand(socket, v.foreground === true, str('max-jobs'), args, explicitSocket !== undefined);
      }
      case 'config': {
        const [sub, ...rest] = positionals;
        if (sub === undefined) return usageError('config takes one of show, set, path, init, check');
        if (sub !== 'set' && rest.length > 0) return usageError(`config ${sub} takes no arguments`);
        return await configCommand({ sub, positionals: rest, json, force: v.force === true, ...(str('config') !== undefined ? { file: str('config') as string } : {}), ...(explicitSocket !== undefined ? { socket: explicitSocket } : {}) });
      }
      case 'stop':
        if (v.force) return forceStop(str('pid-file'));
        if (str('pid-file') !== undefined) noEffect('--pid-file', 'stop asks the conductor on its socket; the pid file is read only with --force');
        return await stopCommand(socket);
      case 'conductor-status':
        if (str('pid-file') !== undefined) noEffect('--pid-file', 'the conductor is asked on its socket (--socket)');
        return await conductorStatusCommand(socket, json);
      case 'dashboard':
        return dashboardCommand();
      case 'mcp':
        if (positionals.length > 0) return usageError('mcp takes no arguments');
        if (str('port') !== undefined || str('host') !== undefined) noEffect('-p/--port and --host', 'the MCP server speaks over stdin/stdout, not a port');
        if (workspace !== undefined) noEffect('-w/--workspace', 'the artifact tools read the workspaces of the jobs the conductor knows, and only those');
        // A socket path the OS cannot use fails every tool call: say so now, not at the first call.
        if (socketPathProblem(socketPath(socket))) return usageError(socketPathProblem(socketPath(socket)) as string);
        return await loadMcp().runMcpServer({ ...(socket !== undefined ? { socket } : {}) });
      default:
        return usageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if (error instanceof NoConductorError || error instanceof ConductorTimeoutError) {
      process.stderr.write(`mozart: ${error.message}\n`);
      return EXIT.unusable;
    }
    process.stderr.write(`mozart ${command}: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
}

/**
 * `mozart mcp` is its own bundle, dist/mcp.js beside this one (the MCP SDK is large): loaded only
 * for that command, so every other command starts as fast as before.
 */
function loadMcp(): typeof McpModule {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load, see above */
  return require(join(__dirname, 'mcp.js')) as typeof McpModule;
}

/** Commands that name one job and take -w/--workspace to find it. */
const JOB_COMMANDS = new Set(['status', 'pause', 'resume', 'modify', 'cancel', 'diagnose', 'errors', 'logs', 'recover', 'history', 'approve']);

/** The learning commands parse their own options (the original's short flags differ from ours). */
async function runLearning(command: string, before: string[], args: string[]): Promise<number> {
  try {
    globalNotices(command, parseCommand('learning', before).values);
    return await learningCommand(command, args, socketFromConfig(undefined));
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
