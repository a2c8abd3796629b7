// The running totals the patterns are detected from: a fold over the outcomes kept. Adding (and, when
// retention drops old outcomes, removing) one outcome costs the same however many there are, so
// choosing patterns for a sheet never re-reads the log. Plain records and arrays: the whole
// aggregate is written as the store's snapshot and read back as JSON.
import type { AttemptOutcome } from './outcome.js';

/** A validation rule of one score. */
export interface RuleStats {
  index: number;
  type: string;
  description: string;
  checks: number;
  failures: number;
  /** Failures on a sheet's first attempt. */
  firstFailures: number;
  firstSeen: number;
  lastSeen: number;
  lastFailure: number;
  reasons: Record<string, number>;
}

export interface ScoreStats {
  name: string;
  attempts: number;
  firstAttempts: number;
  firstPasses: number;
  completionAttempts: number;
  completionPasses: number;
  firstSeen: number;
  lastSeen: number;
  lastCompletion: number;
  rules: Record<string, RuleStats>;
}

/** An error code, and how often a later attempt passed after it. */
export interface CodeStats {
  category: string;
  failures: number;
  recovered: number;
  /** Sum of (attempt − 1) over the recoveries: retries it took. */
  retriesToRecover: number;
  validationTypes: Record<string, number>;
  scores: Record<string, number>;
  firstSeen: number;
  lastSeen: number;
  lastRecovered: number;
}

export interface ReasonStats {
  count: number;
  validationTypes: Record<string, number>;
  scores: Record<string, number>;
  firstSeen: number;
  lastSeen: number;
}

/** One application of a pattern: when, whether the attempt passed, and its share of rules passed. */
export type Application = [at: number, passed: 0 | 1, passRate: number];

/** How a pattern has done in the attempts whose prompt carried it. */
export interface ApplicationStats {
  applications: number;
  successes: number;
  explorations: number;
  firstApplied: number;
  lastApplied: number;
  lastSuccess: number;
  /** The latest applications, oldest first (at most {@link RECENT_APPLICATIONS}). */
  recent: Application[];
  /** Conditions seen when an attempt carrying it passed (the "why" of `patterns-why`). */
  factors: { observations: number; validationTypes: Record<string, number>; errorCategories: Record<string, number>; timeOfDay: Record<string, number>; attempts: Record<string, number> };
}

/** Attempts in one clock hour (for `learning-activity`). */
export interface HourBucket {
  attempts: number;
  firstAttempts: number;
  firstPasses: number;
  applications: number;
}

/** The latest attempt of one job's sheet: which patterns its prompt carried. */
export interface SheetApplication {
  at: number;
  attempt: number;
  passed: boolean;
  patterns: string[];
  explored: string[];
}

export interface Aggregate {
  version: 1;
  outcomes: number;
  firstAt: number;
  lastAt: number;
  attempts: number;
  passes: number;
  firstAttempts: number;
  firstPasses: number;
  recoveries: { passed: number; failed: number };
  scores: Record<string, ScoreStats>;
  codes: Record<string, CodeStats>;
  reasons: Record<string, ReasonStats>;
  applications: Record<string, ApplicationStats>;
  /** By local hour of day: [first attempts, first-attempt passes]. */
  hourOfDay: [number, number][];
  /** By epoch hour, the last {@link BUCKET_DAYS} days. */
  buckets: Record<string, HourBucket>;
  workspaces: Record<string, number>;
  /** Keyed `job#sheet`; the {@link MAX_SHEET_APPLICATIONS} most recent. */
  lastBySheet: Record<string, SheetApplication>;
  /** Entries in lastBySheet (counting keys on every add would cost as much as the map is large). */
  sheetEntries: number;
}

export const RECENT_APPLICATIONS = 50;
export const BUCKET_DAYS = 31;
export const MAX_SHEET_APPLICATIONS = 5000;
const HOUR_MS = 3_600_000;

export function emptyAggregate(): Aggregate {
  return {
    version: 1,
    outcomes: 0,
    firstAt: 0,
    lastAt: 0,
    attempts: 0,
    passes: 0,
    firstAttempts: 0,
    firstPasses: 0,
    recoveries: { passed: 0, failed: 0 },
    scores: {},
    codes: {},
    reasons: {},
    applications: {},
    hourOfDay: Array.from({ length: 24 }, () => [0, 0] as [number, number]),
    buckets: {},
    workspaces: {},
    lastBySheet: {},
    sheetEntries: 0,
  };
}

/** A time-of-day bucket, as the original names them. */
export function timeOfDay(at: number): string {
  const hour = new Date(at).getHours();
  if (hour >= 5 && hour < 12) return 'morning';
  if (hour >= 12 && hour < 17) return 'afternoon';
  if (hour >= 17 && hour < 21) return 'evening';
  return 'night';
}

