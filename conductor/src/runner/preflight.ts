// Checks made before an attempt, and the error codes the catalogue defines for problems found only
// at run time: a prompt too large for the model (E602), a file the score names that has gone (E303),
// a field a hook needs (E302), an MCP configuration the CLI cannot load (E305), a checkpoint written
// by another version (E404), a backend request that timed out (E504). Pure: facts in, a verdict out.
import { isAbsolute, resolve } from 'node:path';
import type { ClassifiedError } from './errors.js';

/** Characters per token, the original's rough estimate for English text and code. */
export const CHARS_PER_TOKEN = 4;
/** Above this many estimated tokens the attempt runs with a warning. */
export const PROMPT_WARN_TOKENS = 50_000;
/** Above this many the attempt does not run: the prompt would not fit the model's context. */
export const PROMPT_REFUSE_TOKENS = 150_000;

export type PromptSize = { kind: 'ok'; tokens: number } | { kind: 'warn'; tokens: number; message: string } | { kind: 'refuse'; tokens: number; error: ClassifiedError };

/** E602: estimates the prompt's tokens and decides whether it may be sent. */
export function promptSize(prompt: string): PromptSize {
  const tokens = Math.floor(prompt.length / CHARS_PER_TOKEN);
  const figure = tokens.toLocaleString('en-US');
  if (tokens > PROMPT_REFUSE_TOKENS) {
    return {
      kind: 'refuse',
      tokens,
      error: { code: 'E602', category: 'preflight', retryable: false, message: `The prompt is about ${figure} tokens, over the ${PROMPT_REFUSE_TOKENS.toLocaleString('en-US')} a sheet may send; it was not sent. Give the sheet less (fewer items per sheet, shorter cross_sheet captures, a smaller template) and resume.` },
    };
  }
  if (tokens > PROMPT_WARN_TOKENS) return { kind: 'warn', tokens, message: `The prompt is about ${figure} tokens (over ${PROMPT_WARN_TOKENS.toLocaleString('en-US')}); long prompts cost more and can lower the quality of the answer.` };
  return { kind: 'ok', tokens };
}

/** E303: a file the score names (template_file, system_prompt_file, a hook's job_path) is missing at run time. */
export function missingPath(field: string, path: string, exists: (path: string) => boolean): ClassifiedError | undefined {
  if (exists(path)) return undefined;
  return { code: 'E303', category: 'configuration', retryable: false, message: `${field} names ${path}, which does not exist (it was there when the score was checked, or is made by an earlier step that did not run). Restore it or fix ${field}, then resume.` };
}

/** E302: an on_success hook without the field its type needs. */
export function hookFieldMissing(hook: { type: string; job_path?: string | null; command?: string | null }, index: number): ClassifiedError | undefined {
  const needs = hook.type === 'run_job' ? 'job_path' : 'command';
  const value = hook.type === 'run_job' ? hook.job_path : hook.command;
  if (typeof value === 'string' && value.trim() !== '') return undefined;
  return { code: 'E302', category: 'configuration', retryable: false, message: `on_success[${index}] (${hook.type}) has no ${needs}; add it to the hook.` };
}

/**
 * E305: `--mcp-config FILE` in cli_extra_args naming a file that is not there, or the CLI's own
 * report that an MCP server configuration is invalid.
 */
export function mcpConfigProblem(extraArgs: readonly string[], cwd: string, exists: (path: string) => boolean, stderr = ''): ClassifiedError | undefined {
  for (let i = 0; i < extraArgs.length; i++) {
    const arg = extraArgs[i] as string;
    const value = arg === '--mcp-config' ? extraArgs[i + 1] : arg.startsWith('--mcp-config=') ? arg.slice('--mcp-config='.length) : undefined;
    if (value === undefined || value.trim().startsWith('{')) continue; // inline JSON
    const path = isAbsolute(value) ? value : resolve(cwd, value);
    if (!exists(path)) return { code: 'E305', category: 'configuration', retryable: false, message: `backend.cli_extra_args passes --mcp-config ${value}, but ${path} does not exist. Fix the path, or set backend.disable_mcp.` };
  }
  if (/\bmcp\b.*\b(config(uration)?|server)\b.*\b(invalid|error|failed|not found)\b/i.test(stderr)) {
    return { code: 'E305', category: 'configuration', retryable: false, message: `The CLI could not load its MCP configuration: ${stderr.trim().split('\n').slice(-1)[0]?.slice(0, 200) ?? ''}. Fix the MCP servers it is given, or set backend.disable_mcp: true.` };
  }
  return undefined;
}

/** The checkpoint format this version writes and reads. */
export const STATE_VERSION = 1;

/** E404: a checkpoint from another version of Mozart; reading it as ours could lose its progress. */
export function stateVersionProblem(version: unknown, stateDir: string): ClassifiedError | undefined {
  if (version === STATE_VERSION) return undefined;
  return { code: 'E404', category: 'configuration', retryable: false, message: `The checkpoint in ${stateDir} has format version ${JSON.stringify(version)}, and this version of Mozart reads version ${STATE_VERSION}. It was left untouched; run the job with the Mozart that wrote it, or start over with --fresh.` };
}

/** E504 for a request to an API backend that timed out (an agent process past its limit stays E001). */
export function timeoutError(backend: string, seconds: number): ClassifiedError {
  const api = backend === 'anthropic_api' || backend === 'ollama';
  return api
    ? { code: 'E504', category: 'timeout', retryable: true, message: `The ${backend} request got no complete answer within ${seconds.toFixed(0)} s and was cancelled.` }
    : { code: 'E001', category: 'timeout', retryable: true, message: `The agent ran past its time limit after ${seconds.toFixed(0)} s; its process group was killed.` };
}
