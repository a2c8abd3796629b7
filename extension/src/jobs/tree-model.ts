// The jobs tree as data: job summaries and states (plus the current time, for countdowns) in,
// descriptions of tree items out — label, description, tooltip, codicon, context value. The
// TreeDataProvider in views/jobs-tree.ts only turns these into vscode.TreeItems, so everything a
// person reads in the tree is decided (and tested) here. The sheets' items are in sheet-items.ts.
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { JobState, JobStatus } from '../../../protocol/src/job-state.js';
import type { Translate } from '../l10n.js';
import { formatCost } from './format.js';
import { awaitsApproval, RUNNING_ICON } from './sheet-items.js';
import { localDateTime } from '../../../protocol/src/time-text.js';

export { awaitsApproval, FLAT_SHEET_LIMIT, jobChildren, RANGE_SIZE, rangeItemAt, sheetActions, sheetItem, sheetRange, sheetWait } from './sheet-items.js';
export type { SheetWait } from './sheet-items.js';

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

const JOB_ICONS: Record<JobStatus, TreeIcon> = {
  pending: { id: 'circle-outline' },
  running: RUNNING_ICON,
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

/** What a job's item shows beyond its summary, when its state is held (the store keeps it current). */
export interface JobExtras {
  /** Sheets waiting at a proactive checkpoint. */
  awaitingApproval: number;
  concert?: JobState['concert'];
}

/** A job's extras read from its whole state (the store keeps them current per record instead). */
export function jobExtras(state: JobState): JobExtras {
  let awaitingApproval = 0;
  for (const sheet of Object.values(state.sheets)) if (awaitsApproval(sheet)) awaitingApproval++;
  return { awaitingApproval, ...(state.concert ? { concert: state.concert } : {}) };
}

/**
 * The tree item of a job: its summary (whose cost is already the larger of the job's total and its
 * sheets' sum) and, when its state is held, its extras. Never reads the sheets: a refresh costs the
 * same for 3 sheets as for 10,000.
 */
export function jobItem(summary: JobSummary, extras: JobExtras | undefined, t: Translate): TreeItemModel {
  const cost = summary.costUsd;
  const statusText = summary.pausing && summary.status === 'running' ? t('pausing…') : jobStatusText(summary.status, t);
  // The error code sits beside the status, where a narrow view does not cut it off.
  const parts = [summary.status === 'failed' && summary.error ? `${statusText} ${summary.error.code}` : statusText, t('{0}/{1} sheets', summary.completedSheets, summary.totalSheets)];
  if (summary.failedSheets > 0) parts.push(t('{0} failed', summary.failedSheets));
  if (cost > 0) parts.push(formatCost(cost));
  const asking = extras && summary.status === 'running' ? extras.awaitingApproval : 0;
  if (asking > 0) parts.push(t('{0} awaiting approval', asking));
  const concert = extras?.concert;
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
