// Every Mozart command. Anything that runs or starts something checks workspace trust first;
// job commands accept a tree node, a job id, or ask.
import { stat } from 'node:fs/promises';
import { relative, isAbsolute } from 'node:path';
import * as vscode from 'vscode';
import type { JobSummary } from '../../../protocol/src/methods.js';
import { looksLikeScore } from '../settings-model.js';
import { checkScoreWithCli } from './cli.js';
import { followJob } from './follow.js';
import { newScoreFromExample } from './new-score.js';
import { ensureConductor, requireTrust, resolveJob, resolveSheet } from './guards.js';
import type { MozartServices } from './services.js';

const canPause = (j: JobSummary) => j.status === 'running' && !j.pausing;
const canCancel = (j: JobSummary) => j.status === 'running' || j.status === 'paused' || j.status === 'pending';
const canResume = (j: JobSummary) => j.status !== 'running' && j.status !== 'completed';
const canRerun = (j: JobSummary) => (j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled') && j.scoreFile !== undefined;

export function registerCommands(services: MozartServices): vscode.Disposable[] {
  const { t, connection, store } = services;
  const command = (id: string, run: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (error) {
        void vscode.window.showErrorMessage(t('Mozart: {0}', (error as Error).message));
      }
    });

  /** Sends a job request, records the answer and, for starts, follows the job. */
  const jobRequest = async (jobId: string, method: 'job.resume' | 'job.pause' | 'job.cancel', follow: boolean, extra: { selfHealing?: true } = {}) => {
    if (!(await ensureConductor(services))) return;
    // A pause lasts as long as the running sheets: say so at once, everywhere the job is shown.
    if (method === 'job.pause') store.markPausing(jobId);
    const summary = await connection.request(method, { jobId, ...extra });
    store.upsert(summary);
    if (follow) followJob(services, jobId);
  };

  const resume = async (target: unknown) => {
    if (!requireTrust(services, t('resume jobs'))) return;
    const jobId = await resolveJob(services, target, canResume, t('Resume which job?'));
    if (jobId) await jobRequest(jobId, 'job.resume', true);
  };

  return [
    command('mozart.runScore', (uri) => runScore(services, uri, false)),
    // The dry run's plan (the same data `mozart run --dry-run` prints), from the buffer as it is.
    command('mozart.dryRun', async (uri) => {
      const file = await scoreFile(services, uri, { save: false });
      if (file) await services.plans.show(file);
    }),
    command('mozart.showPlan', async (uri) => {
      const file = await scoreFile(services, uri, { save: false });
      if (file) await services.plans.show(file);
    }),
    command('mozart.previewPrompt', async (uri, sheet) => {
      const file = await scoreFile(services, uri, { save: false });
      if (!file) return;
      const num = typeof sheet === 'number' ? sheet : await askSheetNumber(services);
      if (num !== undefined) await services.plans.show(file, { promptSheet: num });
    }),
    command('mozart.validate', async (uri) => {
      const file = await scoreFile(services, uri);
      if (file) await checkScoreWithCli(services, file, 'validate');
    }),
    command('mozart.resumeJob', resume),
    command('mozart.resumeFromFailed', resume),
    // `mozart resume JOB --self-healing` (without --yes: only the remedies inside the job's folders).
    command('mozart.resumeWithHealing', async (target) => {
      if (!requireTrust(services, t('resume jobs'))) return;
      const jobId = await resolveJob(services, target, canResume, t('Resume which job with self-healing?'));
      if (jobId) await jobRequest(jobId, 'job.resume', true, { selfHealing: true });
    }),
    // `mozart recover JOB`: re-checks failed sheets' validations without running their agents.
    command('mozart.recoverJob', async (target) => {
      if (!requireTrust(services, t('recover jobs'))) return;
      const jobId = await resolveJob(services, target, (j) => j.status === 'failed' || j.status === 'paused' || j.status === 'cancelled', t('Re-check the failed sheets of which job?'));
      if (!jobId || !(await ensureConductor(services))) return;
      const result = await connection.request('job.recover', { jobId });
      await store.load();
      const still = result.stillFailing.length ? t(' Still failing: {0}.', result.stillFailing.join(', ')) : '';
      const done = result.recovered.length ? t('Sheets {0} now pass their validations.', result.recovered.join(', ')) : t('No failed sheet passes its validations yet.');
      void vscode.window.showInformationMessage(t("Mozart job '{0}' is {1}. {2}{3}", jobId, result.jobStatus, done, still));
    }),
    command('mozart.rerunJob', async (target) => {
      const jobId = await resolveJob(services, target, canRerun, t('Run which finished job again?'));
      const scoreFile = jobId ? services.store.summary(jobId)?.scoreFile : undefined;
      if (scoreFile) await runScore(services, vscode.Uri.file(scoreFile), true);
    }),
    command('mozart.pauseJob', async (target) => {
      const jobId = await resolveJob(services, target, canPause, t('Pause which job?'));
      if (jobId) await jobRequest(jobId, 'job.pause', false);
    }),
    command('mozart.cancelJob', async (target) => {
      const jobId = await resolveJob(services, target, canCancel, t('Cancel which job?'));
      if (!jobId) return;
      const confirm = t('Cancel Job');
      const choice = await vscode.window.showWarningMessage(t("Cancel job '{0}'? Running agents are stopped; sheets already validated stay done.", jobId), { modal: true }, confirm);
      if (choice === confirm) await jobRequest(jobId, 'job.cancel', false);
    }),
    command('mozart.modifyJob', (target) => modifyJob(services, target)),
    command('mozart.diagnose', async (target) => {
      const jobId = await resolveJob(services, target, () => true, t('Diagnose which job?'));
      if (jobId) await services.diagnose.show(jobId);
    }),
    command('mozart.showSheetLog', async (target) => {
      const sheet = await resolveSheet(services, target);
      if (sheet) await services.logs.open(sheet);
    }),
    command('mozart.showJobLog', async (target) => {
      const jobId = await resolveJob(services, target, () => true, t('Show the log of which job?'));
      if (jobId) await services.logs.open({ jobId });
    }),
    command('mozart.openWorkspace', async (target) => {
      const jobId = await resolveJob(services, target, (j) => Boolean(j.workspace), t("Open which job's workspace?"));
      const workspace = jobId ? (store.summary(jobId)?.workspace ?? (await store.loadState(jobId)).workspace) : undefined;
      if (workspace) await openPath(services, workspace);
    }),
    command('mozart.openScore', async (target) => {
      const jobId = await resolveJob(services, target, (j) => Boolean(j.scoreFile), t("Open which job's score?"));
      const file = jobId ? (store.summary(jobId)?.scoreFile ?? (await store.loadState(jobId)).scoreFile) : undefined;
      if (file) await vscode.window.showTextDocument(vscode.Uri.file(file));
    }),
    command('mozart.startConductor', async () => {
      if (!requireTrust(services, t('start the conductor'))) return;
      if (connection.state.phase === 'running') {
        void vscode.window.showInformationMessage(t('The Mozart conductor is already running (pid {0}).', connection.state.conductor?.pid ?? '?'));
        return;
      }
      connection.start({ spawn: true, explicit: true });
      await ensureConductor(services);
    }),
    command('mozart.stopConductor', async () => {
      if (connection.state.phase !== 'running') {
        void vscode.window.showInformationMessage(t('The Mozart conductor is not running.'));
        return;
      }
      if (!(await confirmStop(services))) return;
      connection.stop();
      await connection.whenPhase('stopped', 'lost', 'error');
    }),
    command('mozart.restartConductor', async () => {
      if (!requireTrust(services, t('restart the conductor'))) return;
      if (connection.state.phase === 'running') {
        if (!(await confirmStop(services))) return;
        connection.stop();
        await connection.whenPhase('stopped', 'lost', 'error');
      }
      connection.start({ spawn: true, explicit: true });
      await ensureConductor(services);
    }),
    command('mozart.showConductorLog', () => services.conductorLog.show(true)),
    command('mozart.conductorMenu', () => conductorMenu(services)),
    command('mozart.refreshJobs', async () => {
      if (connection.state.phase !== 'running') connection.start({ spawn: false });
      else await store.load();
      services.tree.refresh();
    }),
    command('mozart.clearJobs', async () => {
      if (!(await ensureConductor(services))) return;
      // Finished is every end: completed, failed and cancelled (a failed job can still be resumed
      // from a terminal with `mozart resume -w`; its workspace and checkpoint stay on disk).
      const { cleared } = await connection.request('job.clear', { statuses: ['completed', 'failed', 'cancelled'] });
      await store.load();
      void vscode.window.showInformationMessage(cleared.length ? t('Cleared {0} finished jobs from the list.', cleared.length) : t('No finished job to clear.'));
    }),
    command('mozart.removeJob', async (target) => {
      const jobId = await resolveJob(services, target, (j) => j.status !== 'running', t('Remove which job from the list?'));
      if (!jobId || !(await ensureConductor(services))) return;
      await connection.request('job.clear', { jobId });
      await store.load();
      void vscode.window.showInformationMessage(t("Removed job '{0}' from the list; its workspace and checkpoint stay on disk.", jobId));
    }),
    command('mozart.newScore', () => newScoreFromExample(services)),
  ];
}

