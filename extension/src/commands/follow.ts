// A job started from this window gets a progress notification that follows its events
// (jobs/progress-follower.ts: updated with the jobs tree, never ahead or behind it), and a
// notification with next steps when it settles (completed, failed, paused or cancelled). The jobs
// followed are remembered in the workspace's state, so a reloaded window follows them on.
import * as vscode from 'vscode';
import type { ConnectionState } from '../conductor/connection-state.js';
import { followProgress } from '../jobs/progress-follower.js';
import type { CompletionNotice, NoticeAction } from '../jobs/progress-model.js';
import type { MozartServices } from './services.js';

const following = new Set<string>();

/** Workspace-state key of the jobs this window follows. */
const FOLLOWED_KEY = 'mozart.followedJobs';

function remembered(services: MozartServices): string[] {
  const value = services.extension.workspaceState.get<unknown>(FOLLOWED_KEY);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function remember(services: MozartServices, jobId: string, on: boolean): void {
  const ids = new Set(remembered(services));
  if (on === ids.has(jobId)) return;
  if (on) ids.add(jobId);
  else ids.delete(jobId);
  void services.extension.workspaceState.update(FOLLOWED_KEY, [...ids]);
}

/**
 * After a window reload: once the job list arrives, follows again every remembered job that is still
 * running or pending, and forgets the ones that settled meanwhile (their outcome is in the tree).
 */
export function followRememberedJobs(services: MozartServices): vscode.Disposable {
  const { store } = services;
  const check = () => {
    const ids = remembered(services);
    if (ids.length === 0) {
      store.off('changed', check);
      return;
    }
    for (const jobId of ids) {
      const summary = store.summary(jobId);
      if (!summary) continue;
      if (summary.status === 'running' || summary.status === 'pending') followJob(services, jobId);
      else remember(services, jobId, false);
    }
  };
  store.on('changed', check);
  check();
  return { dispose: () => store.off('changed', check) };
}

const ACTION_COMMANDS: Record<NoticeAction, string> = {
  openWorkspace: 'mozart.openWorkspace',
  showLog: 'mozart.showJobLog',
  diagnose: 'mozart.diagnose',
  resume: 'mozart.resumeJob',
};

function actionTitle(action: NoticeAction, services: MozartServices): string {
  const { t } = services;
  switch (action) {
    case 'openWorkspace':
      return t('Open Workspace');
    case 'showLog':
      return t('Show Log');
    case 'diagnose':
      return t('Diagnose');
    case 'resume':
      return t('Resume');
  }
}

/** Shows the job's progress until it settles, then what happened. One follower per job. */
export function followJob(services: MozartServices, jobId: string): void {
  if (following.has(jobId)) return;
  following.add(jobId);
  remember(services, jobId, true);
  const { store, connection, t } = services;
  // Hold the job's full state from the start, so every sheet event counts toward the progress.
  void store.loadState(jobId).catch(() => undefined);
  let notice: CompletionNotice | undefined;
  let lostConnection = false;
  void vscode.window
    .withProgress({ location: vscode.ProgressLocation.Notification, title: t('Mozart: {0}', jobId), cancellable: false }, (progress) => {
      return new Promise<void>((resolve) => {
        const follow = followProgress(store, jobId, t, (message, increment) => progress.report({ message, increment }));
        const onState = (state: ConnectionState) => {
          if (state.phase === 'running' || state.phase === 'starting') return;
          lostConnection = true;
          finish();
        };
        const finish = () => {
          follow.stop();
          connection.off('state', onState);
          resolve();
        };
        void follow.settled.then((settled) => {
          notice = settled;
          finish();
        });
        connection.on('state', onState);
      });
    })
    .then(() => {
      following.delete(jobId);
      if (!lostConnection) remember(services, jobId, false);
      if (lostConnection && !notice) {
        void vscode.window.showWarningMessage(t("Lost the conductor while following job '{0}'. It resumes the job when it starts again.", jobId));
        return;
      }
      if (notice) void showNotice(services, jobId, notice);
    });
}

async function showNotice(services: MozartServices, jobId: string, notice: CompletionNotice): Promise<void> {
  const titles = notice.actions.map((a) => actionTitle(a, services));
  const show = notice.level === 'error' ? vscode.window.showErrorMessage : notice.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  const choice = await show(notice.message, ...titles);
  const index = choice === undefined ? -1 : titles.indexOf(choice);
  const action = notice.actions[index];
  if (action) await vscode.commands.executeCommand(ACTION_COMMANDS[action], jobId);
}
