// The learning hub: the conductor's one learning store, shared by all its jobs. A runner asks it for
// a sheet's guidance and reports each attempt's outcome — nothing more. Recording also carries out
// what the measures call for: a pattern that keeps being followed by failure is quarantined, a
// proven one validated; every `entropy_check_interval` applications the job's pattern diversity is
// measured, its exploration budget adjusted and, when diversity is low, the entropy response run.
import type { EntropyMeasure, PatternStatus } from '../../../protocol/src/learning.js';
import type { ApplicationStats } from './aggregate.js';
import { countsForPatterns } from './aggregate.js';
import type { LearningState, RateLimitRecord } from './decisions.js';
import { activeRateLimits, currentBudget, statusOf } from './decisions.js';
import { countPatterns, detectPatterns } from './detect.js';
import { adjustBudget, boostedBudget, measureEntropy, responseNeeded } from './entropy.js';
import { renderGuidance } from './guidance.js';
import type { AttemptOutcome } from './outcome.js';
import { choosePatterns } from './select.js';
import type { Chosen } from './select.js';
import { automaticStatus, trust } from './scoring.js';
import type { LearningSettings } from './settings.js';
import { LearningStore } from './store.js';
import type { LearningStoreOptions } from './store.js';

/** What a runner tells the hub about the sheet it is building a prompt for. */
export interface GuidanceRequest {
  job: string;
  scoreId: string;
  sheet: number;
  /** Context tags: score, rules, validation types, backend. */
  tags: string[];
  /** What each applicable rule checks, keyed by rule key (restated by a rule's pattern). */
  requirements: Record<string, string>;
  settings: LearningSettings;
}

/** The prompt section and the patterns in it. */
export interface Guidance {
  section: string;
  patterns: string[];
  explored: string[];
  chosen: Chosen[];
}

/** The two things a runner may do with learning. */
export interface SheetLearning {
  guidance(request: GuidanceRequest): Guidance;
  record(outcome: AttemptOutcome, settings: LearningSettings): void;
}

export interface HubOptions extends Omit<LearningStoreOptions, 'onError'> {
  /** The conductor's log. */
  log?: (message: string) => void;
  /** A number in [0, 1) for exploration draws (default Math.random). */
  random?: () => number;
}

const NO_GUIDANCE: Guidance = { section: '', patterns: [], explored: [], chosen: [] };

export class LearningHub implements SheetLearning {
  readonly store: LearningStore;
  private readonly log: (message: string) => void;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Pattern applications per job since its last entropy check. */
  private readonly sinceCheck = new Map<string, number>();

  private constructor(options: HubOptions) {
    this.log = options.log ?? (() => undefined);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.store = LearningStore.open({ ...options, onError: (m) => this.log(`learning: ${m}`) });
  }

  static open(options: HubOptions): LearningHub {
    return new LearningHub(options);
  }

  get state(): LearningState {
    return this.store.state;
  }

  guidance(request: GuidanceRequest): Guidance {
    const s = request.settings;
    if (!s.guide) return NO_GUIDANCE;
    const now = this.now();
    const patterns = detectPatterns(this.store.aggregate, this.state, now, request.scoreId);
    if (patterns.length === 0) return NO_GUIDANCE;
    const share = s.budget ? (currentBudget(this.state, request.job)?.value ?? s.budget.initial) : s.explorationRate;
    const selection = choosePatterns(patterns, new Set(request.tags), { explorationShare: share, explorationMinPriority: s.explorationMinPriority, ...(s.autoApply ? { autoApply: s.autoApply } : {}) }, now, this.random());
    const auto = selection.chosen.filter((c) => c.via === 'auto_apply');
    if (auto.length > 0 && s.autoApply?.log) this.log(`learning: ${request.job} sheet ${request.sheet}: auto-applied ${auto.map((c) => c.pattern.id).join(', ')}`);
    return {
      section: renderGuidance(
        selection.chosen.map((c) => c.pattern),
        request.requirements,
      ),
      patterns: selection.chosen.map((c) => c.pattern.id),
      explored: selection.chosen.filter((c) => c.via === 'exploration').map((c) => c.pattern.id),
      chosen: selection.chosen,
    };
  }

