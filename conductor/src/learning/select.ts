// Choosing the patterns for one sheet's prompt: the most relevant proven ones, well-trusted ones
// first when auto_apply is on, and now and then one less proven pattern to measure it (the
// exploration that keeps a new pattern from never being tried). Pure: randomness comes in as a value.
import type { Pattern } from './detect.js';
import { relevance } from './scoring.js';

/** Most patterns in one prompt. */
export const MAX_PROMPT_PATTERNS = 5;
/** Relevance a pattern needs to be used without exploring. */
export const MIN_RELEVANCE = 0.3;

export interface SelectionSettings {
  /** Chance, 0…1, that this sheet also tries one less proven pattern. */
  explorationShare: number;
  /** Priority a pattern needs to be tried while exploring. */
  explorationMinPriority: number;
  autoApply?: { trustThreshold: number; maxPatterns: number; requireValidated: boolean };
  limit?: number;
}

/** A pattern chosen for a sheet, with its relevance and why it was chosen. */
export interface Chosen {
  pattern: Pattern;
  relevance: number;
  via: 'auto_apply' | 'relevance' | 'exploration';
}

export interface Selection {
  chosen: Chosen[];
  /** Whether this sheet was an exploring one (the draw fell under the exploration share). */
  exploring: boolean;
}

/** Whether a pattern may apply to a sheet with these context tags at all. */
export function applies(p: Pattern, tags: ReadonlySet<string>): boolean {
  if (p.status === 'quarantined' || p.status === 'retired') return false;
  if (p.requires.length > 0) return p.requires.every((t) => tags.has(t));
  return p.tags.some((t) => tags.has(t));
}

const byRelevance = (a: Chosen, b: Chosen): number => b.relevance - a.relevance || a.pattern.id.localeCompare(b.pattern.id);

/** Chooses at most five patterns for a sheet; `draw` is a number in [0, 1) (Math.random in the conductor). */
export function choosePatterns(patterns: readonly Pattern[], contextTags: ReadonlySet<string>, settings: SelectionSettings, now: number, draw: number): Selection {
  const limit = Math.min(settings.limit ?? MAX_PROMPT_PATTERNS, MAX_PROMPT_PATTERNS);
  const eligible: Chosen[] = patterns.filter((p) => applies(p, contextTags)).map((pattern) => ({ pattern, relevance: relevance(pattern, contextTags, now), via: 'relevance' as const }));
  const taken = new Set<string>();
  const chosen: Chosen[] = [];
  const auto = settings.autoApply;
  if (auto) {
    const trusted = eligible
      .filter((c) => c.pattern.trust >= auto.trustThreshold && (!auto.requireValidated || c.pattern.status === 'validated'))
      .sort((a, b) => b.pattern.trust - a.pattern.trust || byRelevance(a, b))
      .slice(0, Math.min(auto.maxPatterns, limit));
    for (const c of trusted) {
      chosen.push({ ...c, via: 'auto_apply' });
      taken.add(c.pattern.id);
    }
  }
  for (const c of eligible.filter((e) => !taken.has(e.pattern.id) && e.relevance >= MIN_RELEVANCE).sort(byRelevance)) {
    if (chosen.length >= limit) break;
    chosen.push(c);
    taken.add(c.pattern.id);
  }
  const exploring = draw < settings.explorationShare;
  if (exploring) {
    // The least measured candidate first: exploration exists to measure what has not been measured.
    const candidate = eligible
      .filter((e) => !taken.has(e.pattern.id) && e.pattern.priority >= settings.explorationMinPriority)
      .sort((a, b) => a.pattern.applications - b.pattern.applications || byRelevance(a, b))[0];
    if (candidate) {
      if (chosen.length >= limit) chosen.pop();
      chosen.push({ ...candidate, via: 'exploration' });
    }
  }
  return { chosen, exploring };
}
