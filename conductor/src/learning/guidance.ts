// The prompt section that carries the chosen patterns: short, numbered, between two marker comments
// so people and tools can find (or strip) exactly what learning added.
import type { Pattern } from './detect.js';
import { HIGH_TRUST, LOW_TRUST } from './scoring.js';

export const GUIDANCE_BEGIN = '<!-- mozart:learned-patterns -->';
export const GUIDANCE_END = '<!-- /mozart:learned-patterns -->';

const LEADS: Record<Pattern['kind'], string> = {
  validation_failure: 'Common issue',
  retry_success: 'Tip',
  completion_mode: 'Partial completion',
  first_attempt_success: 'Best practice',
  semantic_failure: 'Insight',
};

function trustNote(trust: number): string {
  if (trust >= HIGH_TRUST) return ' [high trust]';
  if (trust <= LOW_TRUST) return ' [low trust]';
  return ` [trust ${Math.round(trust * 100)}%]`;
}

/**
 * One guidance line. A rule's pattern also restates what that rule checks (`requirements`, keyed by
 * rule key), because that is what the attempts that failed it had missed.
 */
export function guidanceLine(p: Pattern, requirements: Readonly<Record<string, string>>): string {
  const requirement = p.ruleKey ? requirements[p.ruleKey] : undefined;
  const detail = requirement ? ` — make sure ${requirement}` : '';
  return `${LEADS[p.kind]}: ${p.description}${detail}.${trustNote(p.trust)}`;
}

/** The marked section for a prompt, or '' when no pattern was chosen. */
export function renderGuidance(patterns: readonly Pattern[], requirements: Readonly<Record<string, string>>): string {
  if (patterns.length === 0) return '';
  return [
    GUIDANCE_BEGIN,
    '## Learned from earlier runs',
    '',
    'How earlier attempts of this and similar sheets went (the success requirements still decide):',
    ...patterns.map((p, i) => `${i + 1}. ${guidanceLine(p, requirements)}`),
    GUIDANCE_END,
  ].join('\n');
}

/** The guidance section of a prompt, if it has one. */
export function guidanceIn(prompt: string): string | undefined {
  const start = prompt.indexOf(GUIDANCE_BEGIN);
  const end = prompt.indexOf(GUIDANCE_END, start);
  return start >= 0 && end > start ? prompt.slice(start, end + GUIDANCE_END.length) : undefined;
}
