// What the progress notification of a job started from this window says, and the notification
// shown when it settles. Pure: a job summary in, text and action ids out.
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { Translate } from '../l10n.js';
import { formatCost } from './format.js';
import { jobStatusText } from './tree-model.js';

/** The running job's progress line and how far it is (0–100). */
export function progressReport(summary: JobSummary, t: Translate): { message: string; percent: number } {
  const done = summary.completedSheets + summary.failedSheets;
  const percent = summary.totalSheets > 0 ? Math.min(100, Math.round((done / summary.totalSheets) * 100)) : 0;
  const parts = [t('{0}/{1} sheets', summary.completedSheets, summary.totalSheets)];
  if (summary.failedSheets > 0) parts.push(t('{0} failed', summary.failedSheets));
  if (summary.costUsd > 0) parts.push(formatCost(summary.costUsd));
  return { message: parts.join(' · '), percent };
}

/** The actions a settled job's notification offers. */
export type NoticeAction = 'openWorkspace' | 'showLog' | 'diagnose' | 'resume';

export interface CompletionNotice {
  level: 'info' | 'warning' | 'error';
  message: string;
  actions: NoticeAction[];
}

/** The notification for a job that stopped running; undefined while it still runs. */
export function completionNotice(summary: JobSummary, t: Translate): CompletionNotice | undefined {
  const name = summary.name || summary.jobId;
  const cost = summary.costUsd > 0 ? ` (${formatCost(summary.costUsd)})` : '';
  switch (summary.status) {
    case 'completed':
      return { level: 'info', message: t("Mozart job '{0}' completed: {1} sheets{2}.", name, summary.totalSheets, cost), actions: ['openWorkspace', 'showLog'] };
    case 'failed': {
      const why = summary.error ? `${summary.error.code}: ${summary.error.message}` : t('{0} sheets failed', summary.failedSheets);
      return { level: 'error', message: t("Mozart job '{0}' failed — {1}", name, why), actions: ['diagnose', 'resume', 'showLog'] };
    }
    case 'paused':
      return { level: 'warning', message: t("Mozart job '{0}' is paused at {1}/{2} sheets.", name, summary.completedSheets, summary.totalSheets), actions: ['resume', 'showLog'] };
    case 'cancelled':
      return { level: 'warning', message: t("Mozart job '{0}' was cancelled at {1}/{2} sheets.", name, summary.completedSheets, summary.totalSheets), actions: ['showLog'] };
    default:
      return undefined;
  }
}

/** One-line status of a job for pickers. */
export function jobPickDescription(summary: JobSummary, t: Translate): string {
  return `${jobStatusText(summary.status, t)} · ${t('{0}/{1} sheets', summary.completedSheets, summary.totalSheets)}`;
}
