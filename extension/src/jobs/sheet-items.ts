// The sheets under a job in the jobs tree, as data: one item per sheet (status, wait countdown,
// attempts, cost), and the groups above them — a fanned-out stage's instances, or ranges of
// RANGE_SIZE sheets for jobs above FLAT_SHEET_LIMIT. Pure, like tree-model.ts (which re-exports it).
import type { JobState, JobStatus, SheetState } from '../../../protocol/src/job-state.js';
import type { Translate } from '../l10n.js';
import { formatCost, formatCountdown, formatDuration } from './format.js';
import type { TreeIcon, TreeItemModel } from './tree-model.js';

/**
 * What runs has a still icon, not a spinning one: a job runs for hours, and while any animation is
 * on screen the window redraws 20 times a second (13 % of a core here, with software rendering).
 * The running sheet's ticking elapsed time is the sign of life. Short waits (pausing) still spin.
 */
export const RUNNING_ICON: TreeIcon = { id: 'play-circle', color: 'charts.blue' };

/** Above this many sheets, a job's sheets are grouped in ranges of RANGE_SIZE. */
export const FLAT_SHEET_LIMIT = 200;
export const RANGE_SIZE = 100;
/** What a pending sheet is waiting for, read from the wait the runner recorded. */
export type SheetWait = 'retry' | 'rate_limit' | 'quota' | 'completion' | 'other';

export function sheetWait(sheet: SheetState): { kind: SheetWait; until: number } | undefined {
  if (sheet.waitingUntil === undefined || sheet.status !== 'pending') return undefined;
  const reason = sheet.waitReason ?? '';
  let kind: SheetWait = 'other';
  if (/^retry/i.test(reason)) kind = 'retry';
  else if (/rate.?limit/i.test(reason)) kind = 'rate_limit';
  else if (/quota/i.test(reason)) kind = 'quota';
  else if (/completion/i.test(reason)) kind = 'completion';
  // A wait already over still shows ("0s") until the sheet starts: that event is on its way.
  return { kind, until: sheet.waitingUntil };
}

function retryCode(sheet: SheetState): string | undefined {
  const fromReason = /^retry after (\S+)/i.exec(sheet.waitReason ?? '')?.[1];
  return fromReason ?? sheet.lastError?.code;
}

/** What can be done to a sheet, as context-value tokens. */
export function sheetActions(sheet: SheetState, jobStatus: JobStatus): string[] {
  const tokens = ['sheet', `status-${sheet.status}`];
  if (awaitsApproval(sheet) && jobStatus === 'running') tokens.push('awaitingApproval');
  if (sheet.attempts > 0 || sheet.status === 'in_progress' || sheet.status === 'completed' || sheet.status === 'failed') tokens.push('hasLog');
  if (sheet.status === 'failed') {
    tokens.push('canDiagnose');
    if (jobStatus !== 'running' && jobStatus !== 'completed') tokens.push('canResumeFromSheet');
  }
  return tokens;
}

/** A sheet stopped at a proactive checkpoint, waiting for Approve or Skip. */
export function awaitsApproval(sheet: SheetState): boolean {
  return sheet.status === 'pending' && sheet.approval !== undefined && sheet.approval.decision === undefined;
}

