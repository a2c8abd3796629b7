// Wire types of the conductor's learning methods: the patterns learned from earlier attempts, their
// trust and quarantine, pattern diversity (entropy), the exploration budget and drift. Shared by the
// CLI (`patterns-*`, `learning-*`, `entropy-status`) and the extension's "Learned patterns" view.

/** What a pattern is about (the original's pattern types). */
export type PatternKind = 'validation_failure' | 'retry_success' | 'completion_mode' | 'first_attempt_success' | 'semantic_failure';

export const PATTERN_KINDS: readonly PatternKind[] = ['validation_failure', 'retry_success', 'completion_mode', 'first_attempt_success', 'semantic_failure'];

/**
 * Where a pattern stands: `pending` (new, still being measured), `validated` (proven; may be
 * auto-applied), `quarantined` (hurt more than it helped, or put aside by hand: never applied),
 * `retired` (kept for history, never applied).
 */
export type PatternStatus = 'pending' | 'quarantined' | 'validated' | 'retired';

export const PATTERN_STATUSES: readonly PatternStatus[] = ['pending', 'quarantined', 'validated', 'retired'];

/** One learned pattern with its measures. Scores are 0…1. */
export interface PatternView {
  /** 16 hex digits, stable: derived from what the pattern is about. */
  id: string;
  kind: PatternKind;
  /** Short name, e.g. the rule's description or the error code. */
  name: string;
  /** The guidance line given to agents (without its number). */
  description: string;
  /** How often it was observed in the outcomes kept. */
  frequency: number;
  confidence: number;
  /** Measured: how often the attempts it was applied to passed (0.55 while untested). */
  effectiveness: number;
  priority: number;
  trust: number;
  status: PatternStatus;
  statusReason?: string;
  /** Attempts whose prompt carried it, and how many of those passed. */
  applications: number;
  successes: number;
  firstSeen: string;
  lastSeen: string;
  lastApplied?: string;
  tags: string[];
  /** Trust ≥ 0.85 and validated: `auto_apply` may add it without it being the most relevant. */
  autoApplyEligible: boolean;
  /** The score it belongs to (name), for score-specific kinds. */
  score?: string;
}

export interface PatternListParams {
  minPriority?: number;
  limit?: number;
  status?: PatternStatus;
  minTrust?: number;
  maxTrust?: number;
  kind?: PatternKind;
}

/** Why a pattern works: the conditions seen when the attempts it was applied to passed. */
export interface PatternWhy {
  pattern: PatternView;
  hasFactors: boolean;
  observations: number;
  successRate: number;
  confidence: number;
  factorsSummary: string;
  keyConditions: string[];
  recommendations: string[];
  factors: {
    validationTypes: string[];
    errorCategories: string[];
    timeOfDay?: string;
    /** The attempt number it most often succeeded on (1 = first attempt). */
    typicalAttempt?: number;
  };
}

export interface LearningStats {
  store: { path: string; outcomes: number; oldest?: string; newest?: string; maxOutcomes: number; maxAgeDays: number; damagedLines: number };
  executions: { total: number; firstAttempts: number; firstAttemptPassRate: number; passRate: number };
  patterns: { total: number; byKind: Record<PatternKind, number>; byStatus: Record<PatternStatus, number>; avgEffectiveness: number };
  scores: number;
  workspaces: number;
  /** Sheets whose attempt failed and a later attempt passed. */
  errorRecoveries: { total: number; successRate: number };
  rateLimits: { recorded: number; active: { backend: string; until: string; code: string }[] };
}

export interface LearningActivity {
  hours: number;
  attempts: number;
  firstAttempts: number;
  firstAttemptPassRate: number;
  applications: number;
  patternsActive: number;
  avgEffectiveness: number;
  /** Hours of the day (0–23, local) when first attempts pass most and least often. */
  optimalHours: number[];
  avoidHours: number[];
  schedulingConfidence: number;
  sampleCount: number;
  totalOutcomes: number;
}

export interface DriftParams {
  threshold?: number;
  window?: number;
  limit?: number;
}

