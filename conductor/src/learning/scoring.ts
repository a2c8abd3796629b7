// How much a pattern is worth: measured effectiveness, trust, priority and its relevance to one
// sheet. Pure functions of the totals and the clock, with the original's weights.
import type { PatternStatus } from '../../../protocol/src/learning.js';
import type { ApplicationStats } from './aggregate.js';

const DAY_MS = 86_400_000;

/** Applications before a pattern's measured effectiveness is believed. */
export const MIN_APPLICATIONS = 3;
/** Effectiveness of a pattern not yet applied often enough to measure. */
export const UNTESTED_EFFECTIVENESS = 0.55;
/** Weight of the latest applications against the whole history. */
const RECENT_WEIGHT = 0.7;
const RECENT_WINDOW = 5;
/** Effectiveness loses 10% per 30 days without a confirming success. */
const DECAY_BASE = 0.9;
const DECAY_PERIOD_DAYS = 30;
/** Relevance halves every 7 days since a pattern was last seen. */
const RECENCY_HALF_LIFE_DAYS = 7;

export const RELEVANCE_WEIGHTS = { confidence: 0.25, frequency: 0.2, context: 0.25, recency: 0.15, effectiveness: 0.15 } as const;
const FREQUENCY_NORMALIZER = 10;
/** Full effectiveness weight in relevance after this many applications. */
const EFFECTIVENESS_FULL_WEIGHT_APPS = 5;

export const HIGH_TRUST = 0.7;
export const LOW_TRUST = 0.3;
const VALIDATED_BONUS = 0.1;
const TRUST_BONUS_SCALE = 0.33;

/** A pattern applied this many times since its last status change may be quarantined or validated by itself. */
export const AUTO_STATUS_APPLICATIONS = 5;
/** Trust at or below which a pattern is quarantined: it has been followed by failure far more than by success. */
export const AUTO_QUARANTINE_TRUST = 0.3;
/** Trust at or above which a pending pattern is validated. */
export const AUTO_VALIDATE_TRUST = 0.85;

const clamp01 = (x: number): number => Math.max(0, Math.min(1, x));
const days = (from: number, now: number): number => Math.max(0, now - from) / DAY_MS;

/**
 * Measured effectiveness: a blend of the latest applications and the (Laplace-smoothed) history,
 * decayed by the time since the pattern last helped an attempt pass.
 */
export function effectiveness(a: ApplicationStats | undefined, now: number): number {
  if (!a || a.applications < MIN_APPLICATIONS) return UNTESTED_EFFECTIVENESS;
  const historical = (a.successes + 0.5) / (a.applications + 1);
  const latest = a.recent.slice(-RECENT_WINDOW);
  const recent = latest.length > 0 ? latest.filter(([, ok]) => ok === 1).length / latest.length : historical;
  const combined = RECENT_WEIGHT * recent + (1 - RECENT_WEIGHT) * historical;
  const since = a.lastSuccess > 0 ? a.lastSuccess : a.lastApplied;
  return clamp01(combined * DECAY_BASE ** (days(since, now) / DECAY_PERIOD_DAYS));
}

/**
 * Trust: 0.5 for a pattern never applied; success after application raises it, failure lowers it
 * more, a recent confirming success adds up to 0.2; quarantine costs 0.2, validation adds 0.1.
 */
export function trust(a: ApplicationStats | undefined, status: PatternStatus, now: number): number {
  let t = 0.5;
  if (a && a.applications > 0) {
    const success = a.successes / a.applications;
    const failure = 1 - success;
    const age = a.lastSuccess > 0 ? DECAY_BASE ** (days(a.lastSuccess, now) / DECAY_PERIOD_DAYS) : 0;
    t += success * 0.3 - failure * 0.4 + age * 0.2;
  }
  if (status === 'quarantined') t -= 0.2;
  if (status === 'validated') t += 0.1;
  return clamp01(t);
}

/** Priority: effectiveness, scaled up with how often the pattern was seen (log-scaled). */
export function priority(effectivenessScore: number, frequency: number): number {
  return clamp01(effectivenessScore * Math.min(1, Math.log10(frequency + 1) / 2));
}

/** 1 for a pattern seen now, halving every week since. */
export function recency(lastSeen: number, now: number): number {
  return 0.5 ** (days(lastSeen, now) / RECENCY_HALF_LIFE_DAYS);
}

/** What relevance needs to know of a pattern. */
export interface RelevanceInput {
  confidence: number;
  frequency: number;
  tags: readonly string[];
  lastSeen: number;
  effectiveness: number;
  applications: number;
  status: PatternStatus;
  trust: number;
}

/**
 * How relevant a pattern is to a sheet, 0…1: confidence, frequency, shared context tags, recency
 * and measured effectiveness (weighted by how often it was measured), adjusted for its status and
 * trust. The weights are the original's.
 */
export function relevance(p: RelevanceInput, contextTags: ReadonlySet<string>, now: number): number {
  const w = RELEVANCE_WEIGHTS;
  let score = p.confidence * w.confidence;
  score += Math.min(1, p.frequency / FREQUENCY_NORMALIZER) * w.frequency;
  const shared = p.tags.filter((t) => contextTags.has(t)).length;
  if (shared > 0) score += Math.min(1, shared * 0.2) * w.context;
  score += recency(p.lastSeen, now) * w.recency;
  const measured = p.applications >= MIN_APPLICATIONS ? p.effectiveness : 0.4;
  score += measured * Math.min(1, p.applications / EFFECTIVENESS_FULL_WEIGHT_APPS) * w.effectiveness;
  if (p.status === 'quarantined') score -= 0.3;
  else if (p.status === 'validated') score += VALIDATED_BONUS;
  if (p.trust >= HIGH_TRUST) score += VALIDATED_BONUS + (p.trust - HIGH_TRUST) * TRUST_BONUS_SCALE;
  else if (p.trust <= LOW_TRUST) score -= VALIDATED_BONUS + (LOW_TRUST - p.trust) * TRUST_BONUS_SCALE;
  return clamp01(score);
}

/** The decision the measures call for since the last status change, if any. */
export function automaticStatus(status: PatternStatus, trustScore: number, applicationsSinceDecision: number): { status: PatternStatus; reason: string } | undefined {
  if (applicationsSinceDecision < AUTO_STATUS_APPLICATIONS) return undefined;
  if (status !== 'quarantined' && status !== 'retired' && trustScore <= AUTO_QUARANTINE_TRUST) {
    return { status: 'quarantined', reason: `trust fell to ${trustScore.toFixed(2)} after ${applicationsSinceDecision} applications: the attempts it was applied to mostly failed` };
  }
  if (status === 'pending' && trustScore >= AUTO_VALIDATE_TRUST) {
    return { status: 'validated', reason: `trust reached ${trustScore.toFixed(2)} after ${applicationsSinceDecision} applications` };
  }
  return undefined;
}