/** The tree item of one sheet. `now` (epoch ms) drives the countdown of a wait. */
export function sheetItem(jobId: string, num: number, sheet: SheetState, jobStatus: JobStatus, now: number, t: Translate): TreeItemModel {
  let description: string;
  let icon: TreeIcon;
  let ticksUntil: number | undefined;
  const wait = sheetWait(sheet);
  const nextAttempt = sheet.attempts + 1;
  if (awaitsApproval(sheet)) {
    description = t('awaiting approval · {0}', sheet.approval?.message ?? '');
    icon = { id: 'bell-dot', color: 'charts.yellow' };
  } else if (wait) {
    const left = formatCountdown(wait.until, now);
    ticksUntil = wait.until;
    switch (wait.kind) {
      case 'retry': {
        const code = retryCode(sheet);
        description = code ? t('retrying in {0} · attempt {1} · {2}', left, nextAttempt, code) : t('retrying in {0} · attempt {1}', left, nextAttempt);
        icon = { id: 'history', color: 'charts.yellow' };
        break;
      }
      case 'rate_limit':
        description = t('waiting for rate limit · {0} left · attempt {1}', left, nextAttempt);
        icon = { id: 'watch', color: 'charts.yellow' };
        break;
      case 'quota':
        description = t('waiting for usage quota · {0} left · attempt {1}', left, nextAttempt);
        icon = { id: 'watch', color: 'charts.orange' };
        break;
      case 'completion':
        description = t('completion prompt in {0} · attempt {1}', left, nextAttempt);
        icon = { id: 'history', color: 'charts.blue' };
        break;
      default:
        description = t('waiting · {0} left', left);
        icon = { id: 'watch' };
    }
  } else {
    switch (sheet.status) {
      case 'pending':
        description = sheet.attempts > 0 ? t('pending · {0} attempts so far', sheet.attempts) : t('pending');
        icon = { id: 'circle-outline' };
        break;
      case 'in_progress': {
        const since = sheet.startedAt ? Date.parse(sheet.startedAt) : Number.NaN;
        description = Number.isFinite(since) ? t('running {0} · attempt {1}', formatDuration(Math.max(0, now - since)), Math.max(1, sheet.attempts)) : t('running · attempt {0}', Math.max(1, sheet.attempts));
        icon = RUNNING_ICON;
        // The elapsed time ticks while the item is on screen (re-armed at each render).
        if (Number.isFinite(since)) ticksUntil = now + 60_000;
        break;
      }
      case 'completed': {
        const parts = [t('completed'), sheet.attempts === 1 ? t('1 attempt') : t('{0} attempts', sheet.attempts)];
        if (sheet.durationMs !== undefined) parts.push(formatDuration(sheet.durationMs));
        if (sheet.costUsd > 0) parts.push(formatCost(sheet.costUsd));
        description = parts.join(' · ');
        icon = { id: 'pass', color: 'testing.iconPassed' };
        break;
      }
      case 'failed': {
        const parts = [t('failed')];
        if (sheet.lastError) parts.push(sheet.lastError.code);
        parts.push(sheet.attempts === 1 ? t('1 attempt') : t('{0} attempts', sheet.attempts));
        if (sheet.costUsd > 0) parts.push(formatCost(sheet.costUsd));
        description = parts.join(' · ');
        icon = { id: 'error', color: 'testing.iconFailed' };
        break;
      }
      case 'skipped':
        description = sheet.skipReason ? t('skipped · {0}', sheet.skipReason) : t('skipped');
        icon = { id: 'debug-step-over', color: 'testing.iconSkipped' };
        break;
    }
  }
  return {
    id: `sheet:${jobId}:${num}`,
    kind: 'sheet',
    jobId,
    sheet: num,
    label: sheet.description ? t('Sheet {0}: {1}', num, sheet.description) : t('Sheet {0}', num),
    description,
    tooltip: sheetTooltip(num, sheet, now, t),
    icon,
    contextValue: sheetActions(sheet, jobStatus).join(' '),
    collapsible: false,
    ...(ticksUntil !== undefined ? { ticksUntil } : {}),
  };
}

function sheetTooltip(num: number, sheet: SheetState, now: number, t: Translate): string {
  const lines = [t('Sheet {0}: {1}', num, sheet.status.replace('_', ' '))];
  lines.push(t('Attempts: {0} (retries {1}, completion prompts {2}, rate-limit waits {3}, quota waits {4})', sheet.attempts, sheet.retries, sheet.completionAttempts, sheet.rateLimitWaits, sheet.quotaWaits));
  const wait = sheetWait(sheet);
  if (wait) lines.push(t('Waiting: {0} ({1} left)', sheet.waitReason ?? wait.kind, formatCountdown(wait.until, now)));
  if (sheet.durationMs !== undefined) lines.push(t('Duration: {0}', formatDuration(sheet.durationMs)));
  if (sheet.costUsd > 0 || sheet.inputTokens > 0) lines.push(t('Cost: {0} ({1} input, {2} output tokens)', formatCost(sheet.costUsd), sheet.inputTokens, sheet.outputTokens));
  if (sheet.validations?.length) {
    const passed = sheet.validations.filter((v) => v.status === 'passed').length;
    lines.push(t('Validations: {0} of {1} passed', passed, sheet.validations.length));
  }
  if (sheet.lastError) lines.push(t('Last error: {0} {1}', sheet.lastError.code, sheet.lastError.message));
  if (sheet.skipReason) lines.push(t('Skipped: {0}', sheet.skipReason));
  return lines.join('\n');
}