/** The score a command is about: the URI it was given, the active editor's YAML, or one the user picks. */
async function scoreFile(services: MozartServices, target: unknown, options: { save: boolean } = { save: true }): Promise<vscode.Uri | undefined> {
  const { t } = services;
  let uri: vscode.Uri | undefined = target instanceof vscode.Uri ? target : undefined;
  if (!uri) {
    const document = vscode.window.activeTextEditor?.document;
    if (document && document.uri.scheme === 'file' && (document.languageId === 'yaml' || /\.ya?ml$/i.test(document.fileName))) uri = document.uri;
  }
  if (!uri) {
    const globs = services.settings().scoreFiles;
    const found = (await Promise.all(globs.map((g) => vscode.workspace.findFiles(g, '**/node_modules/**', 200)))).flat();
    const candidates = [...new Map(found.map((u) => [u.toString(), u])).values()];
    if (candidates.length === 0) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [t('Scores')]: ['yaml', 'yml'] }, openLabel: t('Use Score') });
      uri = picked?.[0];
    } else {
      const picked = await vscode.window.showQuickPick(
        candidates.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
        { placeHolder: t('Which score?') },
      );
      uri = picked?.uri;
    }
  }
  if (!uri) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri?.toString());
  if (open?.isDirty && options.save) await open.save();
  if (open && !looksLikeScore(open.getText()) && !services.settings().scoreFiles.some((g) => vscode.languages.match({ pattern: g }, open) > 0)) {
    const go = t('Use It Anyway');
    const choice = await vscode.window.showWarningMessage(t('{0} does not look like a Mozart score (no top-level `sheet:`).', vscode.workspace.asRelativePath(uri)), go);
    if (choice !== go) return undefined;
  }
  return uri;
}

