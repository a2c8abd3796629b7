// A job's state as the extension keeps it: the checkpoint from `job.status`, brought up to date by
// the conductor's events between fetches. Pure functions over the protocol types.
import { summariseJob } from '../../../protocol/src/summary.js';
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { JobState, JobStatus, SheetState } from '../../../protocol/src/job-state.js';

/** Statuses after which a job does nothing until someone acts. */
export function isSettled(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'paused';
}

/** Events after which the whole checkpoint is worth fetching again. */
export function wantsRefresh(event: RunnerEvent): boolean {
  return event.type.startsWith('job.') && event.type !== 'job.cost_update' && event.type !== 'job.hook' && event.type !== 'job.archived' && event.type !== 'job.cost_warning' && event.type !== 'job.notification_failed' && event.type !== 'job.pausing';
}

function blankSheet(): SheetState {
  return { status: 'pending', attempts: 0, retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0, errors: [], costUsd: 0, inputTokens: 0, outputTokens: 0 };
}

/**
 * Applies an event to a job's state in place (so a 10,000-sheet job costs the same per event as a
 * small one) and returns whether anything shown changed. `sheet.output` changes nothing here.
 */
export function applyEvent(state: JobState, event: RunnerEvent): boolean {
  if (event.jobId !== state.jobId) return false;
  const at = Date.parse(event.at);
  state.updatedAt = event.at;
  const sheetOf = (num: number): SheetState => {
    const key = String(num);
    const sheet = state.sheets[key] ?? blankSheet();
    state.sheets[key] = sheet;
    return sheet;
  };
  switch (event.type) {
    case 'job.started':
      state.status = 'running';
      delete state.error;
      delete state.finishedAt;
      return true;
    case 'job.completed':
    case 'job.paused':
    case 'job.cancelled':
      state.status = event.type === 'job.completed' ? 'completed' : event.type === 'job.paused' ? 'paused' : 'cancelled';
      if (event.type !== 'job.paused') state.finishedAt = event.at;
      return true;
    case 'job.failed':
      state.status = 'failed';
      state.error = { code: event.code, message: event.message };
      state.finishedAt = event.at;
      return true;
    case 'job.cost_update':
      state.costUsd = event.costUsd;
      return true;
    case 'job.circuit_open':
    case 'job.cluster':
    case 'job.hook':
    case 'job.archived':
    case 'job.state_repaired':
    case 'job.cost_warning':
    case 'job.notification_failed':
    case 'job.notice':
    case 'job.pausing':
    case 'sheet.healing':
    case 'sheet.output':
      return false;
    case 'sheet.started': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'in_progress';
      sheet.attempts = Math.max(sheet.attempts, event.attempt);
      sheet.startedAt = event.at;
      delete sheet.waitingUntil;
      delete sheet.waitReason;
      return true;
    }
    case 'sheet.validation_passed':
    case 'sheet.validation_failed': {
      const sheet = sheetOf(event.sheet);
      const rules = (sheet.validations ?? []).filter((r) => r.index !== event.rule.index);
      sheet.validations = [...rules, event.rule].sort((a, b) => a.index - b.index);
      return true;
    }
    case 'sheet.retrying': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'pending';
      sheet.waitingUntil = at + event.delayMs;
      sheet.waitReason = `retry after ${event.code}`;
      sheet.lastError = { code: event.code, category: '', message: event.reason, attempt: event.attempt - 1, at: event.at };
      return true;
    }
    case 'sheet.completion': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'pending';
      sheet.waitingUntil = at + event.delayMs;
      sheet.waitReason = 'completion';
      return true;
    }
    case 'sheet.waiting': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'pending';
      sheet.waitingUntil = event.until;
      sheet.waitReason = event.wait === 'quota' ? 'usage quota exhausted' : 'rate limited';
      return true;
    }
    case 'sheet.completed': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'completed';
      sheet.attempts = event.attempts;
      sheet.durationMs = event.durationMs;
      sheet.costUsd = event.costUsd;
      sheet.finishedAt = event.at;
      delete sheet.waitingUntil;
      delete sheet.waitReason;
      return true;
    }
    case 'sheet.skipped': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'skipped';
      sheet.skipReason = event.reason;
      return true;
    }
    case 'sheet.approval_needed': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'pending';
      sheet.approval = { trigger: event.trigger, message: event.message, attempt: event.attempt, since: event.at };
      sheet.waitReason = `awaiting approval: ${event.message}`;
      return true;
    }
    case 'sheet.approved': {
      const sheet = sheetOf(event.sheet);
      if (sheet.approval) sheet.approval = { ...sheet.approval, decision: event.decision };
      delete sheet.waitReason;
      return true;
    }
    case 'sheet.checkpoint_warning':
      return false;
    case 'sheet.failed': {
      const sheet = sheetOf(event.sheet);
      sheet.status = 'failed';
      sheet.finishedAt = event.at;
      sheet.lastError = { code: event.code, category: sheet.lastError?.category ?? '', message: event.message, attempt: sheet.attempts, at: event.at };
      delete sheet.waitingUntil;
      delete sheet.waitReason;
      return true;
    }
  }
}

/** Sum of the sheets' costs. */
export function sheetCostSum(state: JobState): number {
  let sum = 0;
  for (const sheet of Object.values(state.sheets)) sum += sheet.costUsd || 0;
  return sum;
}

/** The `job.list` line for a state; sheet costs applied from events may be ahead of the job total. */
export function summarise(state: JobState): JobSummary {
  return { ...summariseJob(state), costUsd: Math.max(state.costUsd || 0, sheetCostSum(state)) };
}

/** A summary brought up to date by a job-level event (for jobs whose full state is not held). */
export function summaryWithEvent(summary: JobSummary, event: RunnerEvent): JobSummary {
  switch (event.type) {
    case 'job.started':
      return { ...summary, status: 'running', updatedAt: event.at, error: undefined };
    case 'job.completed':
      return { ...summary, status: 'completed', updatedAt: event.at };
    case 'job.paused':
      return { ...summary, status: 'paused', updatedAt: event.at };
    case 'job.cancelled':
      return { ...summary, status: 'cancelled', updatedAt: event.at };
    case 'job.failed':
      return { ...summary, status: 'failed', updatedAt: event.at, error: { code: event.code, message: event.message } };
    case 'job.cost_update':
      return { ...summary, costUsd: event.costUsd, updatedAt: event.at };
    default:
      return summary;
  }
}
