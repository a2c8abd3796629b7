// What a job asks of the person at the editor: a sheet waiting at a proactive checkpoint (Approve /
// Skip, also inline in the tree) and the desktop notices of a score's `notifications`, which the
// conductor hands to a connected editor window instead of the OS notifier.
import * as vscode from 'vscode';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { ConductorConnection } from '../conductor/connection.js';
import type { Translate } from '../l10n.js';

export function registerJobAttention(connection: ConductorConnection, t: Translate): vscode.Disposable[] {
  const approve = async (target: unknown, skip: boolean) => {
    const where = sheetOf(target);
    if (!where) return;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(t('Mozart does not approve sheets in Restricted Mode: trust this workspace first.'));
      return;
    }
    try {
      const result = await connection.request('job.approve', { jobId: where.jobId, skip, ...(where.sheet !== undefined ? { sheet: where.sheet } : {}) });
      void vscode.window.setStatusBarMessage(result.decision === 'skip' ? t('Sheet {0} of {1} skipped', result.sheet, result.jobId) : t('Sheet {0} of {1} approved', result.sheet, result.jobId), 5000);
    } catch (error) {
      void vscode.window.showErrorMessage(t('Mozart: {0}', (error as Error).message));
    }
  };
  const onEvent = (event: RunnerEvent) => {
    if (event.type === 'sheet.approval_needed') void askApproval(event, t, approve);
    else if (event.type === 'job.notice') {
      const show = event.level === 'error' ? vscode.window.showErrorMessage : event.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(`${event.title}: ${event.message}`);
    }
  };
  connection.on('event', onEvent);
  const command = (id: string, run: (target: unknown) => Promise<void>) => vscode.commands.registerCommand(id, run);
  return [
    command('mozart.approveSheet', (target) => approve(target, false)),
    command('mozart.skipSheet', (target) => approve(target, true)),
    { dispose: () => connection.off('event', onEvent) },
  ];
}

async function askApproval(event: Extract<RunnerEvent, { type: 'sheet.approval_needed' }>, t: Translate, approve: (target: unknown, skip: boolean) => Promise<void>): Promise<void> {
  const ok = t('Approve');
  const skip = t('Skip Sheet');
  const choice = await vscode.window.showWarningMessage(t("Job '{0}', sheet {1} waits for approval: {2}", event.jobId, event.sheet, event.message), ok, skip);
  if (choice === ok) await approve({ jobId: event.jobId, sheet: event.sheet }, false);
  else if (choice === skip) await approve({ jobId: event.jobId, sheet: event.sheet }, true);
}

/** A tree node, `{ jobId, sheet }`, or a job id (the job's only waiting sheet). */
function sheetOf(target: unknown): { jobId: string; sheet?: number } | undefined {
  if (typeof target === 'string') return { jobId: target };
  if (target && typeof target === 'object' && typeof (target as { jobId?: unknown }).jobId === 'string') {
    const sheet = (target as { sheet?: unknown }).sheet;
    return { jobId: (target as { jobId: string }).jobId, ...(typeof sheet === 'number' ? { sheet } : {}) };
  }
  return undefined;
}