/** A sheet number from the user (whole, from 1); the plan says so if the score has fewer. */
async function askSheetNumber(services: MozartServices): Promise<number | undefined> {
  const { t } = services;
  const answer = await vscode.window.showInputBox({
    prompt: t('Preview the prompt of which sheet?'),
    placeHolder: t('Sheet number, e.g. 1'),
    value: '1',
    validateInput: (value) => (/^[1-9]\d*$/.test(value.trim()) ? undefined : t('A sheet number is a whole number from 1.')),
  });
  return answer === undefined ? undefined : Number(answer.trim());
}

async function runScore(services: MozartServices, target: unknown, fresh: boolean): Promise<void> {
  const { t, connection, store } = services;
  if (!requireTrust(services, t('run scores'))) return;
  const file = await scoreFile(services, target);
  if (!file) return;
  if (!(await ensureConductor(services))) return;
  let summary: JobSummary;
  try {
    summary = await connection.request('job.submit', { scoreFile: file.fsPath, ...(fresh ? { fresh: true } : {}) });
  } catch (error) {
    // The conductor refuses a score whose job already exists: offer what fits that job.
    if (!store.loaded) await store.load();
    const existing = store.jobs().find((j) => j.scoreFile === file.fsPath);
    if (!existing) throw error;
    // The conductor's words name CLI flags (--fresh); here the choices are buttons.
    const message =
      existing.status === 'completed'
        ? t("'{0}' has already run to completion. Run it again from the start (Re-run, also on the job in the Mozart view), or look at its log.", existing.jobId)
        : (error as Error).message;
    const options: string[] = [];
    const resumeTitle = t('Resume');
    const freshTitle = existing.status === 'completed' ? t('Re-run') : t('Start Over');
    const showTitle = t('Show Job Log');
    if (canResume(existing)) options.push(resumeTitle);
    if (existing.status !== 'running') options.push(freshTitle);
    options.push(showTitle);
    const choice = await vscode.window.showWarningMessage(message, ...options);
    if (choice === resumeTitle) await vscode.commands.executeCommand('mozart.resumeJob', existing.jobId);
    else if (choice === showTitle) await services.logs.open({ jobId: existing.jobId });
    else if (choice === freshTitle && existing.status === 'completed') await runScore(services, file, true);
    else if (choice === freshTitle) {
      const confirm = t('Discard and Start Over');
      const sure = await vscode.window.showWarningMessage(t("Start '{0}' over? Its checkpoint is discarded and every sheet runs again.", existing.jobId), { modal: true }, confirm);
      if (sure === confirm) await runScore(services, file, true);
    }
    return;
  }
  store.upsert(summary);
  followJob(services, summary.jobId);
}

