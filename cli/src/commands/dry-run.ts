// `mozart run <score> --dry-run [--prompt N] [--json]`: the plan of a score without running it —
// every sheet with its items, stage, fan-out instance, dependencies and validations — and the
// findings. The plan is shown whenever it can be built, errors or not; the exit code is validate's.
// With --prompt N, stdout is sheet N's prompt byte for byte and everything else goes to stderr.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkScore } from '../../../score/src/engine.js';
import { buildPlanView, planPrompt } from '../../../score/src/plan-view.js';
import type { PlanSheet, PlanView } from '../../../score/src/plan-view.js';
import { EXIT, palette, useColour } from '../output.js';
import { buildReport, formatText, validateCommand } from './validate.js';

export interface DryRunArgs {
  score: string;
  json: boolean;
  /** Show this sheet's prompt. */
  prompt?: number;
}

export function dryRunCommand(args: DryRunArgs, out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr): number {
  const file = resolve(args.score);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return validateCommand(args, out); // says why the file cannot be read, with validate's exit code
  }
  const result = checkScore(file, text);
  const report = buildReport(file, result);
  const plan = buildPlanView(result);
  const prompt = args.prompt !== undefined ? planPrompt(result, args.prompt) : undefined;
  const code = !result.parsed ? EXIT.unusable : report.valid ? EXIT.ok : EXIT.failure;
  if (args.json) {
    out.write(JSON.stringify({ ...report, plan: plan ?? null, ...(args.prompt !== undefined ? { prompt: prompt ?? null } : {}) }, null, 2) + '\n');
    return prompt?.error ? EXIT.failure : code;
  }
  const findings = formatText(report, result, useColour(args.prompt !== undefined ? err : out));
  if (args.prompt !== undefined) {
    err.write(findings);
    if (!prompt) {
      err.write(`mozart run --dry-run: the score cannot be planned, so sheet ${args.prompt} has no prompt.\n`);
      return code === EXIT.ok ? EXIT.failure : code;
    }
    if (prompt.error) {
      err.write(`mozart run --dry-run: sheet ${args.prompt}: ${prompt.error}.\n`);
      return EXIT.failure;
    }
    for (const note of prompt.notes) err.write(`note: ${note}\n`);
    out.write(prompt.prompt ?? '');
    return code;
  }
  if (plan) out.write(formatPlan(plan, useColour(out)) + '\n');
  else out.write('No plan: the score cannot be read or its sheets cannot be planned (see below).\n\n');
  out.write(findings);
  return code;
}

function items(sheet: PlanSheet): string {
  return sheet.startItem === sheet.endItem ? `item ${sheet.startItem}` : `items ${sheet.startItem}-${sheet.endItem}`;
}

/** The plan as text: a header, then one block per sheet. */
export function formatPlan(plan: PlanView, colour: boolean): string {
  const c = palette(colour);
  const lines: string[] = [];
  const stages = plan.totalStages !== plan.totalSheets ? ` in ${plan.totalStages} stages` : '';
  lines.push(c.bold(`Plan of '${plan.name}': ${plan.totalSheets} sheet${plan.totalSheets === 1 ? '' : 's'}${stages} on the ${plan.backend} backend`));
  lines.push(`  workspace: ${plan.workspace}`);
  lines.push(`  order: ${plan.order === 'sequential' ? 'one sheet after another' : `by dependencies, at most ${plan.maxConcurrent} at a time`}`);
  lines.push('');
  for (const s of plan.sheets) {
    const fan = s.fanCount > 1 ? `, instance ${s.instance} of ${s.fanCount}` : '';
    const after = s.dependsOn.length ? `after ${s.dependsOn.join(', ')}` : 'starts at once';
    lines.push(`${c.bold(`sheet ${s.num}`)}  stage ${s.stage}${fan}  ${items(s)}  ${c.dim(after)}`);
    if (s.skipWhen) lines.push(`    skipped when: ${s.skipWhen}`);
    if (s.skipWhenCommand) lines.push(`    skipped when this command exits 0: ${s.skipWhenCommand}`);
    if (s.validations.length === 0) lines.push(c.dim('    no validation applies: done when the agent succeeds'));
    for (const r of s.validations) lines.push(`    ${c.cyan(r.type)} ${r.description}: ${r.target}${r.stage > 1 ? c.dim(` (stage ${r.stage})`) : ''}`);
  }
  lines.push('');
  lines.push(c.dim("Nothing was run. 'mozart run --dry-run --prompt N' prints sheet N's prompt as its agent receives it."));
  return lines.join('\n');
}
