// Helpers for backend tests: an attempt request, and what the runner would make of a result
// (decide, which classifies, with a real score's default retry and rate-limit settings).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AgentRequest, AgentResult, Backend } from '../../src/backends/types.js';
import { compileRateLimitPatterns } from '../../src/runner/classify.js';
import { decide } from '../../src/runner/decide.js';
import type { Decision } from '../../src/runner/decide.js';
import type { ClassifiedError } from '../../src/runner/errors.js';
import type { ValidationOutcome } from '../../src/runner/validations.js';
import { checkScore } from '../../../score/src/engine.js';
import type { Score } from '../../../score/src/score-types.js';
import { scoreDir } from '../support/job.js';

/** A request for sheet 1 in a temp folder, collecting live output into `output`. */
export function agentRequest(overrides: Partial<AgentRequest> = {}): AgentRequest & { output: { stream: string; text: string }[] } {
  const { dir } = scoreDir('');
  const output: { stream: string; text: string }[] = [];
  return {
    prompt: 'Summarise sheet 1.',
    sheetNum: 1,
    workspace: dir,
    cwd: dir,
    timeoutMs: 60_000,
    captureBytes: 10_240,
    onOutput: (stream, text) => output.push({ stream, text }),
    output,
    ...overrides,
  };
}

let defaults: Score | undefined;

/** A score with every default applied (rate_limit.wait_minutes 60, retry.max_retries 3, …). */
function defaultScore(): Score {
  if (defaults) return defaults;
  const { scoreFile } = scoreDir('name: t\nworkspace: ./ws\nsheet: { size: 1, total_items: 1 }\nprompt: { template: x }\n');
  const checked = checkScore(scoreFile, readFileSync(scoreFile, 'utf8'));
  assert.ok(checked.score);
  defaults = checked.score;
  return defaults;
}

/** What the runner decides after this result when one validation failed. */
export function runnerView(result: AgentResult): { error: ClassifiedError; decision: Decision } {
  const score = defaultScore();
  const outcome: ValidationOutcome = { results: [], passed: 0, applicable: 1, percent: 0, allPassed: false };
  const counters = { retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0 };
  const verdict = decide({ sheet: 1, result, checked: outcome, counters, spent: { sheet: 0, job: 0 }, cost: 0, rateLimitPatterns: compileRateLimitPatterns(score.rate_limit.detection_patterns), stopping: false }, score);
  assert.ok(verdict.error, 'a failed validation always has a classified error');
  return { error: verdict.error, decision: verdict.next };
}

/**
 * The contract every HTTP backend keeps on cancel: abort while the server holds the request, and
 * the attempt ends as cancelled (not timed out, no exit code).
 */
export async function assertAbortCancelsInFlight(backend: Backend, server: { nextRequest(): Promise<unknown> }): Promise<void> {
  const controller = new AbortController();
  const pending = backend.execute(agentRequest(), controller.signal);
  await server.nextRequest();
  controller.abort();
  const result = await pending;
  assert.deepEqual([result.cancelled, result.timedOut, result.exitCode], [true, false, null]);
}
