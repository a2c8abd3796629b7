// What the learning commands print: `--json` in the original's field names, and text tables.
// Pure functions from the conductor's answers to lines.
import type {
  BudgetRecord,
  BudgetReport,
  DriftReport,
  EffectivenessDrift,
  EntropyMeasure,
  EntropyResponseRecord,
  EntropyStatusReport,
  EpistemicDrift,
  LearningActivity,
  LearningStats,
  PatternKind,
  PatternView,
  PatternWhy,
} from '../../../protocol/src/learning.js';
import { PATTERN_KINDS } from '../../../protocol/src/learning.js';
import { c } from './follow.js';

export const KINDS = PATTERN_KINDS;
export const isPatternKind = (x: unknown): x is PatternKind => typeof x === 'string' && (PATTERN_KINDS as readonly string[]).includes(x);

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;
const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const when = (iso: string): string => iso.replace('T', ' ').slice(0, 19);

/** Columns padded to their widest cell (after colour codes are ignored). */
function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const width = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(cell)));
        return right.has(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [c.bold(line(header)), ...rows.map(line)];
}

const scoreColour = (x: number, good: number, fair: number) => (x > good ? c.green : x > fair ? c.yellow : c.red);

// patterns-list / learning-insights

export function patternJson(p: PatternView) {
  return {
    id: p.id,
    pattern_type: p.kind,
    pattern_name: p.name,
    description: p.description,
    occurrence_count: p.frequency,
    effectiveness_score: r3(p.effectiveness),
    priority_score: r3(p.priority),
    context_tags: p.tags,
    quarantine_status: p.status,
    trust_score: r3(p.trust),
    confidence: r3(p.confidence),
    applications: p.applications,
    successes: p.successes,
    first_seen: p.firstSeen,
    last_seen: p.lastSeen,
    last_applied: p.lastApplied ?? null,
    auto_apply_eligible: p.autoApplyEligible,
    score: p.score ?? null,
    ...(p.statusReason ? { quarantine_reason: p.statusReason } : {}),
  };
}

export function patternsText(patterns: PatternView[]): string[] {
  if (patterns.length === 0) return [c.dim('No patterns found in global learning store.'), '', c.dim('Hint: Patterns are learned from job executions. Run jobs with learning enabled to build patterns.')];
  const statusColour = { pending: c.dim, quarantined: c.red, validated: c.green, retired: c.dim } as const;
  const rows = patterns.map((p) => [
    c.cyan(p.id.slice(0, 10)),
    clip(p.kind, 21),
    clip(p.name, 24),
    statusColour[p.status](p.status),
    scoreColour(p.trust, 0.69, 0.39)(p.trust.toFixed(2)),
    p.autoApplyEligible ? c.green('⚡') : '',
    String(p.frequency),
    scoreColour(p.effectiveness, 0.7, 0.4)(p.effectiveness.toFixed(2)),
    p.priority.toFixed(2),
    when(p.lastSeen),
  ]);
  return [c.bold('Global Learning Patterns'), ...table(['ID', 'Type', 'Name', 'Status', 'Trust', 'Auto', 'Count', 'Effect', 'Prior', 'Last seen'], rows, new Set([4, 6, 7, 8])), '', c.dim(`Showing ${patterns.length} pattern(s)`)];
}

export function insightsText(patterns: PatternView[]): string[] {
  if (patterns.length === 0) return [c.bold('Learning Insights'), '', c.dim('No patterns learned yet. Run some jobs!')];
  const rows = patterns.map((p) => [p.kind, clip(p.description, 60), String(p.frequency), p.applications >= 3 ? pct(p.effectiveness, 0) : '-']);
  return [c.bold('Learning Insights'), '', ...table(['Type', 'Description', 'Freq', 'Effectiveness'], rows, new Set([2, 3]))];
}

// patterns-why

