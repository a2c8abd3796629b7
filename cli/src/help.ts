// `mozart <command> --help`: each command's usage and every option its parser accepts (cli/src/args.ts),
// the original's options that have no effect here included, marked so. The lines are built from the
// parser's own table, so an option cannot be accepted without being listed; cli/test/help.test.ts
// checks the descriptions against it and against docs/cli.md's table of the original's spellings.
import { COMMAND_OPTIONS } from './args.js';

/** An option's help: its value's placeholder (none for a flag) and what it does. */
interface OptionHelp {
  arg?: string;
  text: string;
}
const flag = (text: string): OptionHelp => ({ text });
const value = (arg: string, text: string): OptionHelp => ({ arg, text });

const NO_EFFECT = 'no effect here:';
const ADOPT = value('DIR', 'find the job in this workspace; a job this conductor does not know is adopted from its checkpoint');
const HEALING = {
  'self-healing': flag('when a sheet would fail for good, fix known causes (missing folders) and retry, or say what to do'),
  yes: flag('with --self-healing: also apply suggested remedies (folders outside the workspace)'),
};

/** Internal parser names shown under the original's spelling (see parseCommand). */
const SHOWN_AS: Record<string, string> = { 'verbose-errors': 'verbose', 'log-level-conductor': 'log-level' };

