// The words of a notice: one title and one line of detail, shared by every channel that shows text.
import type { Notice, NoticeEvent } from './types.js';

const TITLES: Record<NoticeEvent, (n: Notice) => string> = {
  job_start: (n) => `Mozart: job '${n.jobName}' started`,
  job_complete: (n) => `Mozart: job '${n.jobName}' completed`,
  job_failed: (n) => `Mozart: job '${n.jobName}' failed`,
  job_paused: (n) => `Mozart: job '${n.jobName}' paused`,
  cost_warning: (n) => `Mozart: job '${n.jobName}' is near its cost limit`,
  sheet_start: (n) => `Mozart: '${n.jobName}' sheet ${n.sheet ?? '?'} started`,
  sheet_complete: (n) => `Mozart: '${n.jobName}' sheet ${n.sheet ?? '?'} completed`,
  sheet_failed: (n) => `Mozart: '${n.jobName}' sheet ${n.sheet ?? '?'} failed`,
};

/** A short title for the notice. */
export function noticeTitle(notice: Notice): string {
  return TITLES[notice.event](notice);
}

/** One line of detail: progress, results, duration, cost, error — whatever the notice has. */
export function noticeBody(notice: Notice): string {
  const parts: string[] = [];
  if (notice.sheet !== undefined && notice.totalSheets !== undefined) parts.push(`sheet ${notice.sheet} of ${notice.totalSheets}${notice.sheetDescription ? ` (${notice.sheetDescription})` : ''}`);
  if (notice.completedSheets !== undefined) parts.push(`${notice.completedSheets} completed, ${notice.failedSheets ?? 0} failed`);
  if (notice.durationSeconds !== undefined) parts.push(formatDuration(notice.durationSeconds));
  if (notice.costUsd !== undefined && notice.costUsd > 0) parts.push(`$${notice.costUsd.toFixed(2)}`);
  if (notice.detail) parts.push(notice.detail);
  if (notice.error) parts.push(`${notice.code ? `${notice.code}: ` : ''}${truncate(notice.error, 200)}`);
  return parts.length > 0 ? parts.join(' · ') : notice.event;
}

/** 42s, 3.5 min, 1.2 h. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)}s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