export function whyJson(w: PatternWhy | undefined) {
  if (!w) return {};
  return {
    pattern_name: w.pattern.name,
    pattern_type: w.pattern.kind,
    has_factors: w.hasFactors,
    trust_score: r3(w.pattern.trust),
    effectiveness_score: r3(w.pattern.effectiveness),
    factors_summary: w.factorsSummary,
    key_conditions: w.keyConditions,
    confidence: r3(w.confidence),
    recommendations: w.recommendations,
    observation_count: w.observations,
    success_rate: r3(w.successRate),
    factors: w.factors,
  };
}

export function whyText(w: PatternWhy | undefined): string[] {
  if (!w) return [];
  const lines = [c.bold('WHY Analysis'), `${c.bold(w.pattern.name)}`, c.dim(`Type: ${w.pattern.kind}   Id: ${w.pattern.id}`)];
  if (!w.hasFactors) return [...lines, '', c.yellow('No success factors captured yet.'), c.dim('Apply this pattern to successful executions to capture WHY it works.')];
  lines.push('', c.bold('Factors Summary'), `  ${w.factorsSummary}`);
  if (w.keyConditions.length) lines.push('', c.bold('Key Conditions'), ...w.keyConditions.map((k) => `  • ${k}`));
  lines.push('', c.bold('Metrics'), `  Observations    ${w.observations}`, `  Success Rate    ${pct(w.successRate)}`, `  Confidence      ${w.confidence.toFixed(2)}`, `  Trust Score     ${w.pattern.trust.toFixed(2)}`, `  Effectiveness   ${w.pattern.effectiveness.toFixed(2)}`);
  if (w.recommendations.length) lines.push('', c.bold('Recommendations'), ...w.recommendations.map((r) => `  → ${r}`));
  return lines;
}

export function whyListText(results: PatternWhy[], minObs: number): string[] {
  if (results.length === 0) return [c.yellow('No patterns with captured success factors found.'), c.dim('Success factors are captured when patterns lead to successful executions.')];
  const rows = results.map((w) => [clip(w.pattern.name, 30), String(w.observations), pct(w.successRate, 0), w.confidence.toFixed(2), clip(w.keyConditions[0] ?? w.factorsSummary, 40)]);
  return [`${c.bold('Patterns with WHY Analysis')} ${c.dim(`(${results.length} patterns with ≥${minObs} observations)`)}`, '', ...table(['Pattern', 'Obs', 'Success%', 'Confidence', 'Key Insight'], rows, new Set([1, 2, 3])), '', c.dim("Use 'mozart patterns-why <id>' for detailed analysis.")];
}

// patterns-entropy

export function entropyJson(m: EntropyMeasure) {
  return {
    calculated_at: m.at,
    shannon_entropy: r4(m.shannonEntropy),
    max_possible_entropy: r4(m.maxEntropy),
    diversity_index: r4(m.diversity),
    unique_pattern_count: m.uniquePatterns,
    effective_pattern_count: m.effectivePatterns,
    total_applications: m.applications,
    dominant_pattern_share: r4(m.dominantShare),
    threshold_exceeded: m.alert,
  };
}

export function entropyText(m: EntropyMeasure, threshold: number, recorded: boolean): string[] {
  const lines = recorded ? [c.green('Recorded entropy snapshot.'), ''] : [];
  lines.push(c.bold('Pattern Population Entropy'), '');
  if (m.applications === 0) return [...lines, c.dim('No pattern applications yet.'), '', c.dim('Hint: Run jobs with learning enabled to build patterns.')];
  const div = m.diversity >= threshold ? c.green : c.red;
  const dom = m.dominantShare > 0.5 ? c.red : m.dominantShare > 0.3 ? c.yellow : c.green;
  lines.push(`  Shannon Entropy (H): ${c.cyan(m.shannonEntropy.toFixed(4))} bits`, `  Max Possible (H_max): ${m.maxEntropy.toFixed(4)} bits`, `  Diversity Index: ${div(m.diversity.toFixed(4))} (threshold: ${threshold})`, '');
  lines.push(`  Unique Patterns: ${m.uniquePatterns}`, `  Effective Patterns: ${m.effectivePatterns} (with ≥1 application)`, `  Total Applications: ${m.applications}`, `  Dominant Pattern Share: ${dom(pct(m.dominantShare))}`, '');
  if (m.alert) lines.push(c.red(c.bold('⚠ LOW DIVERSITY ALERT')), c.red('Pattern population shows low diversity - model collapse risk!'), c.dim('Consider reviewing dominant patterns and encouraging exploration.'));
  else if (m.dominantShare > 0.5) lines.push(c.yellow('⚠ Single pattern holds >50% of applications'), c.dim('Monitor for further concentration.'));
  else lines.push(c.green('✓ Healthy pattern diversity'));
  return lines;
}

