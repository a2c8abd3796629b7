// The text a sheet's agent receives: the rendered template, the success requirements (so the agent
// knows exactly what will be checked) and extensions. Pure apart from reading template and extension
// files; `mozart run --dry-run --prompt N` and the runner build a sheet's prompt with this same code.
import { readFileSync } from 'node:fs';
import { conditionHolds } from './conditions.js';
import type { ConditionContext } from './conditions.js';
import { resolveFromScore } from './files.js';
import type { PlannedSheet, SheetPlan } from './plan.js';
import { expandPlaceholders } from './placeholders.js';
import type { Score } from './score-types.js';
import { assemblePrompt, renderTemplate } from './template.js';
import { renderVariables } from './variables.js';

/** The numbers of one sheet, as templates, placeholders and conditions see them. */
export function sheetValues(sheet: PlannedSheet, plan: SheetPlan, workspace: string): ConditionContext & { workspace: string } {
  return {
    sheet_num: sheet.num,
    total_sheets: plan.totalSheets,
    start_item: sheet.startItem,
    end_item: sheet.endItem,
    stage: sheet.stage,
    instance: sheet.instance,
    fan_count: sheet.fanCount,
    total_stages: plan.totalStages,
    workspace,
  };
}

/** Context shared by earlier sheets (cross_sheet). */
export interface CrossSheetContext {
  previous_outputs: Record<string, string>;
  previous_files: Record<string, string>;
}

/** Renders the sheet's template. Throws TemplateRenderError (with a line) or VariableRenderError when it cannot. */
export function renderSheetBody(score: Score, scoreFile: string, values: ReturnType<typeof sheetValues>, cross: CrossSheetContext): string {
  const base = { ...values, ...cross, stakes: score.prompt.stakes ?? '', thinking_method: score.prompt.thinking_method ?? '' };
  // render_variables: a variable's own {{ … }} is filled in first (once), so the agent never sees braces.
  const variables = score.prompt.render_variables ? renderVariables(score.prompt.variables, base) : score.prompt.variables;
  const context = { ...values, ...cross, ...variables, stakes: base.stakes, thinking_method: base.thinking_method };
  if (typeof score.prompt.template === 'string') return renderTemplate(score.prompt.template, context);
  if (typeof score.prompt.template_file === 'string') {
    const text = readFileSync(resolveFromScore(scoreFile, score.prompt.template_file), 'utf8');
    return renderTemplate(text, context);
  }
  return `Process sheet ${values.sheet_num} of ${values.total_sheets} (items ${values.start_item}–${values.end_item}).`;
}

/** The "success requirements" section: every rule that applies to this sheet, placeholders filled. */
export function requirementsSection(score: Score, values: ReturnType<typeof sheetValues>): string {
  const rules = score.validations.filter((r) => conditionHolds(r.condition, values));
  if (rules.length === 0) return '';
  const fill = (text: string | null | undefined) => expandPlaceholders(text ?? '', values);
  const lines = ['---', '## Success requirements (checked automatically after you finish)', ''];
  rules.forEach((rule, i) => {
    const title = rule.description ?? `Requirement ${i + 1}`;
    const detail: Record<string, string> = {
      file_exists: `create the file \`${fill(rule.path)}\``,
      file_modified: `modify the file \`${fill(rule.path)}\` during this task`,
      content_contains: `the file \`${fill(rule.path)}\` must contain exactly \`${fill(rule.pattern)}\``,
      content_regex: `the file \`${fill(rule.path)}\` must match the regular expression \`${fill(rule.pattern)}\``,
      command_succeeds: `the command \`${fill(rule.command)}\` must exit with status 0`,
    };
    lines.push(`${i + 1}. **${title}**: ${detail[rule.type] ?? rule.type}`);
  });
  return lines.join('\n');
}

/** Extension texts for a sheet: score-wide, then the sheet's own; `.md`/`.txt` entries are files. */
export function sheetExtensions(score: Score, scoreFile: string, sheetNum: number): string[] {
  const entries = [...score.prompt.prompt_extensions, ...(score.sheet.prompt_extensions[String(sheetNum)] ?? [])];
  return entries.map((entry) => {
    const trimmed = entry.trim();
    if (/^[^\n]+\.(md|txt)$/.test(trimmed)) {
      try {
        return readFileSync(resolveFromScore(scoreFile, trimmed), 'utf8');
      } catch {
        return entry; // not a readable file: it is text that happens to end in .md
      }
    }
    return entry;
  });
}

/** The full prompt for a normal attempt. */
export function sheetPrompt(body: string, requirements: string, extensions: string[]): string {
  return assemblePrompt(requirements ? `${body}\n\n${requirements}` : body, extensions);
}
