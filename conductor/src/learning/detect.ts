// Pattern detection: which recurring situations the totals show, each with its frequency, confidence,
// tags and the measures of how it has done when applied. A pure function of the aggregate, the
// pattern statuses and the clock; thresholds and confidence formulas follow the original's.
import type { PatternKind, PatternStatus } from '../../../protocol/src/learning.js';
import type { Aggregate, CodeStats, ReasonStats, ScoreStats } from './aggregate.js';
import type { LearningState } from './decisions.js';
import { statusOf } from './decisions.js';
import { patternId } from './outcome.js';
import { effectiveness, priority, trust } from './scoring.js';

/** Occurrences before a recurring situation becomes a pattern. */
export const MIN_FREQUENCY = 2;
/** First-attempt passes before "first-attempt success" becomes a pattern. */
export const MIN_FIRST_ATTEMPT_PASSES = 3;

/** A detected pattern with its measures. Times are epoch ms. */
export interface Pattern {
  id: string;
  kind: PatternKind;
  key: string;
  name: string;
  /** What was observed, in words (the guidance line is built from it). */
  description: string;
  frequency: number;
  confidence: number;
  /** How often the situation it describes ended well (e.g. retries that passed), 0…1. */
  successRate: number;
  firstSeen: number;
  lastSeen: number;
  /** Context tags for relevance. */
  tags: string[];
  /** Tags a sheet must have for the pattern to apply to it at all. */
  requires: string[];
  /** The score it belongs to (id and name), for score-specific kinds. */
  scoreId?: string;
  scoreName?: string;
  /** For validation_failure: the rule it is about. */
  ruleKey?: string;
  applications: number;
  successes: number;
  lastApplied?: number;
  effectiveness: number;
  trust: number;
  priority: number;
  status: PatternStatus;
  statusReason?: string;
}

type Observed = Omit<Pattern, 'id' | 'applications' | 'successes' | 'lastApplied' | 'effectiveness' | 'trust' | 'priority' | 'status' | 'statusReason'>;

/** The most common keys of a count record, most common first. */
export function top(record: Record<string, number>, n: number): string[] {
  return Object.entries(record)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([k]) => k);
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** Patterns of one score: its rules that keep failing, completion mode, first-attempt success. */
function scorePatterns(scoreId: string, s: ScoreStats): Observed[] {
  const out: Observed[] = [];
  const scoreTag = `score:${scoreId}`;
  for (const [key, r] of Object.entries(s.rules)) {
    if (r.failures < MIN_FREQUENCY) continue;
    const reasons = top(r.reasons, 1);
    out.push({
      kind: 'validation_failure',
      key,
      name: r.description,
      description: `“${r.description}” (${r.type}) failed ${r.failures} of ${r.checks} checks, ${r.firstFailures} on a first attempt${reasons.length ? ` (${reasons.join(', ')})` : ''}`,
      frequency: r.failures,
      confidence: Math.min(0.9, 0.5 + r.failures * 0.1),
      successRate: r.checks > 0 ? 1 - r.failures / r.checks : 0,
      firstSeen: r.firstSeen,
      lastSeen: r.lastFailure || r.lastSeen,
      tags: [scoreTag, `rule:${key}`, `validation:${r.type}`],
      requires: [`rule:${key}`],
      scoreId,
      scoreName: s.name,
      ruleKey: key,
    });
  }
  if (s.completionAttempts >= MIN_FREQUENCY) {
    const rate = s.completionPasses / s.completionAttempts;
    out.push({
      kind: 'completion_mode',
      key: scoreId,
      name: 'completion mode',
      description: `when part of the work was already verified, finishing only what was missing passed in ${s.completionPasses} of ${s.completionAttempts} attempts (${pct(rate)})`,
      frequency: s.completionAttempts,
      confidence: Math.min(0.7, 0.4 + s.completionAttempts * 0.1),
      successRate: rate,
      firstSeen: s.firstSeen,
      lastSeen: s.lastCompletion || s.lastSeen,
      tags: [scoreTag, 'completion:used'],
      requires: [scoreTag],
      scoreId,
      scoreName: s.name,
    });
  }
  if (s.firstPasses >= MIN_FIRST_ATTEMPT_PASSES && s.firstAttempts > 0) {
    const rate = s.firstPasses / s.firstAttempts;
    out.push({
      kind: 'first_attempt_success',
      key: scoreId,
      name: 'first-attempt success',
      description: `${s.firstPasses} of ${s.firstAttempts} first attempts of this score's sheets passed every check (${pct(rate)}): do the whole task, then check each requirement yourself before finishing`,
      frequency: s.firstPasses,
      confidence: Math.min(0.9, 0.6 + rate * 0.3),
      successRate: rate,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      tags: [scoreTag, 'success:first_attempt'],
      requires: [scoreTag],
      scoreId,
      scoreName: s.name,
    });
  }
  return out;
}