export function entropyHistoryText(history: EntropyMeasure[], threshold: number): string[] {
  if (history.length === 0) return [c.dim('No entropy history found.'), '', c.dim('Hint: Use --record to start tracking entropy over time.')];
  const rows = history.map((m) => [when(m.at), m.shannonEntropy.toFixed(3), (m.diversity >= threshold ? c.green : c.red)(m.diversity.toFixed(3)), String(m.uniquePatterns), String(m.effectivePatterns), String(m.applications), pct(m.dominantShare)]);
  return [c.bold('Pattern Entropy History'), ...table(['Time', 'Shannon H', 'Diversity', 'Unique', 'Effective', 'Applications', 'Dominant %'], rows, new Set([1, 2, 3, 4, 5, 6])), '', c.dim(`Showing ${history.length} record(s)`)];
}

// patterns-budget

export function budgetJson(b: BudgetRecord) {
  return { job_hash: b.job, recorded_at: b.at, budget_value: r4(b.value), entropy_at_time: b.entropy !== undefined ? r4(b.entropy) : null, adjustment_type: b.kind, adjustment_reason: b.reason };
}

export function budgetReportJson(r: BudgetReport) {
  const s = r.statistics;
  return {
    current: { budget_value: r.current ? r4(r.current.value) : null, entropy_at_time: r.current?.entropy !== undefined ? r4(r.current.entropy) : null, adjustment_type: r.current?.kind ?? null, recorded_at: r.current?.at ?? null },
    statistics: { avg_budget: r4(s.avg), min_budget: r4(s.min), max_budget: r4(s.max), total_adjustments: s.adjustments, floor_enforcements: s.floorEnforcements, boost_count: s.boosts, decay_count: s.decays },
  };
}

const HINT_BUDGET = [c.dim('Hint: Enable exploration_budget in learning config:'), c.dim('  learning:'), c.dim('    exploration_budget:'), c.dim('      enabled: true')];

export function budgetText(r: BudgetReport): string[] {
  const lines = [c.bold('Exploration Budget Status'), ''];
  const b = r.current;
  if (!b) return [...lines, c.dim('No budget records found.'), '', ...HINT_BUDGET];
  const [colour, label] = b.value <= 0.1 ? [c.yellow, 'Low (near floor)'] : b.value >= 0.3 ? [c.cyan, 'High (exploring)'] : [c.green, 'Normal'];
  lines.push(`  Current Budget: ${colour(pct(b.value))} (${label})`);
  if (b.entropy !== undefined) lines.push(`  Entropy at Last Check: ${(b.entropy < 0.3 ? c.red : c.green)(b.entropy.toFixed(4))}`);
  lines.push(`  Last Adjustment: ${b.kind}`, `  Last Updated: ${when(b.at)}   Job: ${b.job}`, '');
  const s = r.statistics;
  lines.push(c.bold('Statistics'), `  Average Budget: ${pct(s.avg)}`, `  Range: ${pct(s.min)} - ${pct(s.max)}`, `  Total Adjustments: ${s.adjustments}`, `    Boosts: ${s.boosts} | Decays: ${s.decays} | Floor Enforced: ${s.floorEnforcements}`, '');
  if (s.floorEnforcements > s.adjustments * 0.3) lines.push(c.yellow('⚠ Budget frequently hitting floor'), c.dim('Consider lowering entropy threshold or increasing boost amount.'));
  else if (s.boosts > s.decays * 2) lines.push(c.cyan('ℹ Frequent boosts - entropy may be consistently low'), c.dim('This may indicate pattern concentration issues.'));
  else lines.push(c.green('✓ Budget adjusting normally'));
  return lines;
}

