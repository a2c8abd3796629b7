// Self-healing: when a sheet is about to fail for good (retries spent, or an error retries cannot
// fix), look for a known cause. Automatic remedies fix what is safe to fix (a missing folder inside
// the job's own folders) and earn the sheet a fresh retry budget; suggested ones (anything outside
// them) run only with --yes; diagnostic ones say exactly what a person must do. A remedy's fix is
// the same value as an editor quick fix (score/src/findings.ts), carried out by the same executor.
import { existsSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative } from 'node:path';
import { checkScoreFile } from '../../../score/src/engine.js';
import { applyFixOnDisk } from '../../../score/src/fix-apply.js';
import { clip } from '../../../score/src/finding-text.js';
import type { Finding, Fix } from '../../../score/src/findings.js';
import type { Score } from '../../../score/src/score-types.js';
import type { ClassifiedError } from './errors.js';
import type { RuleResult } from './validations.js';

/** How far a remedy may go without asking. */
export type RemedyKind = 'automatic' | 'suggested' | 'diagnostic';

/** What healing knows about the failure. */
export interface HealingContext {
  error: ClassifiedError;
  /** The last attempt's validation results (empty when the agent never ran). */
  rules: readonly RuleResult[];
  score: Score;
  scoreFile: string;
  workspace: string;
  /** Where the agent runs. */
  cwd: string;
  /** How the score is checked again for advice (the conductor's checks, off its event loop for a big score); default in place. */
  checkScore?: ScoreFileCheck;
}

/** A check of a score file: its findings, or why it could not be read. */
export type ScoreFileCheck = (file: string) => Promise<{ result?: { findings: readonly Finding[] }; error?: string }>;

/** One remedy that applies to a failure. */
export interface Remedy {
  name: string;
  kind: RemedyKind;
  /** What it does (automatic, suggested) or what a person must do (diagnostic). */
  description: string;
  /** What carrying the remedy out does; undefined for diagnostics. */
  fix?: Fix;
}

/** What one healing pass did. */
export interface HealingReport {
  /** Remedies carried out, with what each did. */
  applied: { name: string; message: string }[];
  /** Suggested remedies not applied (no --yes), with what they would do. */
  skipped: { name: string; message: string }[];
  /** Guidance for what healing cannot do. */
  diagnostics: { name: string; message: string }[];
}

/** Healing passes per sheet before it is allowed to fail. */
export const MAX_HEALING_ATTEMPTS = 2;