/** Whether an outcome says anything about the patterns in its prompt (a rate-limit wait does not). */
export function countsForPatterns(o: AttemptOutcome): boolean {
  return o.mode === 'normal' && o.decision !== 'wait';
}

const bump = (record: Record<string, number>, key: string, by: number): void => {
  const next = (record[key] ?? 0) + by;
  if (next > 0) record[key] = next;
  else delete record[key];
};

/** Adds one outcome to the totals (in place). */
export function addOutcome(agg: Aggregate, o: AttemptOutcome): Aggregate {
  fold(agg, o, 1);
  const key = `${o.job}#${o.sheet}`;
  if (key in agg.lastBySheet) delete agg.lastBySheet[key]; // re-inserted last: key order keeps the most recent at the end
  else agg.sheetEntries++;
  agg.lastBySheet[key] = { at: o.at, attempt: o.attempt, passed: o.passed, patterns: o.patterns, explored: o.explored };
  if (agg.sheetEntries > MAX_SHEET_APPLICATIONS) {
    for (const oldest in agg.lastBySheet) {
      delete agg.lastBySheet[oldest];
      agg.sheetEntries--;
      break;
    }
  }
  return agg;
}

/** Takes one outcome back out of the totals, when retention drops it (in place). */
export function removeOutcome(agg: Aggregate, o: AttemptOutcome): Aggregate {
  fold(agg, o, -1);
  return agg;
}

function fold(agg: Aggregate, o: AttemptOutcome, sign: 1 | -1): void {
  const first = o.attempt === 1 && o.mode === 'normal';
  agg.outcomes += sign;
  if (sign > 0) {
    if (agg.firstAt === 0 || o.at < agg.firstAt) agg.firstAt = o.at;
    if (o.at > agg.lastAt) agg.lastAt = o.at;
  } else if (agg.outcomes <= 0) {
    agg.firstAt = 0;
    agg.lastAt = 0;
  } else if (o.at > agg.firstAt) agg.firstAt = o.at;
  agg.attempts += sign;
  if (o.passed) agg.passes += sign;
  if (first) {
    agg.firstAttempts += sign;
    if (o.passed) agg.firstPasses += sign;
    const hour = agg.hourOfDay[new Date(o.at).getHours()] as [number, number];
    hour[0] += sign;
    if (o.passed) hour[1] += sign;
  }
  if (o.priorCodes.length > 0 || o.attempt > 1) {
    if (o.passed) agg.recoveries.passed += sign;
    else if (o.decision === 'fail') agg.recoveries.failed += sign;
  }
  bump(agg.workspaces, o.workspace, sign);
  foldScore(agg, o, sign, first);
  foldCodes(agg, o, sign);
  foldReasons(agg, o, sign);
  foldApplications(agg, o, sign);
  foldBucket(agg, o, sign, first);
}

function foldScore(agg: Aggregate, o: AttemptOutcome, sign: 1 | -1, first: boolean): void {
  let s = agg.scores[o.score];
  if (!s) {
    if (sign < 0) return;
    s = agg.scores[o.score] = { name: o.job, attempts: 0, firstAttempts: 0, firstPasses: 0, completionAttempts: 0, completionPasses: 0, firstSeen: o.at, lastSeen: o.at, lastCompletion: 0, rules: {} };
  }
  s.attempts += sign;
  if (sign > 0) {
    s.name = o.job;
    s.lastSeen = Math.max(s.lastSeen, o.at);
  } else s.firstSeen = Math.max(s.firstSeen, o.at);
  if (first) {
    s.firstAttempts += sign;
    if (o.passed) s.firstPasses += sign;
  }
  if (o.mode === 'completion') {
    s.completionAttempts += sign;
    if (o.passed) s.completionPasses += sign;
    if (sign > 0) s.lastCompletion = Math.max(s.lastCompletion, o.at);
  }
  for (const r of o.rules) {
    let rule = s.rules[r.key];
    if (!rule) {
      if (sign < 0) continue;
      rule = s.rules[r.key] = { index: r.index, type: r.type, description: r.description, checks: 0, failures: 0, firstFailures: 0, firstSeen: o.at, lastSeen: o.at, lastFailure: 0, reasons: {} };
    }
    rule.checks += sign;
    if (sign > 0) {
      rule.description = r.description;
      rule.lastSeen = Math.max(rule.lastSeen, o.at);
    } else rule.firstSeen = Math.max(rule.firstSeen, o.at);
    if (r.status === 'failed') {
      rule.failures += sign;
      if (first) rule.firstFailures += sign;
      if (sign > 0) rule.lastFailure = Math.max(rule.lastFailure, o.at);
      if (r.reason) bump(rule.reasons, r.reason, sign);
    }
    if (rule.checks <= 0) delete s.rules[r.key];
  }
  if (s.attempts <= 0) delete agg.scores[o.score];
}