export function budgetHistoryText(history: BudgetRecord[]): string[] {
  if (history.length === 0) return [c.dim('No budget history found.'), '', c.dim('Hint: Enable exploration_budget in learning config to start tracking.')];
  const rows = history.map((b) => [when(b.at), pct(b.value), b.entropy !== undefined ? b.entropy.toFixed(3) : '—', b.kind, b.job, clip(b.reason, 45)]);
  return [c.bold('Exploration Budget History'), ...table(['Time', 'Budget', 'Entropy', 'Type', 'Job', 'Reason'], rows, new Set([1, 2])), '', c.dim(`Showing ${history.length} record(s)`)];
}

// learning-stats / learning-activity

export function statsJson(s: LearningStats) {
  return {
    executions: { total: s.executions.total, first_attempts: s.executions.firstAttempts, success_without_retry_rate: Math.round(s.executions.firstAttemptPassRate * 1000) / 10, pass_rate: Math.round(s.executions.passRate * 1000) / 10 },
    patterns: { total: s.patterns.total, avg_effectiveness: r3(s.patterns.avgEffectiveness), by_type: s.patterns.byKind, by_status: s.patterns.byStatus },
    workspaces: { unique: s.workspaces },
    scores: { unique: s.scores },
    error_recoveries: { total: s.errorRecoveries.total, success_rate: Math.round(s.errorRecoveries.successRate * 1000) / 10 },
    rate_limits: { recorded: s.rateLimits.recorded, active: s.rateLimits.active },
    store: { path: s.store.path, outcomes: s.store.outcomes, oldest: s.store.oldest ?? null, newest: s.store.newest ?? null, max_outcomes: s.store.maxOutcomes, max_age_days: s.store.maxAgeDays, damaged_lines: s.store.damagedLines },
    migration_needed: false,
  };
}

export function statsText(s: LearningStats): string[] {
  const first = s.executions.firstAttemptPassRate;
  return [
    c.bold('Global Learning Statistics'),
    '',
    c.cyan(c.bold('Executions')),
    `  Total recorded: ${c.green(String(s.executions.total))} attempts (${s.executions.firstAttempts} first attempts)`,
    `  First-attempt success: ${(first > 0.7 ? c.green : c.yellow)(pct(first))}`,
    '',
    c.cyan(c.bold('Patterns')),
    `  Total learned: ${c.yellow(String(s.patterns.total))}  (${Object.entries(s.patterns.byKind).map(([k, n]) => `${k} ${n}`).join(', ')})`,
    `  Quarantined: ${s.patterns.byStatus.quarantined}  Validated: ${s.patterns.byStatus.validated}`,
    `  Avg effectiveness: ${(s.patterns.avgEffectiveness > 0.6 ? c.green : c.yellow)(s.patterns.avgEffectiveness.toFixed(2))}`,
    '',
    c.cyan(c.bold('Data Sources')),
    `  Error code patterns: ${s.patterns.byKind.retry_success}`,
    `  Semantic failure patterns: ${s.patterns.byKind.semantic_failure}`,
    '',
    c.cyan(c.bold('Workspaces')),
    `  Unique workspaces: ${s.workspaces}   Unique scores: ${s.scores}`,
    '',
    c.cyan(c.bold('Error Recovery Learning')),
    `  Recoveries recorded: ${s.errorRecoveries.total}`,
    `  Recovery success rate: ${(s.errorRecoveries.successRate > 0.7 ? c.green : c.yellow)(pct(s.errorRecoveries.successRate))}`,
    '',
    c.cyan(c.bold('Rate Limits')),
    `  Recorded: ${s.rateLimits.recorded}${s.rateLimits.active.length ? `; in force: ${s.rateLimits.active.map((r) => `${r.backend} until ${when(r.until)}`).join(', ')}` : ''}`,
    '',
    c.cyan(c.bold('Store')),
    `  ${s.store.path}: ${s.store.outcomes} outcomes kept (at most ${s.store.maxOutcomes}, ${s.store.maxAgeDays} days)${s.store.damagedLines ? c.yellow(`; ${s.store.damagedLines} unreadable line(s) skipped`) : ''}`,
  ];
}

