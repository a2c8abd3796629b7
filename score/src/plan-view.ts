// What a dry run shows: every sheet of a score with its items, stage and fan-out instance, what it
// waits for and the validations that apply to it, and one sheet's prompt as its agent would get it.
// Plain data built from a check result, so `mozart run --dry-run` and the editor read the same.
import type { ScoreCheckResult } from './engine.js';
import { conditionHolds } from './conditions.js';
import { expandPlaceholders } from './placeholders.js';
import { renderSheetBody, requirementsSection, sheetExtensions, sheetPrompt, sheetValues } from './sheet-prompt.js';

/** One validation rule as it applies to one sheet, placeholders filled in. */
export interface PlanRule {
  /** Index in the score's `validations` list (0-based). */
  index: number;
  type: string;
  description: string;
  /** The path, pattern or command the rule checks, for this sheet. */
  target: string;
  /** The rule's stage (rules run stage by stage; a failed stage stops the later ones). */
  stage: number;
}

/** One sheet of the plan. */
export interface PlanSheet {
  num: number;
  stage: number;
  /** 1-based instance within a fanned-out stage; 1 for a stage that runs once. */
  instance: number;
  fanCount: number;
  startItem: number;
  endItem: number;
  /** Sheets that must be done first (empty: it may start at once). */
  dependsOn: number[];
  validations: PlanRule[];
  /** `sheet.skip_when` for this sheet, as written. */
  skipWhen?: string;
  /** `sheet.skip_when_command` for this sheet: the command, as written. */
  skipWhenCommand?: string;
}

/** The whole plan. */
export interface PlanView {
  name: string;
  backend: string;
  workspace: string;
  totalSheets: number;
  totalStages: number;
  /** How sheets are ordered: one after another, or by their dependencies. */
  order: 'sequential' | 'dependencies';
  /** At most this many sheets at a time (1 without `parallel.enabled`). */
  maxConcurrent: number;
  sheets: PlanSheet[];
}

/** A sheet's prompt, or why it cannot be built. */
export interface PlanPrompt {
  sheet: number;
  prompt?: string;
  error?: string;
  /** What may differ at run time, said plainly. */
  notes: string[];
}

/** The plan of a checked score; undefined when the score could not be read or planned. */
export function buildPlanView(result: ScoreCheckResult): PlanView | undefined {
  const { score, plan, workspace } = result;
  if (!score || !plan || !workspace) return undefined;
  const sheets = plan.sheets.map((sheet): PlanSheet => {
    const values = sheetValues(sheet, plan, workspace);
    const fill = (text: string | null | undefined): string => expandPlaceholders(text ?? '', values);
    const validations: PlanRule[] = [];
    score.validations.forEach((rule, index) => {
      if (!conditionHolds(rule.condition, values)) return;
      const target = rule.type === 'command_succeeds' ? fill(rule.command) : rule.type.startsWith('content_') ? `${fill(rule.path)} ~ ${rule.pattern ?? ''}` : fill(rule.path);
      validations.push({ index, type: rule.type, description: rule.description ?? `${rule.type} #${index + 1}`, target, stage: rule.stage });
    });
    const key = String(sheet.num);
    const skipWhen = score.sheet.skip_when[key];
    const skipWhenCommand = score.sheet.skip_when_command[key]?.command;
    return {
      num: sheet.num,
      stage: sheet.stage,
      instance: sheet.instance,
      fanCount: sheet.fanCount,
      startItem: sheet.startItem,
      endItem: sheet.endItem,
      dependsOn: plan.hasDependencies ? sheet.dependsOn : sheet.num > 1 ? [sheet.num - 1] : [],
      validations,
      ...(skipWhen ? { skipWhen } : {}),
      ...(skipWhenCommand ? { skipWhenCommand } : {}),
    };
  });
  return {
    name: score.name,
    backend: score.backend.type,
    workspace,
    totalSheets: plan.totalSheets,
    totalStages: plan.totalStages,
    order: plan.hasDependencies ? 'dependencies' : 'sequential',
    maxConcurrent: plan.hasDependencies && score.parallel.enabled ? score.parallel.max_concurrent : 1,
    sheets,
  };
}

/**
 * Sheet `num`'s first-attempt prompt, built by the code the runner uses. What only the run can know
 * is named in `notes`: earlier sheets' output (cross_sheet) is empty here, and the conductor may add
 * learned patterns.
 */
export function planPrompt(result: ScoreCheckResult, num: number): PlanPrompt | undefined {
  const { score, plan, workspace } = result;
  if (!score || !plan || !workspace) return undefined;
  const sheet = plan.sheets[num - 1];
  if (!sheet) return { sheet: num, error: `the score has ${plan.totalSheets} sheet${plan.totalSheets === 1 ? '' : 's'}; there is no sheet ${num}`, notes: [] };
  const notes: string[] = [];
  if (score.cross_sheet) notes.push('cross_sheet: previous_outputs and previous_files are empty in a dry run; at run time they hold earlier sheets\' output and files.');
  if (score.learning.enabled) notes.push('learning: at run time the conductor may add a section of learned patterns after the success requirements.');
  notes.push('A retry in completion mode gets a different prompt: what passed, what is missing, then this one.');
  const values = sheetValues(sheet, plan, workspace);
  try {
    const body = renderSheetBody(score, result.source.file, values, { previous_outputs: {}, previous_files: {} });
    return { sheet: num, prompt: sheetPrompt(body, requirementsSection(score, values), sheetExtensions(score, result.source.file, num)), notes };
  } catch (error) {
    return { sheet: num, error: `the prompt cannot be built: ${(error as Error).message}`, notes };
  }
}
