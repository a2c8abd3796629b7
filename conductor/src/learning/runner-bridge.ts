// What the runner hands the learning hub, built from what it already has: the score, the sheet, the
// validation results and the decision. Pure builders, plus one guarded shell so that learning can
// never break a job (a store that cannot be written costs the outcome, not the sheet).
import type { PlannedSheet } from '../../../score/src/plan.js';
import { expandPlaceholders } from '../../../score/src/placeholders.js';
import type { Score } from '../../../score/src/score-types.js';
import type { AttemptDecision, AttemptOutcome, RuleOutcome } from './outcome.js';
import { clipDescription, ruleKey, scoreIdentity, semanticReason, shortHash } from './outcome.js';
import type { Guidance, GuidanceRequest, SheetLearning } from './hub.js';
import type { LearningSettings } from './settings.js';
import { learningSettings } from './settings.js';

type Rule = Score['validations'][number];

/** The verdict of one rule, as the runner's validations report it. */
export interface RuleVerdict {
  index: number;
  type: string;
  description: string;
  status: 'passed' | 'failed' | 'skipped' | 'not_run';
  errorCode: string;
}

/** What a rule checks, worded to follow "make sure …". */
export function ruleRequirement(rule: Rule, values: object): string {
  const fill = (text: string | null | undefined) => expandPlaceholders(text ?? '', values);
  switch (rule.type) {
    case 'file_exists':
      return `the file \`${fill(rule.path)}\` exists`;
    case 'file_modified':
      return `the file \`${fill(rule.path)}\` is modified during this task`;
    case 'content_contains':
      return `the file \`${fill(rule.path)}\` contains exactly \`${fill(rule.pattern)}\``;
    case 'content_regex':
      return `the file \`${fill(rule.path)}\` matches the regular expression \`${fill(rule.pattern)}\``;
    case 'command_succeeds':
      return `the command \`${fill(rule.command)}\` exits with status 0`;
    default:
      return `the ${String(rule.type)} check passes`;
  }
}

/** A job's learning: its settings and score identity, fixed for the run. */
export interface JobLearning {
  hub: SheetLearning;
  settings: LearningSettings;
  scoreId: string;
  workspaceHash: string;
  job: string;
  backend: string;
  model?: string;
  log: (message: string) => void;
}

/** The model a score's backend uses, when it names one. */
function modelOf(score: Score): string | undefined {
  const b = score.backend as { type: string; model?: string | null; cli_model?: string | null; ollama?: { model?: string | null } };
  const model = b.type === 'claude_cli' ? b.cli_model : b.type === 'ollama' ? b.ollama?.model : b.model;
  return typeof model === 'string' && model !== '' ? model : undefined;
}

/** Sets a job up for learning; undefined when the score turns learning off or no hub is there. */
export function jobLearning(hub: SheetLearning | undefined, score: Score, scoreFile: string, jobId: string, workspace: string, log: (message: string) => void): JobLearning | undefined {
  if (!hub) return undefined;
  const settings = learningSettings(score.learning);
  if (!settings.record && !settings.guide) return undefined;
  const model = modelOf(score);
  return { hub, settings, scoreId: scoreIdentity(score.name, scoreFile), workspaceHash: shortHash('workspace', workspace), job: jobId, backend: score.backend.type, ...(model ? { model } : {}), log };
}

/** The rules that apply to a sheet, keyed, with what each checks. */
export function sheetRules(learning: JobLearning, score: Score, applicable: (rule: Rule) => boolean, values: object): { keys: Map<number, string>; requirements: Record<string, string> } {
  const keys = new Map<number, string>();
  const requirements: Record<string, string> = {};
  score.validations.forEach((rule, index) => {
    if (!applicable(rule)) return;
    const key = ruleKey(learning.scoreId, index, rule);
    keys.set(index, key);
    requirements[key] = ruleRequirement(rule, values);
  });
  return { keys, requirements };
}

