// Outcomes for the learning tests: a plain attempt with defaults, changed where a case needs it.
import type { AttemptOutcome, RuleOutcome } from '../../src/learning/outcome.js';

export const T0 = Date.parse('2026-03-02T10:00:00Z');
export const DAY = 86_400_000;

/** One rule verdict (a content check of the score 'S' by default). */
export function rule(status: RuleOutcome['status'], over: Partial<RuleOutcome> = {}): RuleOutcome {
  return { key: 'rule-a', index: 0, type: 'content_contains', description: 'answer is 42', status, ...(status === 'failed' ? { code: 'E202', reason: 'pattern not found' } : {}), ...over };
}

/** An attempt of sheet 1 of score 'S' (job 'job'), passing unless told otherwise. */
export function outcome(over: Partial<AttemptOutcome> = {}): AttemptOutcome {
  const passed = over.passed ?? true;
  return {
    at: T0,
    job: 'job',
    score: 'S',
    workspace: 'W',
    sheet: 1,
    stage: 1,
    instance: 1,
    attempt: 1,
    mode: 'normal',
    retries: 0,
    prompt: { chars: 100, rules: 1, extensions: 0 },
    patterns: [],
    explored: [],
    rules: [rule(passed ? 'passed' : 'failed')],
    passed,
    passRate: passed ? 1 : 0,
    ...(passed ? {} : { errorCode: 'E202', errorCategory: 'validation' }),
    priorCodes: [],
    decision: passed ? 'complete' : 'retry',
    durationMs: 10,
    costUsd: 0,
    backend: 'command',
    ...over,
  };
}

/** A run of one sheet: the first attempt fails its rule, the completion attempt passes. */
export function failThenComplete(at: number, over: Partial<AttemptOutcome> = {}): AttemptOutcome[] {
  return [
    outcome({ at, passed: false, decision: 'completion', ...over }),
    outcome({ at: at + 1000, attempt: 2, mode: 'completion', priorCodes: ['E202'], ...over, passed: true, rules: [rule('passed')], passRate: 1, decision: 'complete' }),
  ];
}
