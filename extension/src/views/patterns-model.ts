// The "Learned patterns" view as data: the conductor's patterns in, tree item descriptions out —
// pattern, kind, trust, effectiveness, last seen, and which of quarantine / un-quarantine applies.
// No `vscode` import, so the tests run it under plain Node.
import type { AppliedPattern, PatternKind, PatternStatus, PatternView } from '../../../protocol/src/learning.js';
import type { Translate } from '../l10n.js';
import type { TreeIcon } from '../jobs/tree-model.js';
import { formatDuration } from '../jobs/format.js';

export interface PatternItemModel {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: TreeIcon;
  /** `pattern status-… canQuarantine|canUnquarantine` for the manifest's `when` clauses. */
  contextValue: string;
}

const ICONS: Record<PatternStatus, TreeIcon> = {
  pending: { id: 'lightbulb' },
  validated: { id: 'verified', color: 'testing.iconPassed' },
  quarantined: { id: 'circle-slash', color: 'testing.iconFailed' },
  retired: { id: 'archive', color: 'disabledForeground' },
};

export function kindText(kind: PatternKind, t: Translate): string {
  switch (kind) {
    case 'validation_failure':
      return t('recurring validation failure');
    case 'retry_success':
      return t('retry success');
    case 'completion_mode':
      return t('completion mode');
    case 'first_attempt_success':
      return t('first-attempt success');
    case 'semantic_failure':
      return t('failure cause');
  }
}

export function statusText(status: PatternStatus, t: Translate): string {
  switch (status) {
    case 'pending':
      return t('pending');
    case 'validated':
      return t('validated');
    case 'quarantined':
      return t('quarantined');
    case 'retired':
      return t('retired');
  }
}

/** "3m ago", "2h 05m ago"; the future (clock skew) reads as "just now". */
export function ago(iso: string, now: number, t: Translate): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 60_000) return t('just now');
  return t('{0} ago', formatDuration(ms).replace(/ \d\ds$/, ''));
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** One pattern's tree item. */
export function patternItem(p: PatternView, now: number, t: Translate): PatternItemModel {
  const effectiveness = p.applications >= 3 ? pct(p.effectiveness) : t('untested');
  const put = p.status === 'quarantined' || p.status === 'retired' ? [statusText(p.status, t)] : [];
  const description = [...put, kindText(p.kind, t), t('trust {0}', pct(p.trust)), t('effective {0}', effectiveness), t('seen {0}', ago(p.lastSeen, now, t))].join(' · ');
  const tooltip = [
    p.description,
    '',
    t('Kind: {0}', kindText(p.kind, t)),
    t('Status: {0}', statusText(p.status, t)) + (p.statusReason ? ` (${p.statusReason})` : ''),
    t('Trust {0} · effectiveness {1} · priority {2} · confidence {3}', pct(p.trust), effectiveness, pct(p.priority), pct(p.confidence)),
    t('Applied to {0} attempts, {1} of which passed', p.applications, p.successes),
    t('Seen {0} times; last {1}', p.frequency, p.lastSeen),
    ...(p.score ? [t('Score: {0}', p.score)] : []),
    t('Id: {0}', p.id),
  ].join('\n');
  const actions = p.status === 'quarantined' ? 'canUnquarantine' : p.status === 'retired' ? '' : 'canQuarantine';
  return { id: `pattern:${p.id}`, label: p.name, description, tooltip, icon: ICONS[p.status], contextValue: ['pattern', `status-${p.status}`, actions].filter(Boolean).join(' ') };
}

/** The view's items: quarantined ones last, otherwise in the conductor's order (priority). */
export function patternItems(patterns: readonly PatternView[], now: number, t: Translate): PatternItemModel[] {
  const rank = (p: PatternView) => (p.status === 'quarantined' || p.status === 'retired' ? 1 : 0);
  return patterns
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map(({ p }) => patternItem(p, now, t));
}

/** One line per pattern in a sheet's prompt (for the diagnose panel). */
export function appliedPatternLine(p: AppliedPattern, t: Translate): string {
  return t('{0} ({1}, {2}): trust {3}, effective {4}; passed {5} of {6} attempts it was in{7}', p.description, kindText(p.kind, t), statusText(p.status, t), pct(p.trust), p.applications >= 3 ? pct(p.effectiveness) : t('untested'), p.successes, p.applications, p.explored ? t('; tried by exploration') : '');
}
