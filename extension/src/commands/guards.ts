// Checks every command shares: workspace trust before running or starting anything, a running
// conductor (started when allowed), and which job a command is about.
import * as vscode from 'vscode';
import type { JobSummary } from '../../../protocol/src/methods.js';
import { jobPickDescription } from '../jobs/progress-model.js';
import { connectionProblem } from '../views/status-model.js';
import type { JobNode } from '../views/jobs-tree.js';
import type { MozartServices } from './services.js';

/**
 * True in a trusted workspace. Otherwise says why nothing is run and offers the trust editor:
 * a score's backend and validations run commands, so Restricted Mode only checks scores.
 */
export function requireTrust(services: MozartServices, action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const { t } = services;
  const manage = t('Manage Workspace Trust');
  void vscode.window
    .showWarningMessage(t('Mozart does not {0} in Restricted Mode: a score runs commands and agents. Trust this workspace to do that; checking scores works without trust.', action), manage)
    .then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}

/** Resolves once a conductor is connected, starting one when allowed (autoStart, or the user says so). */
export async function ensureConductor(services: MozartServices): Promise<boolean> {
  const { connection, t } = services;
  if (connection.state.phase === 'running') return true;
  if (!requireTrust(services, t('start the conductor'))) return false;
  if (connection.state.phase !== 'starting') {
    const { autoStart } = services.settings();
    const inCrashLoop = connection.state.phase === 'error';
    if (!autoStart || inCrashLoop) {
      const start = t('Start Conductor');
      const question = inCrashLoop ? t('The Mozart conductor is not available: {0}', connection.state.detail ?? '') : t('The Mozart conductor is not running. Start it?');
      const choice = await vscode.window.showWarningMessage(question, start, t('Show Conductor Log'));
      if (choice === undefined) return false;
      if (choice !== start) {
        services.conductorLog.show(true);
        return false;
      }
      connection.start({ spawn: true, explicit: true });
    } else {
      connection.start({ spawn: true, explicit: false });
    }
  }
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: t('Starting the Mozart conductor…') }, () => connection.whenRunning());
    return true;
  } catch {
    const show = t('Show Conductor Log');
    void vscode.window.showErrorMessage(connectionProblem(connection.state, t), show).then((choice) => {
      if (choice === show) services.conductorLog.show(true);
    });
    return false;
  }
}

/** The job a command was invoked on: a tree node, a job id, or one the user picks. */
export async function resolveJob(services: MozartServices, target: unknown, fits: (job: JobSummary) => boolean, placeHolder: string): Promise<string | undefined> {
  if (typeof target === 'string' && target) return target;
  if (target && typeof target === 'object' && typeof (target as JobNode).jobId === 'string') return (target as JobNode).jobId;
  const { store, connection, t } = services;
  if (connection.state.phase !== 'running') {
    if (!(await ensureConductor(services))) return undefined;
    if (!store.loaded) await store.load();
  }
  const jobs = store.jobs().filter(fits);
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage(t('No Mozart job fits this command right now.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((job) => ({ label: job.name || job.jobId, description: jobPickDescription(job, t), detail: job.scoreFile, jobId: job.jobId })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.jobId;
}

/** The sheet a command was invoked on, or one the user picks from the job's sheets. */
export async function resolveSheet(services: MozartServices, target: unknown): Promise<{ jobId: string; sheet: number } | undefined> {
  if (target && typeof target === 'object' && typeof (target as JobNode).jobId === 'string' && typeof (target as JobNode).sheet === 'number') {
    return { jobId: (target as JobNode).jobId, sheet: (target as JobNode).sheet as number };
  }
  const { t } = services;
  const jobId = await resolveJob(services, target, () => true, t('Which job?'));
  if (!jobId) return undefined;
  let state;
  try {
    state = await services.store.loadState(jobId);
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
    return undefined;
  }
  const items = Array.from({ length: state.totalSheets }, (_, i) => {
    const sheet = state.sheets[String(i + 1)];
    return { label: t('Sheet {0}', i + 1), description: sheet ? sheet.status.replace('_', ' ') : t('pending'), sheet: i + 1 };
  });
  const picked = await vscode.window.showQuickPick(items, { placeHolder: t('Which sheet of {0}?', jobId) });
  return picked ? { jobId, sheet: picked.sheet } : undefined;
}