export interface EffectivenessDrift {
  patternId: string;
  name: string;
  window: number;
  before: number;
  after: number;
  magnitude: number;
  direction: 'positive' | 'negative' | 'stable';
  /** Mean share of rules passed in the attempts analysed (the confidence of those verdicts). */
  confidenceAvg: number;
  applications: number;
}

export interface EpistemicDrift {
  patternId: string;
  name: string;
  window: number;
  confidenceBefore: number;
  confidenceAfter: number;
  beliefChange: number;
  beliefEntropy: number;
  direction: 'strengthening' | 'weakening' | 'stable';
  applications: number;
}

export interface DriftReport<T> {
  threshold: number;
  window: number;
  patterns: T[];
  summary: { totalPatterns: number; analysed: number; drifting: number; avgMagnitude: number; avgEntropy?: number; most?: string };
}

export interface EntropyMeasure {
  at: string;
  shannonEntropy: number;
  maxEntropy: number;
  /** shannonEntropy / maxEntropy: 1 = applications spread evenly, 0 = one pattern takes all. */
  diversity: number;
  uniquePatterns: number;
  effectivePatterns: number;
  applications: number;
  dominantShare: number;
  alert: boolean;
  threshold: number;
  job?: string;
}

export interface BudgetRecord {
  job: string;
  at: string;
  value: number;
  entropy?: number;
  kind: 'initial' | 'decay' | 'boost' | 'floor_enforced' | 'ceiling_enforced';
  reason: string;
}

export interface BudgetReport {
  current?: BudgetRecord;
  history: BudgetRecord[];
  statistics: { avg: number; min: number; max: number; adjustments: number; floorEnforcements: number; boosts: number; decays: number };
}

export interface EntropyResponseRecord {
  job: string;
  at: string;
  entropy: number;
  threshold: number;
  actions: ('budget_boost' | 'quarantine_revisit')[];
  budgetBoosted: boolean;
  revisited: string[];
}

export interface EntropyStatusReport {
  statistics: { responses: number; avgEntropy: number; budgetBoosts: number; quarantineRevisits: number; lastResponse?: string };
  last?: EntropyResponseRecord;
  history: EntropyResponseRecord[];
  check?: { needed: boolean; entropy?: number; reason: string };
}

/** A pattern that was in a sheet's prompt, with how it has done everywhere since. */
export interface AppliedPattern {
  id: string;
  kind: PatternKind;
  description: string;
  status: PatternStatus;
  trust: number;
  effectiveness: number;
  applications: number;
  successes: number;
  /** Chosen to measure it (exploration), not because it was among the most relevant. */
  explored: boolean;
}

/** Method name → [params, result] for the learning methods (merged into the conductor's table). */
export interface LearningMethods {
  'learning.patterns': [PatternListParams, PatternView[]];
  /** `id` may be a prefix of at least 4 characters; an ambiguous prefix is refused with the candidates. */
  'learning.why': [{ id?: string; minObservations?: number; limit?: number }, PatternWhy[]];
  'learning.stats': [Record<string, never>, LearningStats];
  'learning.activity': [{ hours?: number }, LearningActivity];
  'learning.drift': [DriftParams, DriftReport<EffectivenessDrift>];
  'learning.epistemicDrift': [DriftParams, DriftReport<EpistemicDrift>];
  'learning.entropy': [{ threshold?: number; history?: boolean; limit?: number; record?: boolean }, { current: EntropyMeasure; history: EntropyMeasure[]; recorded: boolean }];
  'learning.budget': [{ job?: string; limit?: number }, BudgetReport];
  'learning.entropyStatus': [{ job?: string; limit?: number; check?: boolean }, EntropyStatusReport];
  /** Quarantine, un-quarantine (back to pending), validate or retire a pattern. */
  'learning.setStatus': [{ id: string; status: PatternStatus; reason?: string }, PatternView];
  /** The patterns in the prompt of a job's sheet (its latest attempt). */
  'learning.sheetPatterns': [{ jobId: string; sheet: number }, AppliedPattern[]];
}