/** Each command: its usage line, one sentence, and a description of every option of its parser. */
export const COMMAND_HELP: Record<string, { usage: string; about: string; options: Record<string, OptionHelp> }> = {
  validate: {
    usage: 'validate <score>',
    about: 'Checks a score without running anything (no conductor needed). Exit 0 valid, 1 invalid, 2 unreadable.',
    options: {},
  },
  run: {
    usage: 'run <score>',
    about: 'Checks the score, then submits it to the conductor as a job named after its `name`.',
    options: {
      'dry-run': flag('run nothing, need no conductor: print the plan (sheets, items, stages, dependencies, validations) and the findings'),
      prompt: value('N', "with --dry-run: print sheet N's first-attempt prompt as its agent gets it"),
      'start-sheet': value('N', 'begin at sheet N; sheets 1…N-1 are recorded as skipped'),
      workspace: value('DIR', "run the job in DIR instead of the score's `workspace` (created if missing; kept on resume)"),
      escalation: flag(`${NO_EFFECT} escalation to a person is done by the score's checkpoints and 'mozart approve'`),
      fresh: flag("discard the job's checkpoint and start over (previous files are archived per workspace_lifecycle)"),
      watch: flag("follow the job's progress to its end; exit 0 only if it completed"),
      ...HEALING,
    },
  },
  status: {
    usage: 'status <job>',
    about: "A job's status, progress, cost and sheets: attempts, waits, the last error of a failed sheet.",
    options: {
      watch: flag('then follow its events until the job stops (exit 0 only if it completed)'),
      interval: value('SECONDS', 'with --watch: also print the whole status again every SECONDS (alone it has no effect)'),
      workspace: ADOPT,
    },
  },
  list: {
    usage: 'list',
    about: 'Jobs the conductor knows, newest first.',
    options: {
      all: flag('include completed and cancelled jobs'),
      status: value('STATUS', 'only jobs with this status (implies --all)'),
      limit: value('N', 'at most N jobs (default 20)'),
      workspace: value('DIR', `${NO_EFFECT} the conductor lists every job it knows (reserved in the original too)`),
    },
  },
  pause: {
    usage: 'pause <job>',
    about: 'Pauses at the next safe point: running sheets finish, nothing new starts.',
    options: {
      workspace: ADOPT,
      wait: flag('wait until the job has paused'),
      timeout: value('SECONDS', 'with --wait: give up waiting after this long (default 60; exit 1)'),
    },
  },
  cancel: { usage: 'cancel <job>', about: 'Stops the job and its agents now; interrupted sheets stay pending.', options: { workspace: ADOPT } },
  approve: {
    usage: 'approve <job>',
    about: "Lets a sheet waiting at one of the score's checkpoints run, or skips it.",
    options: { workspace: ADOPT, sheet: value('N', 'the waiting sheet (needed only when several wait)'), skip: flag('mark the sheet skipped instead; its agent never runs') },
  },
  resume: {
    usage: 'resume <job>',
    about: 'Continues from the checkpoint, re-reading the score; validated sheets never run again.',
    options: {
      workspace: ADOPT,
      config: value('FILE', "make FILE the job's score from now on (same name and workspace)"),
      'reload-config': flag(`${NO_EFFECT} resume always re-reads the score file; \`--reload-config FILE\` is -c FILE`),
      force: flag('resume a completed job too: its last sheet runs again (a score with more sheets, -c FILE, needs no --force)'),
      escalation: flag(`${NO_EFFECT} escalation to a person is done by the score's checkpoints and 'mozart approve'`),
      watch: flag("follow the job's progress to its end"),
      ...HEALING,
    },
  },
  modify: {
    usage: 'modify <job>',
    about: 'Pauses the job at a safe point (waiting for its running sheets), then takes the changed score.',
    options: {
      workspace: ADOPT,
      config: value('FILE', "the new score (default: the job's own file, re-read)"),
      resume: flag('continue the job at once'),
      wait: flag('wait for the job to pause before resuming (modify always does)'),
      timeout: value('SECONDS', 'give up waiting for a running job to pause after this long (exit 1, the score not applied); default: wait as long as its sheets take'),
    },
  },
  diagnose: {
    usage: 'diagnose <job>',
    about: 'Why a job is where it is: failing sheets, validations, error history, what to do, files to open.',
    options: { workspace: ADOPT, 'include-logs': flag("add the last 50 lines of each failing sheet's agent output") },
  },
  errors: {
    usage: 'errors <job>',
    about: "Every error recorded on the job's sheets, oldest first.",
    options: {
      workspace: ADOPT,
      sheet: value('N', "only sheet N's errors"),
      type: value('TYPE', 'only transient, rate_limit or permanent errors'),
      code: value('CODE', 'only errors with this code (E201, …)'),
      'verbose-errors': flag("add each error's category, what to do, and the last 20 lines of each erring sheet's agent output (also -v)"),
    },
  },
  logs: {
    usage: 'logs [<job>]',
    about: "A sheet's full agent output (--sheet N) or the job's event log; without a job a log file: DIR's mozart.log (-w DIR), FILE (-f), else the conductor's ($MOZART_HOME/mozart.log).",
    options: {
      workspace: value('DIR', "with a job: find it in this workspace (adopted from its checkpoint if need be); without one: show DIR's mozart.log"),
      file: value('FILE', 'show this log file instead'),
      follow: flag('keep printing what is added: for a job as the conductor reports it, until the job stops; for a file until Ctrl-C'),
      lines: value('N', 'only the last N lines (0: all; a file: 50 unless given, with --follow none unless given)'),
      level: value('LEVEL', 'only lines of LEVEL and above (DEBUG, INFO, WARNING, ERROR, CRITICAL): a log file\'s levelled lines, or the event log\'s events'),
      sheet: value('N', "sheet N's agent output, every attempt under its own header"),
    },
  },
  history: {
    usage: 'history <job>',
    about: "Every attempt of the job's sheets from its event log, oldest first: start, mode, outcome.",
    options: { workspace: ADOPT, sheet: value('N', "only sheet N's attempts"), limit: value('N', 'the last N attempts (default 50)') },
  },
  recover: {
    usage: 'recover <job>',
    about: "Re-runs failed sheets' validations without the agent; a sheet whose work is there is marked completed.",
    options: { workspace: ADOPT, sheet: value('N', 'only sheet N'), 'dry-run': flag('report what would be recovered, record nothing') },
  },
  clear: {
    usage: 'clear [<job>]',
    about: "Forgets finished jobs (completed, failed, cancelled); their workspaces stay on disk.",
    options: { status: value('STATUS', 'clear jobs with this status (repeatable)') },
  },
  start: {
    usage: 'start',
    about: 'Starts the conductor, in the background unless --foreground; returns once it listens.',
    options: {
      foreground: flag('run attached to the terminal, its log on stderr; Ctrl-C stops it as `stop` does'),
      config: value('FILE', 'the conductor config file to use (default $MOZART_HOME/conductor.yaml); see mozart config'),
      'log-level-conductor': value('LEVEL', "the conductor's log level (debug, info, warning, error); overrides the config file"),
      'max-jobs': value('N', 'at most N jobs run at once (default 8, or MOZART_MAX_JOBS)'),
      cluster: value('redis://HOST:PORT', 'join the cluster that Redis names (or MOZART_CLUSTER); see docs/cluster.md'),
      'agent-cap': value('BACKEND=N,...', 'cap concurrent agents of a backend across the cluster'),
    },
  },
  stop: {
    usage: 'stop',
    about: 'Stops the conductor; running jobs pause at a safe point and are checkpointed.',
    options: {
      force: flag("kill it (SIGKILL) at once, if the pid file's process is a conductor (else refused); its running jobs are resumed by the next conductor"),
      'pid-file': value('FILE', "with --force: the conductor's pid file (otherwise: no effect, stop asks on the socket)"),
    },
  },
  restart: {
    usage: 'restart',
    about: 'Stops the conductor and starts it again in the background; jobs that were running continue.',
    options: {
      foreground: flag(`${NO_EFFECT} restart starts the conductor in the background; use 'mozart stop' then 'mozart start --foreground'`),
      config: value('FILE', 'as for start'),
      'log-level-conductor': value('LEVEL', 'as for start'),
      'pid-file': value('FILE', `${NO_EFFECT} the conductor is asked on its socket (--socket)`),
      'max-jobs': value('N', 'as for start'),
      cluster: value('redis://HOST:PORT', 'as for start'),
      'agent-cap': value('BACKEND=N,...', 'as for start'),
    },
  },
  'conductor-status': {
    usage: 'conductor-status',
    about: "The conductor's pid, uptime, version, jobs, memory, socket and health checks (exit 1 when one fails).",
    options: { 'pid-file': value('FILE', `${NO_EFFECT} the conductor is asked on its socket (--socket)`) },
  },
  dashboard: {
    usage: 'dashboard',
    about: "Refused: there is no web dashboard; the VS Code extension's Mozart view replaces it.",
    options: {
      port: value('PORT', `${NO_EFFECT} refused, see above`),
      host: value('HOST', `${NO_EFFECT} refused, see above`),
      workspace: value('DIR', `${NO_EFFECT} refused, see above`),
      reload: flag(`${NO_EFFECT} refused, see above`),
    },
  },
  config: {
    usage: 'config show|set KEY VALUE|path|init|check',
    about: "The conductor config file ($MOZART_HOME/conductor.yaml): show the effective settings and their sources, set one (a running conductor re-reads it), print its path, write a starter file, check it.",
    options: {
      config: value('FILE', 'use this config file instead of $MOZART_HOME/conductor.yaml'),
      force: flag('with init: overwrite an existing file'),
    },
  },
  mcp: {
    usage: 'mcp',
    about: 'Serves the Model Context Protocol on stdin/stdout, through the conductor (see docs/cli.md).',
    options: {
      port: value('PORT', `${NO_EFFECT} the server speaks over stdin/stdout, not a port`),
      host: value('HOST', `${NO_EFFECT} the server speaks over stdin/stdout, not a port`),
      workspace: value('DIR', `${NO_EFFECT} the artifact tools read the workspaces of the jobs the conductor knows, and only those`),
    },
  },
};

