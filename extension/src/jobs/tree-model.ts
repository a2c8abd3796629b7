// The jobs tree as data: job summaries and states (plus the current time, for countdowns) in,
// descriptions of tree items out — label, description, tooltip, codicon, context value. The
// TreeDataProvider in views/jobs-tree.ts only turns these into vscode.TreeItems, so everything a
// person reads in the tree is decided (and tested) here.
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { JobState, JobStatus, SheetState } from '../../../protocol/src/job-state.js';
import type { Translate } from '../l10n.js';
import { formatCost, formatCountdown, formatDuration } from './format.js';
import { sheetCostSum } from './job-model.js';
import { localDateTime } from '../../../protocol/src/time-text.js';

/** A codicon and an optional theme colour id. */
export interface TreeIcon {
  id: string;
  color?: string;
}

export interface TreeItemModel {
  /** Stable across refreshes, so VS Code keeps expansion and selection. */
  id: string;
  kind: 'member' | 'job' | 'range' | 'sheet';
  /** '' for a member item. */
  jobId: string;
  /** For `member` items: the cluster member whose jobs it holds. */
  member?: string;
  sheet?: number;
  /** For `range` items: the sheets they hold. */
  range?: { from: number; to: number };
  label: string;
  description: string;
  tooltip: string;
  icon: TreeIcon;
  /** Space-separated tokens the manifest's `when` clauses match (`viewItem =~ /\bcanPause\b/`). */
  contextValue: string;
  collapsible: boolean;
  /** Shown open the first time it appears (a running job shows its sheets at once). */
  expanded?: boolean;
  /** Epoch ms a countdown in the text runs to; the view re-renders the item each second until then. */
  ticksUntil?: number;
}

/** Above this many sheets, a job's sheets are grouped in ranges of RANGE_SIZE. */
export const FLAT_SHEET_LIMIT = 200;
export const RANGE_SIZE = 100;

