// The conductor config's learning switches in front of the hub: asked at every attempt, so a
// reload reaches running jobs at once. `enabled` false records and guides nothing, whatever a
// score says; `useGlobalPatterns` false leaves prompts without learned patterns.
import type { Guidance, SheetLearning } from './hub.js';

export interface LearningPolicy {
  enabled: boolean;
  useGlobalPatterns: boolean;
}

const NONE: Guidance = { section: '', patterns: [], explored: [], chosen: [] };

export function gatedLearning(hub: SheetLearning, policy: () => LearningPolicy): SheetLearning {
  return {
    guidance: (request) => {
      const { enabled, useGlobalPatterns } = policy();
      return enabled && useGlobalPatterns ? hub.guidance(request) : { ...NONE, chosen: [] };
    },
    record: (outcome, settings) => {
      if (policy().enabled) hub.record(outcome, settings);
    },
  };
}
