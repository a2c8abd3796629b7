// What a sheet's attempts are made from: whether it is skipped, its prompt (with learned guidance
// and the completion prompt after a partial pass), the cross_sheet context, its time limit and
// what an attempt cost. Reads the checkpoint and files; writes nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProcess } from '../backends/process.js';
import type { AgentResult } from '../backends/types.js';
import { resolveFromScore } from '../../../score/src/files.js';
import type { PlannedSheet } from '../../../score/src/plan.js';
import { expandPlaceholders } from '../../../score/src/placeholders.js';
import type { Score } from '../../../score/src/score-types.js';
import { TemplateRenderError } from '../../../score/src/template.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import type { ClassifiedError } from './errors.js';
import { missingPath } from './preflight.js';
import { completionPrompt, renderSheetBody, requirementsSection, sheetExtensions, sheetPrompt } from './prompt.js';
import type { CrossSheetContext, sheetValues } from './prompt.js';
import { skipWhenReason } from './skip-when.js';
import type { RuleResult } from './validations.js';
import { conditionHolds } from './conditions.js';
import { guidanceRequest, safeGuidance, sheetRules } from '../learning/runner-bridge.js';
import type { JobLearning } from '../learning/runner-bridge.js';

export type SheetValues = ReturnType<typeof sheetValues>;

/**
 * skip_when first (a condition over the checkpoint; one that cannot be evaluated skips, as in the
 * original), then skip_when_command: exit 0 skips; any failure to decide lets the sheet run.
 */
export async function skipReason(score: Score, workspace: string, num: number, values: SheetValues, state: JobState): Promise<string | undefined> {
  const byCondition = skipWhenReason(score.sheet.skip_when[String(num)], state);
  if (byCondition) return byCondition;
  const rule = score.sheet.skip_when_command[String(num)];
  if (!rule) return undefined;
  const command = expandPlaceholders(rule.command, values);
  const result = await runProcess({ command: '/bin/sh', args: ['-c', command], cwd: workspace, env: process.env, timeoutMs: rule.timeout_seconds * 1000, captureBytes: 1024 });
  if (result.exitCode === 0 && !result.timedOut) return rule.description ?? `skip_when_command exited 0: ${command}`;
  return undefined;
}

/** previous_outputs / previous_files for a sheet, when cross_sheet is configured. */
export function crossSheetContext(score: Score, workspace: string, num: number, state: JobState): CrossSheetContext {
  const config = score.cross_sheet;
  const context: CrossSheetContext = { previous_outputs: {}, previous_files: {} };
  if (!config) return context;
  const earlier = Object.entries(state.sheets)
    .map(([key, s]) => [Number(key), s] as const)
    .filter(([key, s]) => key < num && s.status === 'completed')
    .sort((a, b) => a[0] - b[0]);
  const window = config.lookback_sheets > 0 ? earlier.slice(-config.lookback_sheets) : earlier;
  if (config.auto_capture_stdout) {
    for (const [key, s] of window) context.previous_outputs[String(key)] = (s.stdoutTail ?? '').slice(-config.max_output_chars);
  }
  for (const pattern of config.capture_files) {
    const path = resolveFromScore(join(workspace, 'x'), expandPlaceholders(pattern, { workspace }));
    try {
      context.previous_files[path] = readFileSync(path, 'utf8').slice(0, config.max_output_chars);
    } catch {
      /* not there yet */
    }
  }
  return context;
}

/** The agent's time limit for a sheet: its override, else the backend's. */
export function sheetTimeoutSeconds(score: Score, num: number): number {
  return score.backend.sheet_overrides[String(num)]?.timeout_seconds ?? score.backend.timeout_overrides[String(num)] ?? score.backend.timeout_seconds;
}

/** What an attempt cost: the backend's figure, else tokens at the score's prices. */
export function attemptCost(score: Score, result: AgentResult): number {
  if (typeof result.costUsd === 'number') return result.costUsd;
  const limits = score.cost_limits;
  return ((result.inputTokens ?? 0) / 1000) * limits.cost_per_1k_input_tokens + ((result.outputTokens ?? 0) / 1000) * limits.cost_per_1k_output_tokens;
}

/**
 * A sheet's prompt, built once (with the learned guidance chosen for it) and reused by each
 * attempt; after a partial pass the attempt asks the agent to finish instead.
 */
export class SheetPrompt {
  private base: string | undefined;
  /** The guidance chosen for the prompt (for learning's record of the attempt). */
  guidance: ReturnType<typeof safeGuidance>;
  extensionCount = 0;
  /** The sheet's rules as learning knows them (undefined without learning). */
  readonly learnedRules: ReturnType<typeof sheetRules> | undefined;

  constructor(
    private readonly score: Score,
    private readonly scoreFile: string,
    private readonly sheet: PlannedSheet,
    private readonly values: SheetValues,
    private readonly learning: JobLearning | undefined,
  ) {
    this.learnedRules = learning ? sheetRules(learning, score, (rule) => conditionHolds(rule.condition, values), values) : undefined;
  }

  /** The prompt for the next attempt, or why it cannot be built (E303 missing template file, E304). */
  build(mode: 'normal' | 'completion', lastResults: readonly RuleResult[], completionAttempts: number, cross: () => CrossSheetContext, exists: (path: string) => boolean): string | ClassifiedError {
    const { score, scoreFile, values, learning, learnedRules } = this;
    try {
      if (this.base === undefined) {
        if (typeof score.prompt.template !== 'string' && typeof score.prompt.template_file === 'string') {
          const missing = missingPath('prompt.template_file', resolveFromScore(scoreFile, score.prompt.template_file), exists);
          if (missing) return missing;
        }
        const body = renderSheetBody(score, scoreFile, values, cross());
        this.guidance = learning && learnedRules ? safeGuidance(learning, () => guidanceRequest(learning, score, this.sheet, learnedRules)) : undefined;
        const requirements = [requirementsSection(score, values), this.guidance?.section ?? ''].filter((part) => part !== '').join('\n\n');
        const extensions = sheetExtensions(score, scoreFile, this.sheet.num);
        this.extensionCount = extensions.length;
        this.base = sheetPrompt(body, requirements, extensions);
      }
      return mode === 'completion' ? completionPrompt(this.base, lastResults, completionAttempts, score.retry.max_completion_attempts) : this.base;
    } catch (error) {
      const message = error instanceof TemplateRenderError ? `The prompt template cannot be rendered (${error.message}).` : `The prompt cannot be built: ${(error as Error).message}`;
      return { code: 'E304', category: 'configuration', message, retryable: false };
    }
  }
}