const JOB_ICONS: Record<JobStatus, TreeIcon> = {
  pending: { id: 'circle-outline' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  completed: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  paused: { id: 'debug-pause', color: 'charts.yellow' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};

/** Running and pending jobs first, then the rest; newest first within each group. */
export function orderJobs(jobs: readonly JobSummary[]): JobSummary[] {
  const active = (s: JobSummary) => (s.status === 'running' || s.status === 'pending' ? 0 : 1);
  return [...jobs].sort((a, b) => active(a) - active(b) || b.updatedAt.localeCompare(a.updatedAt) || a.jobId.localeCompare(b.jobId));
}

/** In a cluster, the jobs grouped by the member that runs (or last ran) them. */
export interface MemberGroup {
  member: string;
  jobs: JobSummary[];
}

/** Where jobs that no member has run yet are listed in a cluster's tree. */
export const QUEUED_GROUP = '';

/**
 * Groups jobs by member when any job has one (the conductor is a cluster member); undefined for a
 * single conductor, whose tree stays a flat list. Members in name order, the queued group first.
 */
export function memberGroups(jobs: readonly JobSummary[]): MemberGroup[] | undefined {
  if (!jobs.some((j) => j.member)) return undefined;
  const groups = new Map<string, JobSummary[]>();
  for (const job of orderJobs(jobs)) {
    const key = job.member ?? QUEUED_GROUP;
    groups.set(key, [...(groups.get(key) ?? []), job]);
  }
  return [...groups].sort((a, b) => a[0].localeCompare(b[0])).map(([member, list]) => ({ member, jobs: list }));
}

/** The tree item of a member's group. */
export function memberItem(group: MemberGroup, t: Translate): TreeItemModel {
  const running = group.jobs.filter((j) => j.status === 'running').length;
  const queued = group.member === QUEUED_GROUP;
  return {
    id: `member:${group.member}`,
    kind: 'member',
    jobId: '',
    member: group.member,
    label: queued ? t('Not on a member yet') : group.member,
    description: queued ? t('{0} jobs', group.jobs.length) : t('{0} running · {1} jobs', running, group.jobs.length),
    tooltip: queued ? t('Jobs waiting in the cluster queue, or never run in the cluster') : t('Cluster member {0}: jobs it runs or ran last', group.member),
    icon: { id: queued ? 'inbox' : 'server' },
    contextValue: 'member',
    collapsible: true,
  };
}

export function jobStatusText(status: JobStatus, t: Translate): string {
  switch (status) {
    case 'pending':
      return t('pending');
    case 'running':
      return t('running');
    case 'completed':
      return t('completed');
    case 'failed':
      return t('failed');
    case 'paused':
      return t('paused');
    case 'cancelled':
      return t('cancelled');
  }
}

/** What can be done to a job in this status, as context-value tokens. */
export function jobActions(summary: Pick<JobSummary, 'status' | 'workspace' | 'scoreFile' | 'pausing'>): string[] {
  const { status } = summary;
  const tokens = ['job', `status-${status}`, 'canDiagnose', 'canShowLog'];
  // A job asked to pause can still be cancelled, but not asked to pause again.
  if (status === 'running') tokens.push(...(summary.pausing ? ['pausing'] : ['canPause']), 'canCancel');
  if (status === 'paused') tokens.push('canCancel');
  if (status !== 'running') tokens.push('canRemove');
  if (status !== 'running' && status !== 'completed') tokens.push('canResume', 'canModify');
  if (status === 'failed') tokens.push('canResumeFailed');
  // A finished job runs again from its score in one click (its checkpoint starts afresh).
  if ((status === 'completed' || status === 'failed' || status === 'cancelled') && summary.scoreFile) tokens.push('canRerun');
  if (summary.workspace) tokens.push('hasWorkspace');
  if (summary.scoreFile) tokens.push('hasScore');
  return tokens;
}

/** The tree item of a job. The full state, when held, gives the cost summed over its sheets. */
export function jobItem(summary: JobSummary, state: JobState | undefined, t: Translate): TreeItemModel {
  const cost = state ? Math.max(sheetCostSum(state), 0) : summary.costUsd;
  const statusText = summary.pausing && summary.status === 'running' ? t('pausing…') : jobStatusText(summary.status, t);
  // The error code sits beside the status, where a narrow view does not cut it off.
  const parts = [summary.status === 'failed' && summary.error ? `${statusText} ${summary.error.code}` : statusText, t('{0}/{1} sheets', summary.completedSheets, summary.totalSheets)];
  if (summary.failedSheets > 0) parts.push(t('{0} failed', summary.failedSheets));
  if (cost > 0) parts.push(formatCost(cost));
  const asking = state && summary.status === 'running' ? Object.values(state.sheets).filter(awaitsApproval).length : 0;
  if (asking > 0) parts.push(t('{0} awaiting approval', asking));
  const concert = state?.concert;
  if (concert) parts.push(concert.maxDepth !== undefined ? t('concert {0}/{1}', concert.depth, concert.maxDepth) : t('concert {0}', concert.depth));
  const tooltip = [
    `${summary.name} — ${statusText}`,
    summary.pausing && summary.status === 'running' ? t('Pausing: nothing new starts; the job pauses once its running sheets end.') : '',
    t('Sheets: {0} of {1} done, {2} failed', summary.completedSheets, summary.totalSheets, summary.failedSheets),
    t('Cost: {0}', formatCost(cost)),
    summary.error ? t('Error: {0} {1}', summary.error.code, summary.error.message) : '',
    summary.scoreFile ? t('Score: {0}', summary.scoreFile) : '',
    summary.workspace ? t('Workspace: {0}', summary.workspace) : '',
    concert ? concertTooltip(concert, t) : '',
    t('Updated: {0}', localDateTime(summary.updatedAt)),
  ].filter((line) => line !== '');
  return {
    id: `job:${summary.jobId}`,
    kind: 'job',
    jobId: summary.jobId,
    label: summary.name || summary.jobId,
    description: parts.join(' · '),
    tooltip: tooltip.join('\n'),
    icon: summary.pausing && summary.status === 'running' ? { id: 'loading~spin', color: 'charts.yellow' } : JOB_ICONS[summary.status],
    contextValue: jobActions(summary).join(' '),
    collapsible: true,
    expanded: summary.status === 'running',
  };
}

/** "Concert: depth 2 of at most 5, started by 'a'; next 'c'". */
function concertTooltip(concert: NonNullable<JobState['concert']>, t: Translate): string {
  const depth = concert.maxDepth !== undefined ? t('Concert: depth {0} of at most {1}', concert.depth, concert.maxDepth) : t('Concert: depth {0}', concert.depth);
  const parent = concert.parent ? t(", started by '{0}'", concert.parent) : '';
  const next = concert.next ? t("; next: '{0}'", concert.next.jobId) : '';
  return depth + parent + next;
}

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
        icon = { id: 'loading~spin', color: 'charts.blue' };
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
  const icon: TreeIcon = counts.failed ? { id: 'error', color: 'testing.iconFailed' } : counts.running ? { id: 'sync~spin', color: 'charts.blue' } : counts.completed + counts.skipped === to - from + 1 ? { id: 'pass', color: 'testing.iconPassed' } : { id: 'folder' };
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