export function activityJson(a: LearningActivity) {
  return {
    period_hours: a.hours,
    recent_executions: a.attempts,
    success_without_retry_rate: Math.round(a.firstAttemptPassRate * 1000) / 10,
    patterns_active: a.patternsActive,
    pattern_applications: a.applications,
    optimal_hours: a.optimalHours,
    avoid_hours: a.avoidHours,
    scheduling_confidence: Math.round(a.schedulingConfidence * 100) / 100,
  };
}

export function activityText(a: LearningActivity): string[] {
  const hours = (hs: number[]) => hs.map((h) => `${String(h).padStart(2, '0')}:00`).join(', ');
  const lines = [c.bold(`Learning Activity (last ${a.hours} hours)`), '', c.cyan(c.bold('Recent Executions')), `  Executions in period: ${c.green(String(a.attempts))}`, `  First-attempt success: ${(a.firstAttemptPassRate > 0.7 ? c.green : c.yellow)(pct(a.firstAttemptPassRate))}`, '', c.cyan(c.bold('Pattern Application'))];
  if (a.patternsActive > 0) lines.push(`  Active patterns: ${c.yellow(String(a.patternsActive))}`, `  Applications in period: ${a.applications}`, `  Avg effectiveness: ${a.avgEffectiveness.toFixed(2)}`);
  else lines.push(c.dim('  No patterns learned yet'));
  lines.push('', c.cyan(c.bold('Optimal Execution Windows')));
  if (a.schedulingConfidence > 0.3) {
    if (a.optimalHours.length) lines.push(`  ${c.green('✓ Best hours:')} ${hours(a.optimalHours)}`);
    if (a.avoidHours.length) lines.push(`  ${c.red('✗ Avoid hours:')} ${hours(a.avoidHours)}`);
    lines.push(`  Confidence: ${pct(a.schedulingConfidence, 0)} (based on ${a.sampleCount} samples)`);
  } else lines.push(c.dim('  Insufficient data for scheduling recommendations'));
  lines.push('', c.cyan(c.bold('Learning Status')));
  if (a.totalOutcomes >= 50) lines.push(c.green('  ✓ Learning system is well-trained'));
  else if (a.totalOutcomes >= 10) lines.push(c.yellow('  ○ Learning system is gathering data'));
  else lines.push(c.dim('  ○ Learning system is in early training'));
  return lines;
}

// learning-drift / learning-epistemic-drift

export function driftJson(r: DriftReport<EffectivenessDrift>) {
  return {
    threshold: r.threshold,
    window_size: r.window,
    patterns: r.patterns.map((m) => ({ pattern_id: m.patternId, pattern_name: m.name, effectiveness_before: r3(m.before), effectiveness_after: r3(m.after), drift_magnitude: r3(m.magnitude), drift_direction: m.direction, grounding_confidence_avg: r3(m.confidenceAvg), applications_analyzed: m.applications })),
  };
}

export function driftSummaryJson(r: DriftReport<EffectivenessDrift>) {
  return { total_patterns: r.summary.totalPatterns, patterns_analyzed: r.summary.analysed, patterns_drifting: r.summary.drifting, avg_drift_magnitude: r3(r.summary.avgMagnitude), most_drifted: r.summary.most ?? null };
}

export function driftSummaryText(r: DriftReport<EffectivenessDrift>): string[] {
  const s = r.summary;
  return [c.bold('Pattern Drift Summary'), '', `  Total patterns: ${s.totalPatterns}`, `  Patterns analyzed: ${s.analysed}`, `  Patterns drifting: ${(s.drifting > 0 ? c.red : c.green)(String(s.drifting))}`, `  Avg drift magnitude: ${s.avgMagnitude.toFixed(3)}`, ...(s.most ? [`  Most drifted pattern: ${s.most}`] : [])];
}