function foldCodes(agg: Aggregate, o: AttemptOutcome, sign: 1 | -1): void {
  const touch = (code: string): CodeStats | undefined => {
    let c = agg.codes[code];
    if (!c && sign > 0) c = agg.codes[code] = { category: o.errorCategory ?? '', failures: 0, recovered: 0, retriesToRecover: 0, validationTypes: {}, scores: {}, firstSeen: o.at, lastSeen: o.at, lastRecovered: 0 };
    return c;
  };
  if (o.errorCode && !o.passed) {
    const c = touch(o.errorCode);
    if (c) {
      c.failures += sign;
      if (o.errorCategory) c.category = o.errorCategory;
      if (sign > 0) c.lastSeen = Math.max(c.lastSeen, o.at);
      else c.firstSeen = Math.max(c.firstSeen, o.at);
      bump(c.scores, o.score, sign);
      for (const r of o.rules) if (r.status === 'failed') bump(c.validationTypes, r.type, sign);
    }
  }
  if (o.passed) {
    for (const code of new Set(o.priorCodes)) {
      const c = touch(code);
      if (!c) continue;
      c.recovered += sign;
      c.retriesToRecover += sign * (o.attempt - 1);
      if (sign > 0) c.lastRecovered = Math.max(c.lastRecovered, o.at);
    }
  }
  for (const code of new Set([...(o.errorCode ? [o.errorCode] : []), ...o.priorCodes])) {
    const c = agg.codes[code];
    if (c && c.failures <= 0 && c.recovered <= 0) delete agg.codes[code];
  }
}

function foldReasons(agg: Aggregate, o: AttemptOutcome, sign: 1 | -1): void {
  for (const r of o.rules) {
    if (r.status !== 'failed' || !r.reason) continue;
    let s = agg.reasons[r.reason];
    if (!s) {
      if (sign < 0) continue;
      s = agg.reasons[r.reason] = { count: 0, validationTypes: {}, scores: {}, firstSeen: o.at, lastSeen: o.at };
    }
    s.count += sign;
    if (sign > 0) s.lastSeen = Math.max(s.lastSeen, o.at);
    else s.firstSeen = Math.max(s.firstSeen, o.at);
    bump(s.validationTypes, r.type, sign);
    bump(s.scores, o.score, sign);
    if (s.count <= 0) delete agg.reasons[r.reason];
  }
}

function foldApplications(agg: Aggregate, o: AttemptOutcome, sign: 1 | -1): void {
  if (!countsForPatterns(o)) return;
  for (const id of o.patterns) {
    let a = agg.applications[id];
    if (!a) {
      if (sign < 0) continue;
      a = agg.applications[id] = {
        applications: 0,
        successes: 0,
        explorations: 0,
        firstApplied: o.at,
        lastApplied: o.at,
        lastSuccess: 0,
        recent: [],
        factors: { observations: 0, validationTypes: {}, errorCategories: {}, timeOfDay: {}, attempts: {} },
      };
    }
    a.applications += sign;
    if (o.explored.includes(id)) a.explorations += sign;
    if (o.passed) a.successes += sign;
    if (sign > 0) {
      a.lastApplied = Math.max(a.lastApplied, o.at);
      if (o.passed) a.lastSuccess = Math.max(a.lastSuccess, o.at);
      a.recent.push([o.at, o.passed ? 1 : 0, o.passRate]);
      if (a.recent.length > RECENT_APPLICATIONS) a.recent.shift();
    } else {
      a.firstApplied = Math.max(a.firstApplied, o.at);
      const i = a.recent.findIndex(([at, ok]) => at === o.at && ok === (o.passed ? 1 : 0));
      if (i >= 0) a.recent.splice(i, 1);
    }
    if (o.passed) {
      const f = a.factors;
      f.observations += sign;
      for (const r of o.rules) bump(f.validationTypes, r.type, sign);
      if (o.errorCategory) bump(f.errorCategories, o.errorCategory, sign);
      bump(f.timeOfDay, timeOfDay(o.at), sign);
      bump(f.attempts, String(o.attempt), sign);
    }
    if (a.applications <= 0) delete agg.applications[id];
  }
}

function foldBucket(agg: Aggregate, o: AttemptOutcome, sign: 1 | -1, first: boolean): void {
  const key = String(Math.floor(o.at / HOUR_MS));
  let b = agg.buckets[key];
  if (!b) {
    if (sign < 0) return;
    b = agg.buckets[key] = { attempts: 0, firstAttempts: 0, firstPasses: 0, applications: 0 };
    // A new hour: let the buckets older than the window go.
    const oldest = Math.floor(o.at / HOUR_MS) - BUCKET_DAYS * 24;
    for (const k of Object.keys(agg.buckets)) if (Number(k) < oldest) delete agg.buckets[k];
  }
  b.attempts += sign;
  if (first) {
    b.firstAttempts += sign;
    if (o.passed) b.firstPasses += sign;
  }
  if (countsForPatterns(o)) b.applications += sign * o.patterns.length;
  if (b.attempts <= 0) delete agg.buckets[key];
}
