// Answers to the learning methods (`patterns-list`, `learning-stats`, …): views of the hub's totals
// and decisions, in the protocol's types. Pure functions of what the hub holds and the clock.
import type {
  AppliedPattern,
  BudgetReport,
  DriftParams,
  DriftReport,
  EffectivenessDrift,
  EntropyStatusReport,
  EpistemicDrift,
  LearningActivity,
  LearningStats,
  PatternKind,
  PatternListParams,
  PatternStatus,
  PatternView,
} from '../../../protocol/src/learning.js';
import { PATTERN_KINDS, PATTERN_STATUSES } from '../../../protocol/src/learning.js';
import type { Aggregate } from './aggregate.js';
import type { LearningState } from './decisions.js';
import { activeRateLimits } from './decisions.js';
import type { Pattern } from './detect.js';
import { detectPatterns } from './detect.js';
import { effectivenessDrift, epistemicDrift } from './drift.js';
import { AUTO_VALIDATE_TRUST } from './scoring.js';

/** What the queries read. */
export interface LearningSnapshot {
  aggregate: Aggregate;
  state: LearningState;
  now: number;
  store: { path: string; outcomes: number; damagedLines: number; oldest?: number; newest?: number; maxOutcomes: number; maxAgeDays: number };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A detected pattern as the protocol shows it. */
export function patternView(p: Pattern): PatternView {
  return {
    id: p.id,
    kind: p.kind,
    name: p.name,
    description: p.description,
    frequency: p.frequency,
    confidence: p.confidence,
    effectiveness: p.effectiveness,
    priority: p.priority,
    trust: p.trust,
    status: p.status,
    ...(p.statusReason ? { statusReason: p.statusReason } : {}),
    applications: p.applications,
    successes: p.successes,
    firstSeen: iso(p.firstSeen),
    lastSeen: iso(p.lastSeen),
    ...(p.lastApplied ? { lastApplied: iso(p.lastApplied) } : {}),
    tags: p.tags,
    autoApplyEligible: p.trust >= AUTO_VALIDATE_TRUST && p.status === 'validated',
    ...(p.scoreName ? { score: p.scoreName } : {}),
  };
}

/** Every pattern, highest priority first (then most frequent). */
export function allPatterns(s: LearningSnapshot): Pattern[] {
  return detectPatterns(s.aggregate, s.state, s.now).sort((a, b) => b.priority - a.priority || b.frequency - a.frequency || a.id.localeCompare(b.id));
}

/** `patterns-list`: the patterns matching the filters. */
export function listPatterns(s: LearningSnapshot, q: PatternListParams): PatternView[] {
  return allPatterns(s)
    .filter((p) => p.priority >= (q.minPriority ?? 0))
    .filter((p) => (q.status ? p.status === q.status : true))
    .filter((p) => (q.minTrust !== undefined ? p.trust >= q.minTrust : true))
    .filter((p) => (q.maxTrust !== undefined ? p.trust <= q.maxTrust : true))
    .filter((p) => (q.kind ? p.kind === q.kind : true))
    .slice(0, q.limit ?? 20)
    .map(patternView);
}

/** Finds one pattern by id or unique prefix; throws with the candidates when ambiguous or unknown. */
export function findPattern(s: LearningSnapshot, prefix: string): Pattern {
  const matches = allPatterns(s).filter((p) => p.id.startsWith(prefix));
  if (matches.length === 1) return matches[0] as Pattern;
  if (matches.length === 0) throw new Error(`No pattern found with an id starting with '${prefix}'. 'mozart patterns-list' shows their ids.`);
  throw new Error(`Several patterns match '${prefix}': ${matches.slice(0, 5).map((p) => `${p.id} (${p.name})`).join(', ')}. Give more characters of the id.`);
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

export function learningStats(s: LearningSnapshot): LearningStats {
  const a = s.aggregate;
  const patterns = allPatterns(s);
  const byKind = Object.fromEntries(PATTERN_KINDS.map((k) => [k, 0])) as Record<PatternKind, number>;
  const byStatus = Object.fromEntries(PATTERN_STATUSES.map((k) => [k, 0])) as Record<PatternStatus, number>;
  for (const p of patterns) {
    byKind[p.kind]++;
    byStatus[p.status]++;
  }
  const recoveries = a.recoveries.passed + a.recoveries.failed;
  return {
    store: { path: s.store.path, outcomes: s.store.outcomes, ...(s.store.oldest ? { oldest: iso(s.store.oldest) } : {}), ...(s.store.newest ? { newest: iso(s.store.newest) } : {}), maxOutcomes: s.store.maxOutcomes, maxAgeDays: s.store.maxAgeDays, damagedLines: s.store.damagedLines },
    executions: { total: a.attempts, firstAttempts: a.firstAttempts, firstAttemptPassRate: a.firstAttempts ? a.firstPasses / a.firstAttempts : 0, passRate: a.attempts ? a.passes / a.attempts : 0 },
    patterns: { total: patterns.length, byKind, byStatus, avgEffectiveness: mean(patterns.map((p) => p.effectiveness)) },
    scores: Object.keys(a.scores).length,
    workspaces: Object.keys(a.workspaces).length,
    errorRecoveries: { total: recoveries, successRate: recoveries ? a.recoveries.passed / recoveries : 0 },
    rateLimits: { recorded: s.state.rateLimits.length, active: activeRateLimits(s.state, s.now).map((r) => ({ backend: r.backend, until: iso(r.until), code: r.code })) },
  };
}

/** `learning-activity`: the last `hours`, and the hours of day when first attempts pass best and worst. */
export function learningActivity(s: LearningSnapshot, hours: number): LearningActivity {
  const a = s.aggregate;
  const from = Math.floor(s.now / 3_600_000) - hours + 1;
  let attempts = 0;
  let firstAttempts = 0;
  let firstPasses = 0;
  let applications = 0;
  for (const [key, b] of Object.entries(a.buckets)) {
    if (Number(key) < from) continue;
    attempts += b.attempts;
    firstAttempts += b.firstAttempts;
    firstPasses += b.firstPasses;
    applications += b.applications;
  }
  const hoursWithData = a.hourOfDay.map(([n, ok], hour) => ({ hour, n, rate: n > 0 ? ok / n : 0 })).filter((h) => h.n >= 3);
  const overall = a.firstAttempts ? a.firstPasses / a.firstAttempts : 0;
  const samples = hoursWithData.reduce((n, h) => n + h.n, 0);
  const patterns = allPatterns(s);
  return {
    hours,
    attempts,
    firstAttempts,
    firstAttemptPassRate: firstAttempts ? firstPasses / firstAttempts : 0,
    applications,
    patternsActive: patterns.filter((p) => p.status !== 'quarantined' && p.status !== 'retired').length,
    avgEffectiveness: mean(patterns.map((p) => p.effectiveness)),
    optimalHours: hoursWithData.filter((h) => h.rate >= overall + 0.1).map((h) => h.hour),
    avoidHours: hoursWithData.filter((h) => h.rate <= overall - 0.1).map((h) => h.hour),
    schedulingConfidence: Math.min(1, samples / 100) * Math.min(1, hoursWithData.length / 6),
    sampleCount: samples,
    totalOutcomes: s.store.outcomes,
  };
}

function driftReport<T extends { patternId: string; name: string }>(s: LearningSnapshot, q: DriftParams, defaults: { threshold: number }, measure: (p: Pattern, window: number, threshold: number) => { drift: T; exceeded: boolean } | undefined, magnitude: (d: T) => number, entropyOf?: (d: T) => number): DriftReport<T> {
  const threshold = q.threshold ?? defaults.threshold;
  const window = q.window ?? 5;
  const patterns = allPatterns(s);
  const measured = patterns.map((p) => measure(p, window, threshold)).filter((m): m is { drift: T; exceeded: boolean } => m !== undefined);
  const drifting = measured.filter((m) => m.exceeded).map((m) => m.drift);
  drifting.sort((a, b) => magnitude(b) - magnitude(a));
  const most = [...measured].sort((a, b) => magnitude(b.drift) - magnitude(a.drift))[0];
  return {
    threshold,
    window,
    patterns: drifting.slice(0, q.limit ?? 10),
    summary: {
      totalPatterns: patterns.length,
      analysed: measured.length,
      drifting: drifting.length,
      avgMagnitude: mean(measured.map((m) => magnitude(m.drift))),
      ...(entropyOf ? { avgEntropy: mean(measured.map((m) => entropyOf(m.drift))) } : {}),
      ...(most ? { most: most.drift.name } : {}),
    },
  };
}

export function learningDrift(s: LearningSnapshot, q: DriftParams): DriftReport<EffectivenessDrift> {
  return driftReport(s, q, { threshold: 0.2 }, (p, w, t) => effectivenessDrift(p.id, p.name, s.aggregate.applications[p.id]?.recent ?? [], w, t), (d) => d.magnitude);
}

export function learningEpistemicDrift(s: LearningSnapshot, q: DriftParams): DriftReport<EpistemicDrift> {
  return driftReport(s, q, { threshold: 0.15 }, (p, w, t) => epistemicDrift(p.id, p.name, s.aggregate.applications[p.id]?.recent ?? [], w, t), (d) => Math.abs(d.beliefChange), (d) => d.beliefEntropy);
}

export function budgetReport(s: LearningSnapshot, job: string | undefined, limit: number): BudgetReport {
  const records = s.state.budgets.filter((b) => job === undefined || b.job === job);
  const values = records.map((b) => b.value);
  const count = (kind: string) => records.filter((b) => b.kind === kind).length;
  const current = records[records.length - 1];
  return {
    ...(current ? { current } : {}),
    history: records.slice(-limit).reverse(),
    statistics: { avg: mean(values), min: values.length ? Math.min(...values) : 0, max: values.length ? Math.max(...values) : 0, adjustments: records.length, floorEnforcements: count('floor_enforced'), boosts: count('boost'), decays: count('decay') },
  };
}

export function entropyStatus(s: LearningSnapshot, job: string | undefined, limit: number): EntropyStatusReport {
  const records = s.state.responses.filter((r) => job === undefined || r.job === job);
  const last = records[records.length - 1];
  return {
    statistics: { responses: records.length, avgEntropy: mean(records.map((r) => r.entropy)), budgetBoosts: records.filter((r) => r.budgetBoosted).length, quarantineRevisits: records.reduce((n, r) => n + r.revisited.length, 0), ...(last ? { lastResponse: last.at } : {}) },
    ...(last ? { last } : {}),
    history: records.slice(-limit).reverse(),
  };
}

/** The patterns in the latest prompt of a job's sheet, with how each has done since. */
export function sheetPatterns(s: LearningSnapshot, jobId: string, sheet: number): AppliedPattern[] {
  const last = s.aggregate.lastBySheet[`${jobId}#${sheet}`];
  if (!last || last.patterns.length === 0) return [];
  const byId = new Map(allPatterns(s).map((p) => [p.id, p]));
  return last.patterns.flatMap((id) => {
    const p = byId.get(id);
    if (!p) return []; // no longer in the outcomes kept
    return [{ id, kind: p.kind, description: p.description, status: p.status, trust: p.trust, effectiveness: p.effectiveness, applications: p.applications, successes: p.successes, explored: last.explored.includes(id) }];
  });
}