function retryPattern(code: string, c: CodeStats): Observed | undefined {
  if (c.recovered < MIN_FREQUENCY) return undefined;
  const avg = c.retriesToRecover / c.recovered;
  const total = c.failures > 0 ? Math.max(c.failures, c.recovered) : c.recovered;
  return {
    kind: 'retry_success',
    key: code,
    name: `retry after ${code}`,
    description: `after ${code}${c.category ? ` (${c.category})` : ''} a later attempt passed ${c.recovered} times (${c.failures} failures with it; ${avg.toFixed(1)} retries on average)`,
    frequency: c.recovered,
    confidence: Math.min(0.8, 0.5 + c.recovered * 0.1),
    successRate: Math.min(1, c.recovered / total),
    firstSeen: c.firstSeen,
    lastSeen: Math.max(c.lastSeen, c.lastRecovered),
    tags: [`error:${code}`, ...top(c.validationTypes, 3).map((t) => `validation:${t}`), ...top(c.scores, 5).map((s) => `score:${s}`)],
    requires: [],
  };
}

/** What an agent can do about each kind of failure. */
const REASON_ADVICE: Readonly<Record<string, string>> = {
  'file not created': 'create every file the requirements name, at exactly that path',
  'file not modified': 'the files named must change during this attempt, even when their content already looks right',
  'pattern not found': 'make sure the files contain the exact text the requirements give, spelling and case included',
  'command failed': "run each requirement's command yourself before finishing and fix what it reports",
  timeout: 'keep the commands a check runs short: a check that runs too long fails',
};

function semanticPattern(reason: string, r: ReasonStats): Observed | undefined {
  if (r.count < MIN_FREQUENCY) return undefined;
  const advice = REASON_ADVICE[reason];
  return {
    kind: 'semantic_failure',
    key: reason,
    name: reason,
    description: `'${reason}' failures are common (${r.count}×)${advice ? `: ${advice}` : ''}`,
    frequency: r.count,
    confidence: Math.min(0.85, 0.5 + r.count * 0.1),
    successRate: 0,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    tags: [`reason:${reason}`, ...top(r.validationTypes, 3).map((t) => `validation:${t}`), ...top(r.scores, 5).map((s) => `score:${s}`)],
    requires: [],
  };
}

/** Adds the measures (applications, effectiveness, trust, priority, status) to an observation. */
function measured(o: Observed, agg: Aggregate, state: LearningState, now: number): Pattern {
  const id = patternId(o.kind, o.key);
  const a = agg.applications[id];
  const status = statusOf(state, id);
  const eff = effectiveness(a, now);
  const reason = state.statuses[id]?.reason;
  return {
    ...o,
    id,
    applications: a?.applications ?? 0,
    successes: a?.successes ?? 0,
    ...(a ? { lastApplied: a.lastApplied } : {}),
    effectiveness: eff,
    trust: trust(a, status, now),
    priority: priority(eff, o.frequency),
    status,
    ...(reason ? { statusReason: reason } : {}),
  };
}

/**
 * The patterns the totals show. With `scoreId`, only that score's own patterns and the ones shared
 * by all scores (retry success, semantic failures): what can apply to one of its sheets.
 */
export function detectPatterns(agg: Aggregate, state: LearningState, now: number, scoreId?: string): Pattern[] {
  const observed: Observed[] = [];
  const scores = scoreId === undefined ? Object.entries(agg.scores) : agg.scores[scoreId] ? [[scoreId, agg.scores[scoreId]] as const] : [];
  for (const [id, s] of scores) observed.push(...scorePatterns(id, s));
  for (const [code, c] of Object.entries(agg.codes)) {
    const p = retryPattern(code, c);
    if (p) observed.push(p);
  }
  for (const [reason, r] of Object.entries(agg.reasons)) {
    const p = semanticPattern(reason, r);
    if (p) observed.push(p);
  }
  return observed.map((o) => measured(o, agg, state, now));
}

/** How many patterns {@link detectPatterns} would return for all scores, without building them. */
export function countPatterns(agg: Aggregate): number {
  let n = 0;
  for (const s of Object.values(agg.scores)) {
    for (const r of Object.values(s.rules)) if (r.failures >= MIN_FREQUENCY) n++;
    if (s.completionAttempts >= MIN_FREQUENCY) n++;
    if (s.firstPasses >= MIN_FIRST_ATTEMPT_PASSES && s.firstAttempts > 0) n++;
  }
  for (const c of Object.values(agg.codes)) if (c.recovered >= MIN_FREQUENCY) n++;
  for (const r of Object.values(agg.reasons)) if (r.count >= MIN_FREQUENCY) n++;
  return n;
}
