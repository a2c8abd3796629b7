// Which runner events become notices. Pure: the conductor's event stream goes in, a notice (or
// nothing) comes out, so what a person is told about is decided in one table.
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { Notice } from './types.js';

/** What the mapping needs to know about the job besides the event itself. */
export interface JobFacts {
  name: string;
  totalSheets: number;
  /** sheet.descriptions, keyed by sheet number. */
  descriptions?: Readonly<Record<string, string | undefined>>;
  /** Sheets completed and failed so far, for job-level notices. */
  counts?: () => { completed: number; failed: number };
  /** When the job (this run of it) started, epoch ms, for the duration of job-level notices. */
  startedAtMs?: number;
  costUsd?: () => number;
}

/** The notice for an event, or undefined when the event is not one people are told about. */
export function noticeFor(event: RunnerEvent, job: JobFacts): Notice | undefined {
  const base = { jobId: event.jobId, jobName: job.name, at: event.at };
  const sheetPart = (sheet: number) => ({ sheet, totalSheets: job.totalSheets, ...(job.descriptions?.[String(sheet)] ? { sheetDescription: job.descriptions[String(sheet)] } : {}) });
  const jobPart = () => ({
    ...(job.counts ? (({ completed, failed }) => ({ completedSheets: completed, failedSheets: failed }))(job.counts()) : {}),
    ...(job.startedAtMs !== undefined ? { durationSeconds: Math.max(0, (Date.parse(event.at) - job.startedAtMs) / 1000) } : {}),
    ...(job.costUsd ? { costUsd: job.costUsd() } : {}),
  });
  switch (event.type) {
    case 'job.started':
      return { ...base, event: 'job_start', totalSheets: job.totalSheets };
    case 'job.completed':
      return { ...base, event: 'job_complete', ...jobPart() };
    case 'job.failed':
      return { ...base, event: 'job_failed', ...jobPart(), code: event.code, error: event.message };
    case 'job.paused':
      return { ...base, event: 'job_paused', ...jobPart(), ...(event.message ? { detail: event.message } : {}) };
    case 'sheet.started':
      // Retries and completion prompts start the sheet again; a person wants to hear of it once.
      return event.attempt === 1 ? { ...base, event: 'sheet_start', ...sheetPart(event.sheet) } : undefined;
    case 'sheet.completed':
      return { ...base, event: 'sheet_complete', ...sheetPart(event.sheet), durationSeconds: event.durationMs / 1000, ...(event.costUsd > 0 ? { costUsd: event.costUsd } : {}) };
    case 'job.cost_warning':
      return { ...base, event: 'cost_warning', costUsd: event.costUsd, detail: event.message, ...(event.sheet !== undefined ? sheetPart(event.sheet) : {}) };
    case 'sheet.failed':
      return { ...base, event: 'sheet_failed', ...sheetPart(event.sheet), code: event.code, error: event.message };
    default:
      return undefined;
  }
}