/** The guidance request for a sheet. */
export function guidanceRequest(learning: JobLearning, score: Score, sheet: PlannedSheet, rules: { keys: Map<number, string>; requirements: Record<string, string> }): GuidanceRequest {
  const types = new Set([...rules.keys.keys()].map((i) => score.validations[i]?.type ?? ''));
  const tags = [`score:${learning.scoreId}`, `backend:${learning.backend}`, ...[...rules.keys.values()].map((k) => `rule:${k}`), ...[...types].filter(Boolean).map((t) => `validation:${t}`)];
  return { job: learning.job, scoreId: learning.scoreId, sheet: sheet.num, tags, requirements: rules.requirements, settings: learning.settings };
}

/** Asks for guidance; on any failure the sheet goes on without it (and the conductor log says why). */
export function safeGuidance(learning: JobLearning | undefined, request: () => GuidanceRequest): Guidance | undefined {
  if (!learning?.settings.guide) return undefined;
  try {
    return learning.hub.guidance(request());
  } catch (error) {
    learning.log(`learning: no guidance for ${learning.job}: ${(error as Error).message}`);
    return undefined;
  }
}

/** What the runner knows at the end of an attempt. */
export interface AttemptFacts {
  sheet: PlannedSheet;
  attempt: number;
  mode: 'normal' | 'completion';
  retries: number;
  prompt: string;
  extensions: number;
  guidance?: Guidance;
  ruleKeys: Map<number, string>;
  verdicts: readonly RuleVerdict[];
  passed: boolean;
  error?: { code: string; category: string };
  priorCodes: readonly string[];
  decision: AttemptDecision;
  durationMs: number;
  costUsd: number;
  at: number;
}

/** The outcome record of one attempt: identities, counts and codes only. */
export function attemptOutcome(learning: JobLearning, f: AttemptFacts): AttemptOutcome {
  const rules: RuleOutcome[] = f.verdicts
    .filter((v): v is RuleVerdict & { status: RuleOutcome['status'] } => v.status !== 'skipped')
    .map((v) => {
      const reason = v.status === 'failed' ? semanticReason(v.errorCode, v.type) : undefined;
      return {
        key: f.ruleKeys.get(v.index) ?? ruleKey(learning.scoreId, v.index, { type: v.type }),
        index: v.index,
        type: v.type,
        description: clipDescription(v.description),
        status: v.status,
        ...(v.errorCode ? { code: v.errorCode } : {}),
        ...(reason ? { reason } : {}),
      };
    });
  const applicable = rules.length;
  return {
    at: f.at,
    job: learning.job,
    score: learning.scoreId,
    workspace: learning.workspaceHash,
    sheet: f.sheet.num,
    stage: f.sheet.stage,
    instance: f.sheet.instance,
    attempt: f.attempt,
    mode: f.mode,
    retries: f.retries,
    prompt: { chars: f.prompt.length, rules: applicable, extensions: f.extensions },
    patterns: f.guidance?.patterns ?? [],
    explored: f.guidance?.explored ?? [],
    rules,
    passed: f.passed,
    passRate: applicable > 0 ? rules.filter((r) => r.status === 'passed').length / applicable : f.passed ? 1 : 0,
    ...(f.error ? { errorCode: f.error.code, errorCategory: f.error.category } : {}),
    priorCodes: [...f.priorCodes],
    decision: f.decision,
    durationMs: Math.round(f.durationMs),
    costUsd: f.costUsd,
    backend: learning.backend,
    ...(learning.model ? { model: learning.model } : {}),
  };
}

/** Reports an attempt; a failure to record is logged, never thrown into the job. */
export function safeRecord(learning: JobLearning | undefined, facts: () => AttemptFacts): void {
  if (!learning?.settings.record) return;
  try {
    learning.hub.record(attemptOutcome(learning, facts()), learning.settings);
  } catch (error) {
    learning.log(`learning: the outcome of ${learning.job} was not recorded: ${(error as Error).message}`);
  }
}
