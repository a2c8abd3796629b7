// Answers `mozart/plan`: the plan of an open score and, when asked, one sheet's prompt, built by
// the same functions `mozart run --dry-run` uses (score/src/plan-view.ts) from the check of the
// document's current text. The assignments below make the compiler prove the wire types in
// protocol/src/plan.ts still match the engine's.
import type { ScoreCheckResult } from '../../score/src/engine.js';
import type { PlanPrompt, PlanView } from '../../score/src/plan-view.js';
import { buildPlanView, planPrompt } from '../../score/src/plan-view.js';
import type { PlanData, PlanFinding, PlanPromptData, PlanResult } from '../../protocol/src/plan.js';

/** How many findings the answer spells out (the counts cover all of them). */
const FIRST_FINDINGS = 20;

/** The answer for a checked score at `version`. */
export function planAnswer(uri: string, version: number, path: string, result: ScoreCheckResult, promptSheet: number | undefined): PlanResult {
  const view: PlanView | undefined = buildPlanView(result);
  const plan: PlanData | null = view ?? null;
  const counts = { errors: 0, warnings: 0, infos: 0 };
  const first: PlanFinding[] = [];
  for (const finding of result.findings) {
    if (finding.severity === 'error') counts.errors++;
    else if (finding.severity === 'warning') counts.warnings++;
    else counts.infos++;
    if (first.length < FIRST_FINDINGS) {
      first.push({ severity: finding.severity, checkId: finding.id, message: finding.message, ...(finding.file === path ? { line: finding.range.start.line + 1 } : {}) });
    }
  }
  const answer: PlanResult = { uri, version, plan, findings: { ...counts, first } };
  if (!view) answer.reason = result.parsed ? 'the score\'s sheets cannot be planned until its errors are fixed' : 'the score cannot be read as YAML';
  if (promptSheet !== undefined) {
    const prompt: PlanPrompt | undefined = Number.isInteger(promptSheet) && promptSheet >= 1 ? planPrompt(result, promptSheet) : { sheet: promptSheet, error: 'a sheet number is a whole number from 1', notes: [] };
    const data: PlanPromptData | null = prompt ?? null;
    answer.prompt = data;
  }
  return answer;
}

/** The answer for a document that is not an open score. */
export function noPlan(uri: string, reason: string): PlanResult {
  return { uri, version: -1, plan: null, reason, findings: { errors: 0, warnings: 0, infos: 0, first: [] } };
}
