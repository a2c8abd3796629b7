// What the learning store keeps of one sheet attempt. Only identities (hashed where they could name
// private things), counts, codes and the score author's own rule descriptions: never a prompt, an
// agent's output, a validation command's output or anything from the environment.
import { createHash } from 'node:crypto';

/** One validation rule's verdict in an attempt. */
export interface RuleOutcome {
  /** Stable identity of the rule within its score (see {@link ruleKey}). */
  key: string;
  index: number;
  type: string;
  description: string;
  status: 'passed' | 'failed' | 'not_run';
  code?: string;
  /** A normalised cause ("pattern not found"), from the code and rule type, never from output. */
  reason?: string;
}

/** What the runner decided after the attempt. */
export type AttemptDecision = 'complete' | 'retry' | 'completion' | 'wait' | 'fail';

/** One sheet attempt, as recorded. Times are epoch milliseconds. */
export interface AttemptOutcome {
  /** Filled in by the store: its position in the log. */
  seq?: number;
  at: number;
  job: string;
  /** Score identity: a hash of its name and file. */
  score: string;
  /** Hash of the workspace path. */
  workspace: string;
  sheet: number;
  stage: number;
  instance: number;
  attempt: number;
  mode: 'normal' | 'completion';
  retries: number;
  prompt: { chars: number; rules: number; extensions: number };
  /** Ids of the learned patterns in this attempt's prompt, and the ones among them chosen to explore. */
  patterns: string[];
  explored: string[];
  rules: RuleOutcome[];
  passed: boolean;
  /** Share of applicable rules that passed, 0…1. */
  passRate: number;
  errorCode?: string;
  errorCategory?: string;
  /** Codes of the earlier failed attempts of this sheet in this run, oldest first. */
  priorCodes: string[];
  decision: AttemptDecision;
  durationMs: number;
  costUsd: number;
  backend: string;
  model?: string;
}

/** A short, stable hash (hex) of the parts. */
export function shortHash(...parts: readonly (string | number | null | undefined)[]): string {
  return createHash('sha256')
    .update(parts.map((p) => String(p ?? '')).join('\u0000'))
    .digest('hex')
    .slice(0, 16);
}

/** A score's identity: the same name from the same file is the same score across runs. */
export function scoreIdentity(name: string, scoreFile: string): string {
  return shortHash('score', name, scoreFile);
}

/** The parts of a rule that define what it checks. */
export interface RuleShape {
  type: string;
  path?: string | null;
  pattern?: string | null;
  command?: string | null;
  condition?: string | null;
}

/** A rule's identity: its score, position and what it checks, so an edited rule is a new rule. */
export function ruleKey(score: string, index: number, rule: RuleShape): string {
  return shortHash('rule', score, index, rule.type, rule.path, rule.pattern, rule.command, rule.condition);
}

const patternIds = new Map<string, string>();

/** A pattern's id: its kind and what it is about (remembered: detection asks for every pattern's id). */
export function patternId(kind: string, key: string): string {
  const memo = `${kind}\u0000${key}`;
  let id = patternIds.get(memo);
  if (id === undefined) {
    if (patternIds.size >= 100_000) patternIds.clear();
    id = shortHash('pattern', kind, key);
    patternIds.set(memo, id);
  }
  return id;
}

/**
 * The normalised cause of a failed rule, from its error code and type alone (a validation's
 * message can quote a command's output, which the store must not keep).
 */
export function semanticReason(code: string | undefined, type: string): string | undefined {
  switch (code) {
    case 'E201':
      return type === 'file_modified' ? 'file not modified' : 'file not created';
    case 'E202':
      return 'pattern not found';
    case 'E203':
      return 'command failed';
    case 'E204':
      return 'timeout';
    case 'E604':
      return 'validation setup';
    case 'E209':
      return 'earlier stage failed';
    default:
      return undefined;
  }
}

/** Longest rule description kept (they are the score author's words, shown in guidance). */
export const MAX_DESCRIPTION_CHARS = 160;

/** Trims a description to what the store keeps. */
export function clipDescription(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DESCRIPTION_CHARS ? `${flat.slice(0, MAX_DESCRIPTION_CHARS - 1)}…` : flat;
}