export function driftText(r: DriftReport<EffectivenessDrift>): string[] {
  const head = [c.bold(`Patterns with Drift > ${pct(r.threshold, 0)}`), c.dim(`Window size: ${r.window} applications per period`), ''];
  if (r.patterns.length === 0) return [...head, c.green('✓ No patterns exceeding drift threshold'), c.dim('All patterns are stable or improving')];
  const dir = { negative: c.red('↓ declining'), positive: c.green('↑ improving'), stable: c.dim('→ stable') };
  const rows = r.patterns.map((m) => [clip(m.name, 30), pct(m.before), pct(m.after), (m.magnitude > 0.3 ? c.red : c.yellow)(pct(m.magnitude)), dir[m.direction], pct(m.confidenceAvg)]);
  const declining = r.patterns.filter((m) => m.direction === 'negative').length;
  return [...head, ...table(['Pattern', 'Before', 'After', 'Drift', 'Direction', 'Confidence'], rows, new Set([1, 2, 3, 5])), ...(declining ? ['', c.yellow(`⚠ ${declining} pattern(s) showing declining effectiveness`), c.dim('Consider reviewing these patterns for deprecation')] : [])];
}

export function epistemicJson(r: DriftReport<EpistemicDrift>) {
  return {
    threshold: r.threshold,
    window_size: r.window,
    patterns: r.patterns.map((m) => ({ pattern_id: m.patternId, pattern_name: m.name, confidence_before: r3(m.confidenceBefore), confidence_after: r3(m.confidenceAfter), belief_change: r3(m.beliefChange), belief_entropy: r3(m.beliefEntropy), drift_direction: m.direction, applications_analyzed: m.applications })),
  };
}

export function epistemicSummaryJson(r: DriftReport<EpistemicDrift>) {
  return { total_patterns: r.summary.totalPatterns, patterns_analyzed: r.summary.analysed, patterns_with_epistemic_drift: r.summary.drifting, avg_belief_change: r3(r.summary.avgMagnitude), avg_belief_entropy: r3(r.summary.avgEntropy ?? 0), most_unstable: r.summary.most ?? null };
}

export function epistemicSummaryText(r: DriftReport<EpistemicDrift>): string[] {
  const s = r.summary;
  return [c.bold('Epistemic Drift Summary'), '', `  Total patterns: ${s.totalPatterns}`, `  Patterns analyzed: ${s.analysed}`, `  Patterns with drift: ${(s.drifting > 0 ? c.red : c.green)(String(s.drifting))}`, `  Avg belief change: ${s.avgMagnitude.toFixed(3)}`, `  Avg belief entropy: ${(s.avgEntropy ?? 0).toFixed(3)}`, ...(s.most ? [`  Most unstable pattern: ${s.most}`] : [])];
}

export function epistemicText(r: DriftReport<EpistemicDrift>): string[] {
  const head = [c.bold(`Patterns with Epistemic Drift > ${pct(r.threshold, 0)}`), c.dim(`Window size: ${r.window} applications per period`), ''];
  if (r.patterns.length === 0) return [...head, c.green('✓ No patterns exceeding epistemic drift threshold'), c.dim('All pattern beliefs are stable')];
  const dir = { weakening: c.red('↓ weakening'), strengthening: c.green('↑ strengthening'), stable: c.dim('→ stable') };
  const rows = r.patterns.map((m) => [clip(m.name, 30), pct(m.confidenceBefore), pct(m.confidenceAfter), (Math.abs(m.beliefChange) > 0.2 ? c.red : c.yellow)(`${m.beliefChange >= 0 ? '+' : ''}${pct(m.beliefChange)}`), dir[m.direction], m.beliefEntropy.toFixed(2)]);
  const weakening = r.patterns.filter((m) => m.direction === 'weakening').length;
  const unsteady = r.patterns.filter((m) => m.beliefEntropy > 0.3).length;
  return [
    ...head,
    ...table(['Pattern', 'Conf Before', 'Conf After', 'Change', 'Direction', 'Entropy'], rows, new Set([1, 2, 3, 5])),
    ...(weakening ? ['', c.yellow(`⚠ ${weakening} pattern(s) showing weakening confidence`), c.dim('These patterns may need investigation before effectiveness declines')] : []),
    ...(unsteady ? ['', c.yellow(`⚠ ${unsteady} pattern(s) with high belief entropy`), c.dim('Inconsistent confidence suggests unstable pattern application')] : []),
  ];
}

