// Builds the text a sheet's agent receives (score/src/sheet-prompt.ts, shared with the dry-run plan)
// and the completion prompt for partial passes.
import type { RuleResult } from './validations.js';

export { renderSheetBody, requirementsSection, sheetExtensions, sheetPrompt, sheetValues } from '../../../score/src/sheet-prompt.js';
export type { CrossSheetContext } from '../../../score/src/sheet-prompt.js';

/** The prompt for completion mode: finish what is missing, keep what passed. */
export function completionPrompt(original: string, results: readonly RuleResult[], attempt: number, max: number): string {
  const passed = results.filter((r) => r.status === 'passed');
  const failed = results.filter((r) => r.status === 'failed' || r.status === 'not_run');
  const context = original.length > 3000 ? `${original.slice(0, 3000)}\n[… the rest of the original task is omitted …]` : original;
  return [
    `## Completion (attempt ${attempt} of ${max})`,
    '',
    'Part of this task is already done and verified. Do not redo it; finish only what is missing.',
    '',
    '### Already done (verified)',
    ...(passed.length ? passed.map((r) => `- ${r.description}`) : ['- (nothing yet)']),
    '',
    '### Still missing',
    ...failed.map((r) => `- ${r.description}: ${r.message}`),
    '',
    '### The original task',
    context,
  ].join('\n');
}
