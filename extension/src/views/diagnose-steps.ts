// The diagnose panel's step buttons. The conductor writes its next steps for people at a terminal
// ("'mozart resume JOB' continues from the failed sheet"); here every CLI command a step names
// becomes a button running the extension command that does the same, on the job the panel shows.
// Pure: step text in, actions out; a message from the page in, the command to run out.
import type { DiagnoseReport } from '../../../protocol/src/methods.js';
import type { Translate } from '../l10n.js';

/**
 * The only commands a page may ask for. Each takes the panel's job (its id, the id and a sheet,
 * or the job's score file), never anything the page supplies beyond a sheet number.
 */
export const STEP_COMMANDS = [
  'mozart.resumeJob',
  'mozart.resumeWithHealing',
  'mozart.recoverJob',
  'mozart.modifyJob',
  'mozart.pauseJob',
  'mozart.cancelJob',
  'mozart.rerunJob',
  'mozart.showJobLog',
  'mozart.showSheetLog',
  'mozart.openWorkspace',
  'mozart.validate',
] as const;

export type StepCommand = (typeof STEP_COMMANDS)[number];

/** One button: the command and, for a sheet's log, which sheet. */
export interface StepAction {
  command: StepCommand;
  sheet?: number;
}

/** A `mozart <subcommand> <rest of the command>` inside a step (quoted or not). */
const CLI = /\bmozart\s+(resume|recover|modify|pause|cancel|run|logs|status|validate)\b([^'"`\n;]*)/g;

/**
 * The commands a step names, in the order it names them, once each. `sheet` is the sheet the step
 * is about (a failing sheet's own "What to do"), for steps that point at "the sheet log".
 */
export function stepActions(text: string, sheet?: number): StepAction[] {
  const found: StepAction[] = [];
  const add = (action: StepAction) => {
    if (!found.some((a) => a.command === action.command && a.sheet === action.sheet)) found.push(action);
  };
  for (const match of text.matchAll(CLI)) {
    const verb = match[1];
    const rest = match[2] ?? '';
    switch (verb) {
      case 'resume':
        add({ command: /(^|\s)(--self-healing|-H)\b/.test(rest) ? 'mozart.resumeWithHealing' : 'mozart.resumeJob' });
        break;
      case 'recover':
        add({ command: 'mozart.recoverJob' });
        break;
      case 'modify':
        add({ command: 'mozart.modifyJob' });
        break;
      case 'pause':
        add({ command: 'mozart.pauseJob' });
        break;
      case 'cancel':
        add({ command: 'mozart.cancelJob' });
        break;
      case 'run':
        // Only a fresh run is something to do for a job that exists; a plain `run` would be refused.
        if (/(^|\s)--fresh\b/.test(rest)) add({ command: 'mozart.rerunJob' });
        break;
      case 'logs': {
        const n = /--sheet[\s=]+(\d+)/.exec(rest)?.[1];
        add(n ? { command: 'mozart.showSheetLog', sheet: Number(n) } : { command: 'mozart.showJobLog' });
        break;
      }
      case 'status':
        // `status --watch` follows the job; the job log document does that in the editor.
        if (/(^|\s)(--watch|-w)\b/.test(rest)) add({ command: 'mozart.showJobLog' });
        break;
      case 'validate':
        add({ command: 'mozart.validate' });
        break;
    }
  }
  // The error hints point at the sheet log and the workspace in words; they are where to look.
  if (sheet !== undefined && /\bsheet log\b/i.test(text)) add({ command: 'mozart.showSheetLog', sheet });
  if (/\bin the workspace\b/i.test(text)) add({ command: 'mozart.openWorkspace' });
  return found;
}

/** A button's label. */
export function stepLabel(action: StepAction, t: Translate): string {
  switch (action.command) {
    case 'mozart.resumeJob':
      return t('Resume');
    case 'mozart.resumeWithHealing':
      return t('Resume with Self-Healing');
    case 'mozart.recoverJob':
      return t('Re-check Validations');
    case 'mozart.modifyJob':
      return t('Modify and Resume…');
    case 'mozart.pauseJob':
      return t('Pause');
    case 'mozart.cancelJob':
      return t('Cancel Job');
    case 'mozart.rerunJob':
      return t('Re-run from Sheet 1');
    case 'mozart.showJobLog':
      return t('Show Job Log');
    case 'mozart.showSheetLog':
      return t('Show Sheet {0} Log', action.sheet ?? '?');
    case 'mozart.openWorkspace':
      return t('Open Workspace');
    case 'mozart.validate':
      return t('Validate Score');
  }
}

/** What the page posts for a step button. */
export interface StepMessage {
  type: 'command';
  command: StepCommand;
  sheet?: number;
}

/** A step message, if it names an allowed command (and, for a sheet's log, a sheet the job has). */
export function parseStepMessage(value: unknown, totalSheets: number): StepMessage | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const message = value as { type?: unknown; command?: unknown; sheet?: unknown };
  if (message.type !== 'command' || typeof message.command !== 'string') return undefined;
  const command = STEP_COMMANDS.find((c) => c === message.command);
  if (!command) return undefined;
  if (command !== 'mozart.showSheetLog') return { type: 'command', command };
  const sheet = message.sheet;
  if (typeof sheet !== 'number' || !Number.isInteger(sheet) || sheet < 1 || sheet > totalSheets) return undefined;
  return { type: 'command', command, sheet };
}

/** What the panel runs for a step: `vscode.commands.executeCommand(command, argument)`. */
export interface StepInvocation {
  command: StepCommand;
  /** The job's id; the job and a sheet (as a tree node carries them); or the job's score file. */
  argument: { kind: 'job'; jobId: string } | { kind: 'sheet'; jobId: string; sheet: number } | { kind: 'score'; scoreFile: string };
}

/** The command and its argument, always the panel's own job (or its score), never the page's. */
export function stepInvocation(message: StepMessage, report: DiagnoseReport): StepInvocation | undefined {
  const { jobId, scoreFile } = report.job;
  const { command } = message;
  if (command === 'mozart.showSheetLog') return message.sheet === undefined ? undefined : { command, argument: { kind: 'sheet', jobId, sheet: message.sheet } };
  if (command === 'mozart.validate') return scoreFile ? { command, argument: { kind: 'score', scoreFile } } : undefined;
  return { command, argument: { kind: 'job', jobId } };
}