const inside = (folder: string, path: string): boolean => {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** The nearest existing ancestor of a path, and the folders missing below it. */
function missingFolders(folder: string): string[] {
  const missing: string[] = [];
  let current = folder;
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing;
}

function createFolder(title: string, folder: string, safe: boolean): Fix {
  return { title, safe, actions: [{ kind: 'createDirectory', path: folder }] };
}

/** Every remedy that applies to this failure, most specific first. */
export async function findRemedies(ctx: HealingContext): Promise<Remedy[]> {
  const remedies: Remedy[] = [];
  const { error } = ctx;
  const ownFolders = [ctx.workspace, ctx.cwd];

  if (error.code === 'E603' && !existsSync(ctx.cwd)) {
    const automatic = ownFolders.some((f) => f !== ctx.cwd && inside(f, ctx.cwd)) || missingFolders(ctx.cwd).length === 1;
    const description = `Create the agent's working directory ${ctx.cwd}.`;
    remedies.push({ name: 'create-working-directory', kind: automatic ? 'automatic' : 'suggested', description, fix: createFolder(description, ctx.cwd, automatic) });
  }

  for (const rule of ctx.rules) {
    if (rule.status !== 'failed' || rule.errorCode !== 'E201' || !rule.target) continue;
    if (rule.target.includes('\\')) {
      remedies.push({ name: 'path-separators', kind: 'diagnostic', description: `Validation ${rule.index + 1} looks for ${rule.target}, which has backslashes; on this system paths use '/': ${rule.target.replace(/\\/g, '/')}. Fix the path in the score.` });
      continue;
    }
    const parent = dirname(rule.target);
    if (existsSync(parent)) continue;
    // The agent could not write the file because its folder is missing: create the folder.
    const automatic = ownFolders.some((f) => inside(f, parent));
    const description = `Create ${parent}, the folder validation ${rule.index + 1} expects ${rule.target} in${automatic ? '' : ' (outside the workspace, so only with --yes)'}.`;
    remedies.push({ name: 'create-output-folder', kind: automatic ? 'automatic' : 'suggested', description, fix: createFolder(description, parent, automatic) });
  }

  if (error.code === 'E304') remedies.push({ name: 'template-syntax', kind: 'diagnostic', description: await templateAdvice(ctx.scoreFile, ctx.checkScore ?? (async (file) => checkScoreFile(file))) });
  if (error.code === 'E502' || error.category === 'auth') remedies.push({ name: 'authentication', kind: 'diagnostic', description: authAdvice(ctx.score) });
  if (error.code === 'E505') remedies.push({ name: 'missing-agent-program', kind: 'diagnostic', description: missingProgramAdvice(ctx.score) });
  return dedupe(remedies);
}

function dedupe(remedies: Remedy[]): Remedy[] {
  const seen = new Set<string>();
  return remedies.filter((r) => {
    const key = `${r.name}:${r.description}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function templateAdvice(scoreFile: string, checkScore: ScoreFileCheck): Promise<string> {
  const checked = await checkScore(scoreFile);
  if (checked.error !== undefined) return `The prompt template does not render, and the score cannot be re-read: ${checked.error}.`;
  const findings = (checked.result?.findings ?? []).filter((f) => f.id === 'V001' || f.id === 'V101');
  if (findings.length === 0) return `The prompt template does not render. Run 'mozart validate ${scoreFile}'.`;
  return findings
    .slice(0, 3)
    .map((f) => `${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.id} ${clip(f.message)}${f.fixes?.[0] ? ` Fix: ${clip(f.fixes[0].title)}.` : ''}`)
    .join(' ');
}

function authAdvice(score: Score): string {
  const backend = score.backend;
  if (backend.type === 'anthropic_api') {
    const name = backend.api_key_env;
    return process.env[name] ? `The API refused the key in ${name}. Check that it is current and has access to ${backend.model}.` : `${name} is not set in the conductor's environment. Set it and restart the conductor ('mozart restart').`;
  }
  if (backend.type === 'claude_cli') return "The claude CLI is not logged in or its key was refused. Run 'claude' once in a terminal to log in (or set ANTHROPIC_API_KEY for the conductor), then resume.";
  return 'The agent reported an authentication failure. Check its credentials, then resume.';
}

function missingProgramAdvice(score: Score): string {
  const backend = score.backend;
  if (backend.type !== 'claude_cli') return `The agent program could not be started. Check that it is installed and on the conductor's PATH.`;
  const configured = backend.cli_path ?? process.env.MOZART_CLAUDE_PATH;
  if (configured) return `backend.cli_path / MOZART_CLAUDE_PATH points at ${configured}, which ${existsSync(configured) ? 'exists but cannot be run (check it is executable)' : 'does not exist'}.`;
  const onPath = (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'claude')));
  return onPath
    ? "A 'claude' is on PATH but could not be started; check it runs in a terminal."
    : "No 'claude' on the conductor's PATH. Install it (npm install -g @anthropic-ai/claude-code) or set backend.cli_path, then resume.";
}

/** Carries out the remedies a healing pass may: automatic ones, and suggested ones with --yes. */
export function heal(remedies: readonly Remedy[], autoConfirm: boolean): HealingReport {
  const report: HealingReport = { applied: [], skipped: [], diagnostics: [] };
  for (const remedy of remedies) {
    if (remedy.kind === 'diagnostic' || !remedy.fix) {
      report.diagnostics.push({ name: remedy.name, message: remedy.description });
      continue;
    }
    if (remedy.kind === 'suggested' && !autoConfirm) {
      report.skipped.push({ name: remedy.name, message: `${remedy.description} Run with --yes to allow it.` });
      continue;
    }
    const outcome = applyFixOnDisk(remedy.fix);
    if (outcome.failure) {
      report.diagnostics.push({ name: remedy.name, message: `Could not ${remedy.description.charAt(0).toLowerCase()}${remedy.description.slice(1)} ${outcome.failure.message}` });
    } else report.applied.push({ name: remedy.name, message: outcome.done.join(' ') });
  }
  return report;
}