function sheetAt(state: JobState, num: number): SheetState {
  return state.sheets[String(num)] ?? { status: 'pending', attempts: 0, retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0, errors: [], costUsd: 0, inputTokens: 0, outputTokens: 0 };
}

function sheetCount(state: JobState): number {
  const keys = Object.keys(state.sheets).map(Number).filter(Number.isInteger);
  return Math.max(state.totalSheets, ...keys, 0);
}

/**
 * A job's children: its sheets in order, with each fanned-out stage's instances grouped under the
 * stage; or — for jobs above FLAT_SHEET_LIMIT sheets — ranges of RANGE_SIZE sheets, each
 * summarising how its sheets stand.
 */
export function jobChildren(state: JobState, now: number, t: Translate): TreeItemModel[] {
  const total = sheetCount(state);
  if (total > FLAT_SHEET_LIMIT) {
    const ranges: TreeItemModel[] = [];
    for (let from = 1; from <= total; from += RANGE_SIZE) {
      const to = Math.min(total, from + RANGE_SIZE - 1);
      ranges.push(rangeItem(state, from, to, t));
    }
    return ranges;
  }
  const stages = new Map((state.fanOutStages ?? []).map((s) => [s.from, s]));
  const items: TreeItemModel[] = [];
  for (let num = 1; num <= total; num++) {
    const stage = stages.get(num);
    if (stage && stage.to <= total) {
      items.push(rangeItem(state, stage.from, stage.to, t, stage.stage));
      num = stage.to;
    } else items.push(sheetItem(state.jobId, num, sheetAt(state, num), state.status, now, t));
  }
  return items;
}

/** The one group of `jobChildren` that starts at sheet `from` (reads only that group's sheets). */
export function rangeItemAt(state: JobState, from: number, t: Translate): TreeItemModel | undefined {
  const total = sheetCount(state);
  if (total > FLAT_SHEET_LIMIT) return (from - 1) % RANGE_SIZE === 0 && from <= total ? rangeItem(state, from, Math.min(total, from + RANGE_SIZE - 1), t) : undefined;
  const stage = (state.fanOutStages ?? []).find((s) => s.from === from && s.to <= total);
  return stage ? rangeItem(state, stage.from, stage.to, t, stage.stage) : undefined;
}

/** The sheets `from`..`to` of a job. */
export function sheetRange(state: JobState, from: number, to: number, now: number, t: Translate): TreeItemModel[] {
  const items: TreeItemModel[] = [];
  for (let num = from; num <= to; num++) items.push(sheetItem(state.jobId, num, sheetAt(state, num), state.status, now, t));
  return items;
}

/** A group of sheets: a range of a very large job, or (with `stage`) a fanned-out stage's instances. */
function rangeItem(state: JobState, from: number, to: number, t: Translate, stage?: number): TreeItemModel {
  const counts = { completed: 0, failed: 0, running: 0, skipped: 0 };
  let cost = 0;
  for (let num = from; num <= to; num++) {
    const sheet = sheetAt(state, num);
    if (sheet.status === 'completed') counts.completed++;
    else if (sheet.status === 'failed') counts.failed++;
    else if (sheet.status === 'in_progress') counts.running++;
    else if (sheet.status === 'skipped') counts.skipped++;
    cost += sheet.costUsd || 0;
  }
  const parts = [t('{0}/{1} done', counts.completed + counts.skipped, to - from + 1)];
  if (counts.running) parts.push(t('{0} running', counts.running));
  if (counts.failed) parts.push(t('{0} failed', counts.failed));
  if (cost > 0) parts.push(formatCost(cost));
  const icon: TreeIcon = counts.failed ? { id: 'error', color: 'testing.iconFailed' } : counts.running ? RUNNING_ICON : counts.completed + counts.skipped === to - from + 1 ? { id: 'pass', color: 'testing.iconPassed' } : { id: 'folder' };
  return {
    id: stage === undefined ? `range:${state.jobId}:${from}` : `stage:${state.jobId}:${stage}`,
    kind: 'range',
    jobId: state.jobId,
    range: { from, to },
    label: stage === undefined ? t('Sheets {0}–{1}', from, to) : t('Stage {0} · {1} instances', stage, to - from + 1),
    description: parts.join(' · '),
    tooltip: stage === undefined ? parts.join('\n') : [t('Sheets {0}–{1}, run in parallel', from, to), ...parts].join('\n'),
    icon,
    contextValue: 'range',
    collapsible: true,
  };
}
