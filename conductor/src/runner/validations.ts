// Runs a sheet's validation rules: the only thing that decides whether a sheet is done. Rules run
// by stage (lowest first); when a stage has a failure, higher stages are not run. File rules are
// re-tried briefly (retry_count × retry_delay_ms) to ride out slow filesystems.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runProcess } from '../backends/process.js';
import { expandPlaceholders } from '../../../score/src/placeholders.js';
import { compilePattern } from '../../../score/src/regex.js';
import type { Score } from '../../../score/src/score-types.js';
import type { ConditionContext } from './conditions.js';
import { conditionHolds } from './conditions.js';

/** One validation rule as written in the score (after defaults). */
export type ValidationRule = Score['validations'][number];

/** What happened to one rule on one attempt. */
export interface RuleResult {
  index: number;
  type: ValidationRule['type'];
  description: string;
  stage: number;
  status: 'passed' | 'failed' | 'skipped' | 'not_run';
  /** Why it failed or was skipped, in words. */
  message: string;
  errorCode: string;
  /** The path or command after placeholders were filled in. */
  target: string;
}

/** The outcome of all rules for one attempt. */
export interface ValidationOutcome {
  results: RuleResult[];
  passed: number;
  /** Rules whose condition holds (passed + failed + not run). */
  applicable: number;
  /** 100 when nothing applies. */
  percent: number;
  allPassed: boolean;
}

/** Where and for which sheet the rules run. */
export interface ValidationContext {
  workspace: string;
  values: ConditionContext & { workspace: string };
  /** mtimes taken before the attempt, for file_modified (see {@link snapshotModifiedTargets}). */
  before: Map<string, number | undefined>;
  signal?: AbortSignal;
  /** Time limit of one command_succeeds rule. */
  commandTimeoutMs?: number;
}

function placeholderValues(ctx: ValidationContext): Record<string, string | number> {
  return { ...ctx.values };
}

function resolvePath(ctx: ValidationContext, raw: string): string {
  const expanded = expandPlaceholders(raw, placeholderValues(ctx));
  return isAbsolute(expanded) ? expanded : resolve(ctx.workspace, expanded);
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Records the mtimes of every file_modified target before an attempt starts. */
export async function snapshotModifiedTargets(rules: readonly ValidationRule[], ctx: Omit<ValidationContext, 'before'>): Promise<Map<string, number | undefined>> {
  const before = new Map<string, number | undefined>();
  for (const rule of rules) {
    if (rule.type !== 'file_modified' || !rule.path) continue;
    const path = resolvePath({ ...ctx, before }, rule.path);
    before.set(path, await mtimeOf(path));
  }
  return before;
}

interface Check {
  ok: boolean;
  message: string;
  code: string;
}

async function checkFileRule(rule: ValidationRule, path: string, ctx: ValidationContext): Promise<Check> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return { ok: false, message: `File ${path} does not exist.`, code: 'E201' };
  if (info.isDirectory() && rule.type !== 'file_exists') return { ok: false, message: `${path} is a folder, not a file.`, code: 'E201' };
  switch (rule.type) {
    case 'file_exists':
      return { ok: true, message: `${path} exists.`, code: '' };
    case 'file_modified': {
      const before = ctx.before.get(path);
      const modified = before === undefined || info.mtimeMs > before;
      return modified ? { ok: true, message: `${path} was modified.`, code: '' } : { ok: false, message: `${path} was not modified during the sheet.`, code: 'E201' };
    }
    case 'content_contains': {
      const text = await readFile(path, 'utf8');
      // Literal text may name the sheet ({sheet_num}); regexes are left alone, where braces are quantifiers.
      const pattern = expandPlaceholders(rule.pattern ?? '', ctx.values);
      return text.includes(pattern) ? { ok: true, message: `${path} contains the text.`, code: '' } : { ok: false, message: `${path} does not contain ${JSON.stringify(truncate(pattern))}.`, code: 'E202' };
    }
    case 'content_regex': {
      const compiled = compilePattern(rule.pattern ?? '');
      if (!compiled.ok) return { ok: false, message: `The pattern does not compile: ${compiled.error}.`, code: 'E604' };
      const text = await readFile(path, 'utf8');
      return compiled.regex.test(text) ? { ok: true, message: `${path} matches the pattern.`, code: '' } : { ok: false, message: `${path} does not match /${truncate(rule.pattern ?? '')}/.`, code: 'E202' };
    }
    default:
      return { ok: false, message: `Unknown rule type ${rule.type}.`, code: 'E209' };
  }
}