// entropy-status

export function responseJson(r: EntropyResponseRecord) {
  return { job_hash: r.job, recorded_at: r.at, entropy_at_trigger: r4(r.entropy), threshold_used: r4(r.threshold), actions_taken: r.actions, budget_boosted: r.budgetBoosted, quarantine_revisits: r.revisited.length, patterns_revisited: r.revisited };
}

export function entropyStatusJson(r: EntropyStatusReport) {
  const s = r.statistics;
  return {
    statistics: { total_responses: s.responses, avg_entropy_at_trigger: r4(s.avgEntropy), budget_boosts: s.budgetBoosts, quarantine_revisits: s.quarantineRevisits, last_response: s.lastResponse ?? null },
    last_response: r.last ? { entropy_at_trigger: r4(r.last.entropy), threshold_used: r4(r.last.threshold), actions_taken: r.last.actions, recorded_at: r.last.at } : null,
  };
}

export function entropyCheckText(check: NonNullable<EntropyStatusReport['check']>): string[] {
  const lines = [c.bold('Entropy Response Check'), ''];
  if (check.needed) return [...lines, c.red(c.bold('✓ Response NEEDED')), `  Current Entropy: ${c.red((check.entropy ?? 0).toFixed(4))}`, `  Reason: ${check.reason}`, '', c.dim('Enable entropy_response in learning config to trigger automatically.')];
  return [...lines, c.green('✗ No response needed'), ...(check.entropy !== undefined ? [`  Current Entropy: ${c.green(check.entropy.toFixed(4))}`] : []), `  Reason: ${check.reason}`];
}

export function responseHistoryText(history: EntropyResponseRecord[]): string[] {
  if (history.length === 0) return [c.dim('No entropy response history found.'), '', c.dim('Hint: Enable entropy_response in learning config to start tracking.')];
  const rows = history.map((r) => [when(r.at), c.red(r.entropy.toFixed(3)), r.threshold.toFixed(3), r.budgetBoosted ? c.green('Yes') : c.dim('No'), String(r.revisited.length), r.actions.length ? r.actions.join(', ') : c.dim('none')]);
  return [c.bold('Entropy Response History'), ...table(['Time', 'Entropy', 'Threshold', 'Budget+', 'Revisits', 'Actions'], rows, new Set([1, 2, 4])), '', c.dim(`Showing ${history.length} record(s)`)];
}

export function entropyStatusText(r: EntropyStatusReport): string[] {
  const s = r.statistics;
  const lines = [c.bold('Entropy Response Status'), ''];
  if (s.responses === 0) return [...lines, c.dim('No entropy responses recorded yet.'), '', c.dim('Hint: Enable entropy_response in learning config:'), c.dim('  learning:'), c.dim('    entropy_response:'), c.dim('      enabled: true')];
  lines.push(`  Total Responses: ${c.yellow(String(s.responses))}`, `  Avg Trigger Entropy: ${c.red(s.avgEntropy.toFixed(4))}`, `  Budget Boosts: ${c.green(String(s.budgetBoosts))}`, `  Quarantine Revisits: ${c.cyan(String(s.quarantineRevisits))}`, '');
  if (r.last) lines.push(c.bold('Last Response'), `  Time: ${when(r.last.at)}   Job: ${r.last.job}`, `  Entropy at Trigger: ${c.red(r.last.entropy.toFixed(4))}`, `  Threshold: ${r.last.threshold.toFixed(4)}`, `  Actions: ${r.last.actions.length ? r.last.actions.join(', ') : c.dim('none')}`, '');
  if (s.responses > 10) lines.push(c.yellow('⚠ Many responses triggered'), c.dim('Pattern diversity may be consistently low. Review patterns.'));
  else if (s.quarantineRevisits > s.responses) lines.push(c.cyan('ℹ Active quarantine revisiting'), c.dim('Previously problematic patterns are being reconsidered.'));
  else lines.push(c.green('✓ Entropy response system active'));
  return lines;
}