  record(outcome: AttemptOutcome, settings: LearningSettings): void {
    if (!settings.record) return;
    this.store.record(outcome);
    if (!countsForPatterns(outcome) || outcome.patterns.length === 0) return;
    for (const id of outcome.patterns) this.reviewStatus(id);
    const applied = (this.sinceCheck.get(outcome.job) ?? 0) + outcome.patterns.length;
    if (applied >= settings.entropyCheckInterval) {
      this.sinceCheck.set(outcome.job, 0);
      this.checkEntropy(outcome.job, settings);
    } else this.sinceCheck.set(outcome.job, applied);
  }

  /** Sets a pattern's status by hand (quarantine, un-quarantine = pending, validate, retire). */
  setStatus(id: string, status: PatternStatus, reason: string | undefined, by: 'user' | 'auto' | 'entropy_response' = 'user'): void {
    const a = this.store.aggregate.applications[id];
    this.store.decide({ t: 'status', id, decision: { status, at: this.now(), by, ...(reason ? { reason } : {}), applications: a?.applications ?? 0, successes: a?.successes ?? 0 } });
    this.log(`learning: pattern ${id} is now ${status}${reason ? ` (${reason})` : ''}${by === 'user' ? '' : ` [${by}]`}`);
  }

  /** Remembers a backend's rate limit, so a restarted conductor still holds its jobs back. */
  recordRateLimit(backend: string, code: string, until: number): void {
    this.store.decide({ t: 'rate_limit', record: { backend, code, at: this.now(), until } });
  }

  /** Rate limits still in force. */
  activeRateLimits(): RateLimitRecord[] {
    return activeRateLimits(this.state, this.now());
  }

  /** Measures the pattern diversity now: how the applications spread over all the patterns. */
  measure(threshold: number, job?: string): EntropyMeasure {
    const applied = Object.values(this.store.aggregate.applications).map((a) => a.applications);
    const unapplied = Math.max(0, countPatterns(this.store.aggregate) - applied.length);
    return measureEntropy([...applied, ...new Array<number>(unapplied).fill(0)], threshold, this.now(), job);
  }

  close(): void {
    this.store.close();
  }

  /** Quarantines or validates a pattern when its applications since its last status change call for it. */
  private reviewStatus(id: string): void {
    const a = this.store.aggregate.applications[id];
    if (!a) return;
    const decision = this.state.statuses[id];
    const since: ApplicationStats = { ...a, applications: a.applications - (decision?.applications ?? 0), successes: a.successes - (decision?.successes ?? 0) };
    const status = statusOf(this.state, id);
    const next = automaticStatus(status, trust(since, status, this.now()), since.applications);
    if (next) this.setStatus(id, next.status, next.reason, 'auto');
  }

  private checkEntropy(job: string, s: LearningSettings): void {
    const measure = this.measure(s.entropyAlertThreshold, job);
    this.store.decide({ t: 'entropy', measure });
    if (measure.alert) this.log(`learning: pattern diversity ${measure.diversity.toFixed(3)} is below entropy_alert_threshold ${s.entropyAlertThreshold} (${job}); one pattern takes ${(measure.dominantShare * 100).toFixed(0)}% of applications`);
    const now = this.now();
    if (s.budget) this.store.decide({ t: 'budget', record: adjustBudget(currentBudget(this.state, job), measure.diversity, s.entropyAlertThreshold, s.budget, job, now) });
    if (!s.response) return;
    const last = [...this.state.responses].reverse().find((r) => r.job === job);
    if (!responseNeeded(measure, s.response.threshold, s.response.cooldownSeconds, last, now).needed) return;
    const actions: ('budget_boost' | 'quarantine_revisit')[] = [];
    let budgetBoosted = false;
    if (s.response.boostBudget && s.budget) {
      this.store.decide({ t: 'budget', record: boostedBudget(currentBudget(this.state, job), measure.diversity, s.response.threshold, s.budget, job, now) });
      budgetBoosted = true;
      actions.push('budget_boost');
    }
    const revisited: string[] = [];
    if (s.response.revisitQuarantine) {
      const quarantined = Object.entries(this.state.statuses)
        .filter(([, d]) => d.status === 'quarantined')
        .sort((a, b) => b[1].at - a[1].at)
        .slice(0, s.response.maxRevisits);
      for (const [id] of quarantined) {
        this.setStatus(id, 'pending', 'Entropy response: revisiting for revalidation', 'entropy_response');
        revisited.push(id);
      }
      if (revisited.length > 0) actions.push('quarantine_revisit');
    }
    this.store.decide({ t: 'response', record: { job, at: new Date(now).toISOString(), entropy: measure.diversity, threshold: s.response.threshold, actions, budgetBoosted, revisited } });
  }
}