const COMMON_LINES = ['      --socket PATH             conductor socket (default: $MOZART_SOCKET or ~/.mozart/run/conductor.sock)', '  -j, --json                    machine-readable output', '  -h, --help                    this help'];

/** One option's help line: `  -s, --start-sheet N   text`. */
function optionLine(name: string, short: string | undefined, help: OptionHelp): string {
  const spelling = `${short ? `-${short}, ` : '    '}--${SHOWN_AS[name] ?? name}${help.arg ? ` ${help.arg}` : ''}`;
  return `  ${spelling.padEnd(28)}  ${help.text}`;
}

/** `mozart <command> --help`: usage, what it does, and every option its parser accepts. */
export function commandHelp(command: string): string {
  const help = COMMAND_HELP[command];
  const table = COMMAND_OPTIONS[command] ?? {};
  if (!help) return `Usage: mozart ${command} [options]\n`;
  const lines = [`Usage: mozart ${help.usage} [options]`, '', help.about, '', 'Options:'];
  for (const [name, option] of Object.entries(table)) {
    lines.push(optionLine(name, option.short, help.options[name] ?? { text: '(undocumented)' }));
  }
  lines.push(...COMMON_LINES, '', "Global options (before or after the command): -v, --verbose · -q, --quiet · -L, --log-level · --log-file · --log-format (see 'mozart --help').");
  return lines.join('\n') + '\n';
}
