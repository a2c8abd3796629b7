// A score's `learning` block, as the learning hub uses it.
import type { Score } from '../../../score/src/score-types.js';
import type { BudgetSettings } from './entropy.js';
import type { SelectionSettings } from './select.js';

export interface LearningSettings {
  /** learning.enabled: this job's attempts are recorded. */
  record: boolean;
  /** learning.enabled and use_global_patterns: its prompts get learned guidance. */
  guide: boolean;
  explorationRate: number;
  explorationMinPriority: number;
  entropyAlertThreshold: number;
  entropyCheckInterval: number;
  budget?: BudgetSettings;
  response?: { threshold: number; cooldownSeconds: number; boostBudget: boolean; revisitQuarantine: boolean; maxRevisits: number };
  autoApply?: NonNullable<SelectionSettings['autoApply']> & { log: boolean };
}

type LearningConfig = Score['learning'];

/** The settings of a score's learning block (defaults already filled in by the schema). */
export function learningSettings(config: LearningConfig): LearningSettings {
  const b = config.exploration_budget;
  const r = config.entropy_response;
  const block = config.auto_apply;
  const autoApply = block
    ? block.enabled
      ? { trustThreshold: block.trust_threshold, maxPatterns: block.max_patterns_per_sheet, requireValidated: block.require_validated_status, log: block.log_applications }
      : undefined
    : config.auto_apply_enabled
      ? { trustThreshold: config.auto_apply_trust_threshold, maxPatterns: 3, requireValidated: true, log: true }
      : undefined;
  return {
    record: config.enabled,
    guide: config.enabled && config.use_global_patterns,
    explorationRate: config.exploration_rate,
    explorationMinPriority: config.exploration_min_priority,
    entropyAlertThreshold: config.entropy_alert_threshold,
    entropyCheckInterval: config.entropy_check_interval,
    ...(b.enabled ? { budget: { floor: b.floor, ceiling: b.ceiling, decayRate: b.decay_rate, boostAmount: b.boost_amount, initial: b.initial_budget } } : {}),
    ...(r.enabled ? { response: { threshold: r.entropy_threshold, cooldownSeconds: r.cooldown_seconds, boostBudget: r.boost_budget, revisitQuarantine: r.revisit_quarantine, maxRevisits: r.max_quarantine_revisits } } : {}),
    ...(autoApply ? { autoApply } : {}),
  };
}