async function modifyJob(services: MozartServices, target: unknown): Promise<void> {
  const { t, connection, store } = services;
  if (!requireTrust(services, t('resume jobs'))) return;
  const jobId = await resolveJob(services, target, (j) => j.status !== 'completed', t('Modify and resume which job?'));
  if (!jobId) return;
  const current = store.summary(jobId)?.scoreFile;
  const reread = { label: t('Re-read its score'), description: current ?? '', file: undefined as string | undefined };
  const other = { label: t('Use another score file…'), description: '', file: '' };
  const picked = await vscode.window.showQuickPick([reread, other], { placeHolder: t("Resume '{0}' with which score? Sheets already validated do not run again.", jobId) });
  if (!picked) return;
  let scoreFile: string | undefined;
  if (picked === other) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [t('Scores')]: ['yaml', 'yml'] }, defaultUri: current ? vscode.Uri.file(current) : undefined });
    if (!chosen?.[0]) return;
    scoreFile = chosen[0].fsPath;
  }
  const file = scoreFile ?? current;
  const open = file ? vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file) : undefined;
  if (open?.isDirty) await open.save();
  if (!(await ensureConductor(services))) return;
  const summary = await connection.request('job.modify', { jobId, resume: true, ...(scoreFile ? { scoreFile } : {}) });
  store.upsert(summary);
  followJob(services, jobId);
}

async function confirmStop(services: MozartServices): Promise<boolean> {
  const running = services.store.runningCount();
  if (running === 0) return true;
  const { t } = services;
  const stop = t('Stop Conductor');
  const choice = await vscode.window.showWarningMessage(t('{0} running jobs pause at a safe point and are checkpointed; they continue when resumed.', running), { modal: true }, stop);
  return choice === stop;
}

async function conductorMenu(services: MozartServices): Promise<void> {
  const { t, connection } = services;
  const phase = connection.state.phase;
  const items: { label: string; description?: string; command: string }[] = [];
  if (phase !== 'running') items.push({ label: `$(play) ${t('Start Conductor')}`, command: 'mozart.startConductor' });
  if (phase === 'running') {
    items.push({ label: `$(debug-stop) ${t('Stop Conductor')}`, description: t('running jobs pause at a safe point'), command: 'mozart.stopConductor' });
    items.push({ label: `$(debug-restart) ${t('Restart Conductor')}`, command: 'mozart.restartConductor' });
  }
  items.push({ label: `$(output) ${t('Show Conductor Log')}`, description: connection.logFile, command: 'mozart.showConductorLog' });
  items.push({ label: `$(list-tree) ${t('Show Jobs')}`, command: 'mozart.jobs.focus' });
  const title = connection.state.conductor ? t('Mozart conductor (pid {0}) on {1}', connection.state.conductor.pid, connection.socketPath) : t('Mozart conductor on {0}', connection.socketPath);
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: connection.state.detail });
  if (picked) await vscode.commands.executeCommand(picked.command);
}

/** Opens a file in an editor; a folder is revealed in the Explorer, or offered in a new window when outside the workspace. */
export async function openPath(services: MozartServices, path: string): Promise<void> {
  const { t } = services;
  const uri = vscode.Uri.file(path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch {
    void vscode.window.showWarningMessage(t('{0} does not exist (yet).', path));
    return;
  }
  if (!isDirectory) {
    await vscode.window.showTextDocument(uri);
    return;
  }
  const inside = (vscode.workspace.workspaceFolders ?? []).some((f) => {
    const rel = relative(f.uri.fsPath, path);
    return !rel.startsWith('..') && !isAbsolute(rel);
  });
  if (inside) {
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return;
  }
  const newWindow = t('Open in New Window');
  const reveal = t('Reveal in File Manager');
  const choice = await vscode.window.showInformationMessage(t('{0} is outside the folders open in this window.', path), newWindow, reveal);
  if (choice === newWindow) await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
  else if (choice === reveal) await vscode.commands.executeCommand('revealFileInOS', uri);
}