async function checkCommandRule(rule: ValidationRule, ctx: ValidationContext): Promise<Check & { target: string }> {
  const command = expandPlaceholders(rule.command ?? '', placeholderValues(ctx));
  const cwd = rule.working_directory ? resolvePath(ctx, rule.working_directory) : ctx.workspace;
  const result = await runProcess(
    {
      command: '/bin/sh',
      args: ['-c', command],
      cwd,
      env: { ...process.env, MOZART_WORKSPACE: ctx.workspace, MOZART_SHEET_NUM: String(ctx.values.sheet_num) },
      timeoutMs: ctx.commandTimeoutMs ?? 600_000,
      captureBytes: 2048,
    },
    ctx.signal,
  );
  if (result.spawnError) return { ok: false, message: `Cannot run the command in ${cwd}: ${result.spawnError.message}.`, code: 'E604', target: command };
  if (result.timedOut) return { ok: false, message: `The command timed out: ${truncate(command)}.`, code: 'E204', target: command };
  if (result.exitCode === 0) return { ok: true, message: 'The command succeeded.', code: '', target: command };
  const output = (result.stderr || result.stdout).trim();
  return { ok: false, message: `The command exited with ${result.exitCode ?? result.signal}: ${truncate(command)}${output ? ` — ${truncate(output, 160)}` : ''}`, code: 'E203', target: command };
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Runs every rule that applies to this sheet, stage by stage. */
export async function runValidations(rules: readonly ValidationRule[], ctx: ValidationContext): Promise<ValidationOutcome> {
  const results: RuleResult[] = [];
  const stages = [...new Set(rules.map((r) => r.stage))].sort((a, b) => a - b);
  let failedStage: number | undefined;
  for (const stage of stages) {
    for (const [index, rule] of rules.entries()) {
      if (rule.stage !== stage) continue;
      const description = rule.description ?? `${rule.type} ${rule.path ?? rule.command ?? ''}`.trim();
      const base = { index, type: rule.type, description, stage };
      if (!conditionHolds(rule.condition, ctx.values)) {
        results.push({ ...base, status: 'skipped', message: `Condition "${rule.condition}" does not hold for this sheet.`, errorCode: '', target: '' });
        continue;
      }
      if (failedStage !== undefined) {
        results.push({ ...base, status: 'not_run', message: `Not run: stage ${failedStage} failed.`, errorCode: 'E209', target: '' });
        continue;
      }
      if (rule.type === 'command_succeeds') {
        const check = await checkCommandRule(rule, ctx);
        results.push({ ...base, status: check.ok ? 'passed' : 'failed', message: check.message, errorCode: check.code, target: check.target });
        continue;
      }
      const path = resolvePath(ctx, rule.path ?? '');
      let check = await checkFileRule(rule, path, ctx).catch((e: Error) => ({ ok: false, message: `Cannot read ${path}: ${e.message}.`, code: 'E201' }));
      for (let attempt = 0; !check.ok && attempt < rule.retry_count && !ctx.signal?.aborted; attempt++) {
        await delay(rule.retry_delay_ms);
        check = await checkFileRule(rule, path, ctx).catch((e: Error) => ({ ok: false, message: `Cannot read ${path}: ${e.message}.`, code: 'E201' }));
      }
      results.push({ ...base, status: check.ok ? 'passed' : 'failed', message: check.message, errorCode: check.code, target: path });
    }
    if (failedStage === undefined && results.some((r) => r.stage === stage && r.status === 'failed')) failedStage = stage;
  }
  results.sort((a, b) => a.index - b.index);
  const passed = results.filter((r) => r.status === 'passed').length;
  const applicable = results.filter((r) => r.status !== 'skipped').length;
  return { results, passed, applicable, percent: applicable === 0 ? 100 : (passed / applicable) * 100, allPassed: passed === applicable };
}
