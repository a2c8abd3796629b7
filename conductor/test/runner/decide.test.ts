// Table tests for the runner's decisions (decide.ts) and for classifyFailure: one row per case,
// the facts in and the verdict expected. The rows cover every branch of gate(), decide() and
// jobVerdict(), and every error code and category of the runtime spec (Lifecycle, Error codes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import type { AgentResult } from '../../src/backends/types.js';
import { classifyFailure, compileRateLimitPatterns } from '../../src/runner/classify.js';
import { decide, gate, jobVerdict, nextStep, retryDelayMs } from '../../src/runner/decide.js';
import type { AttemptCounters, AttemptFacts, Decision, GateFacts, JobFacts } from '../../src/runner/decide.js';
import { ERROR_TITLES } from '../../src/runner/errors.js';
import type { ClassifiedError, ErrorCategory } from '../../src/runner/errors.js';
import type { RuleResult, ValidationOutcome } from '../../src/runner/validations.js';
import { checkScore } from '../../../score/src/engine.js';
import type { Score } from '../../../score/src/score-types.js';
import { scoreDir } from '../support/job.js';

/** The defaults of a real score, with the numbers the rows below rely on made explicit. */
function settings(): Score {
  const { scoreFile } = scoreDir('name: t\nworkspace: ./ws\nsheet: { size: 1, total_items: 1 }\nprompt: { template: x }\n');
  const score = checkScore(scoreFile, readFileSync(scoreFile, 'utf8')).score;
  assert.ok(score);
  return {
    ...score,
    retry: { ...score.retry, max_retries: 2, base_delay_seconds: 10, exponential_base: 2, max_delay_seconds: 30, jitter: false, completion_threshold_percent: 50, max_completion_attempts: 2, completion_delay_seconds: 5 },
    rate_limit: { ...score.rate_limit, wait_minutes: 60, max_waits: 3, max_quota_waits: 2 },
    cost_limits: { ...score.cost_limits, enabled: false, max_cost_per_sheet: null, max_cost_per_job: null, warn_at_percent: 80 },
    circuit_breaker: { ...score.circuit_breaker, enabled: true, failure_threshold: 3, recovery_timeout_seconds: 20 },
  };
}
const S = settings();
const patterns = compileRateLimitPatterns(S.rate_limit.detection_patterns);

const ok: AgentResult = { exitCode: 0, signal: null, stdout: 'done', stderr: '', durationMs: 1000, timedOut: false, cancelled: false };
const run = (over: Partial<AgentResult>): AgentResult => ({ ...ok, ...over });
const rule = (status: RuleResult['status'], errorCode = 'E201'): RuleResult => ({ index: 0, type: 'file_exists', description: 'out.txt', stage: 1, status, message: status === 'failed' ? 'out.txt is missing' : '', errorCode, target: 'out.txt' });
const outcome = (...statuses: RuleResult['status'][]): ValidationOutcome => {
  const results = statuses.map((s, i) => ({ ...rule(s), index: i }));
  const passed = results.filter((r) => r.status === 'passed').length;
  const applicable = results.filter((r) => r.status !== 'skipped').length;
  return { results, passed, applicable, percent: applicable === 0 ? 100 : (passed / applicable) * 100, allPassed: passed === applicable };
};
const failedOn = (code: string): ValidationOutcome => ({ results: [rule('failed', code)], passed: 0, applicable: 1, percent: 0, allPassed: false });
const fresh: AttemptCounters = { retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0 };
const facts = (over: Partial<AttemptFacts>): AttemptFacts => ({ sheet: 1, result: ok, checked: outcome('passed'), counters: fresh, spent: { sheet: 0, job: 0 }, cost: 0, rateLimitPatterns: patterns, stopping: false, ...over });

/** Only what a row checks: the decision's kind, and its code or wait kind when it has one. */
function brief(d: Decision): string {
  if (d.kind === 'fail') return `fail ${d.code} ${d.category}${d.heal ? '' : ' no-heal'}`;
  if (d.kind === 'wait') return `wait ${d.wait} ${d.delayMs}`;
  if (d.kind === 'retry' || d.kind === 'completion') return `${d.kind} ${d.delayMs}`;
  return d.kind;
}

test('decide: one row per branch of the per-attempt decision', () => {
  const withCost = { ...S, cost_limits: { ...S.cost_limits, enabled: true, max_cost_per_sheet: 1, max_cost_per_job: 5 } };
  const rows: { name: string; facts: AttemptFacts; settings?: Score; next: string; breaker: 'reset' | 'count' | 'keep'; error?: string; stopJob?: boolean }[] = [
    { name: 'all validations pass', facts: facts({}), next: 'complete', breaker: 'reset' },
    { name: 'no rule applies and the agent exited 0', facts: facts({ checked: outcome() }), next: 'complete', breaker: 'reset' },
    { name: 'no rule applies and the agent failed (not "done")', facts: facts({ checked: outcome(), result: run({ exitCode: 1 }) }), next: 'retry 10000', breaker: 'count', error: 'E009' },
    { name: 'no rule applies and the API reported an error', facts: facts({ checked: outcome(), result: run({ isError: true, apiErrorStatus: 500, stdout: 'internal error' }) }), next: 'retry 10000', breaker: 'count', error: 'E503' },
    { name: 'interrupted by pause or cancel', facts: facts({ result: run({ cancelled: true, exitCode: null }), stopping: true }), next: 'interrupted', breaker: 'keep' },
    { name: 'cancelled by the backend without a stop asked for is a failure', facts: facts({ result: run({ cancelled: true, exitCode: null }), checked: outcome('failed') }), next: 'retry 10000', breaker: 'count', error: 'E004' },
    { name: 'validation failed, first retry', facts: facts({ checked: outcome('failed') }), next: 'retry 10000', breaker: 'count', error: 'E201' },
    { name: 'validation failed, second retry backs off exponentially', facts: facts({ checked: outcome('failed'), counters: { ...fresh, retries: 1 } }), next: 'retry 20000', breaker: 'count', error: 'E201' },
    { name: 'retries exhausted', facts: facts({ checked: outcome('failed'), counters: { ...fresh, retries: 2 } }), next: 'fail E201 validation', breaker: 'count', error: 'E201' },
    { name: 'partial pass at the threshold asks for completion', facts: facts({ checked: outcome('passed', 'failed') }), next: 'completion 5000', breaker: 'count', error: 'E201' },
    { name: 'partial pass with completion attempts spent retries', facts: facts({ checked: outcome('passed', 'failed'), counters: { ...fresh, completionAttempts: 2 } }), next: 'retry 10000', breaker: 'count', error: 'E201' },
    { name: 'partial pass below the threshold retries', facts: facts({ checked: outcome('passed', 'failed', 'failed') }), next: 'retry 10000', breaker: 'count', error: 'E201' },
    { name: 'partial pass of a run that crashed is no completion', facts: facts({ checked: outcome('passed', 'failed'), result: run({ exitCode: null, signal: 'SIGSEGV' }) }), next: 'retry 10000', breaker: 'count', error: 'E003' },
    { name: 'rate limited: waits without spending a retry', facts: facts({ checked: outcome('failed'), result: run({ exitCode: 1, isError: true, apiErrorStatus: 429, stdout: 'rate limit' }), counters: { ...fresh, retries: 2 } }), next: 'wait rate_limit 3600000', breaker: 'keep', error: 'E101' },
    { name: 'rate limited with retry-after: the shorter wait', facts: facts({ checked: outcome('failed'), result: run({ exitCode: 1, isError: true, apiErrorStatus: 429, retryAfterMs: 7000, stdout: 'rate limit' }) }), next: 'wait rate_limit 7000', breaker: 'keep', error: 'E101' },
    { name: 'rate limited with waits used up', facts: facts({ checked: outcome('failed'), result: run({ exitCode: 1, isError: true, apiErrorStatus: 429 }), counters: { ...fresh, rateLimitWaits: 3 } }), next: 'fail E101 rate_limit', breaker: 'keep', error: 'E101' },
    { name: 'quota exhausted waits', facts: facts({ checked: outcome('failed'), result: run({ exitCode: 1, stderr: 'rate limit: token budget exhausted' }) }), next: 'wait quota 3600000', breaker: 'keep', error: 'E104' },
    { name: 'quota waits used up', facts: facts({ checked: outcome('failed'), result: run({ exitCode: 1, stderr: 'rate limit: token budget exhausted' }), counters: { ...fresh, quotaWaits: 2 } }), next: 'fail E104 rate_limit', breaker: 'keep', error: 'E104' },
    { name: 'not retryable (auth) fails at once', facts: facts({ checked: outcome('failed'), result: run({ exitCode: 1, isError: true, apiErrorStatus: 401 }) }), next: 'fail E502 auth', breaker: 'count', error: 'E502' },
    { name: 'sheet cost over max_cost_per_sheet', settings: withCost, facts: facts({ cost: 0.6, spent: { sheet: 0.5, job: 0.5 } }), next: 'fail E701 cost no-heal', breaker: 'reset' },
    { name: 'job cost over max_cost_per_job stops the job', settings: withCost, facts: facts({ cost: 0.6, spent: { sheet: 0, job: 4.5 } }), next: 'fail E701 cost no-heal', breaker: 'reset', stopJob: true },
    { name: 'cost within the limits', settings: withCost, facts: facts({ cost: 0.1, spent: { sheet: 0, job: 0 } }), next: 'complete', breaker: 'reset' },
    { name: 'cost limits off: any cost', facts: facts({ cost: 1000 }), next: 'complete', breaker: 'reset' },
  ];
  for (const row of rows) {
    const verdict = decide(row.facts, row.settings ?? S, () => 0.5);
    assert.equal(brief(verdict.next), row.next, row.name);
    assert.equal(verdict.breaker, row.breaker, `${row.name}: breaker`);
    assert.equal(verdict.error?.code, row.error, `${row.name}: error`);
    assert.equal(verdict.stopJob !== undefined, row.stopJob === true, `${row.name}: stops the job`);
  }
});

test('decide: cost warnings fire once, when spending crosses warn_at_percent', () => {
  const limits = { ...S, cost_limits: { ...S.cost_limits, enabled: true, max_cost_per_sheet: null, max_cost_per_job: 10 } };
  const rows = [
    { spentJob: 0, cost: 7, warnings: 0 },
    { spentJob: 7, cost: 1.5, warnings: 1 },
    { spentJob: 8.5, cost: 1, warnings: 0 },
  ];
  for (const row of rows) assert.equal(decide(facts({ cost: row.cost, spent: { sheet: 0, job: row.spentJob } }), limits).costWarnings.length, row.warnings, JSON.stringify(row));
});

test('retry delay: min(base × exponential_base^retries, max), jitter ±25 %', () => {
  const rows = [
    { retries: 0, jitter: false, random: 0, ms: 10_000 },
    { retries: 1, jitter: false, random: 0, ms: 20_000 },
    { retries: 5, jitter: false, random: 0, ms: 30_000 },
    { retries: 0, jitter: true, random: 0, ms: 7_500 },
    { retries: 0, jitter: true, random: 1, ms: 12_500 },
    { retries: 5, jitter: true, random: 1, ms: 30_000 },
  ];
  for (const row of rows) assert.equal(retryDelayMs({ ...S.retry, jitter: row.jitter }, row.retries, () => row.random), row.ms, JSON.stringify(row));
});

test('gate: one row per branch before an attempt', () => {
  const base: GateFacts = { stopping: false, prompt: 'do it', consecutiveFailures: 0, sharedRateLimitUntil: 0, now: 1_000, cwd: { path: '/work', exists: true, worktree: false }, extraArgs: [], exists: () => true };
  const e304: ClassifiedError = { code: 'E304', category: 'configuration', message: 'bad template', retryable: false };
  const off = { circuit_breaker: { ...S.circuit_breaker, enabled: false } };
  const rows: { name: string; facts: Partial<GateFacts>; settings?: Pick<Score, 'circuit_breaker'>; gate: string }[] = [
    { name: 'nothing in the way', facts: {}, gate: 'run' },
    { name: 'a stop was asked for', facts: { stopping: true, prompt: e304 }, gate: 'stop' },
    { name: 'the prompt cannot be rendered (E304)', facts: { prompt: e304 }, gate: 'refuse E304' },
    { name: 'breaker at the threshold opens', facts: { consecutiveFailures: 3 }, gate: 'circuit_open 20000 3→2' },
    { name: 'breaker below the threshold', facts: { consecutiveFailures: 2 }, gate: 'run' },
    { name: 'breaker disabled', facts: { consecutiveFailures: 50 }, settings: off, gate: 'run' },
    { name: 'another job waits out a rate limit', facts: { sharedRateLimitUntil: 5_000 }, gate: 'shared_wait 5000' },
    { name: 'a shared rate limit that has passed', facts: { sharedRateLimitUntil: 999 }, gate: 'run' },
    { name: 'working directory missing (E603)', facts: { cwd: { path: '/gone', exists: false, worktree: false } }, gate: 'refuse E603' },
    { name: 'worktree missing (E603)', facts: { cwd: { path: '/wt', exists: false, worktree: true } }, gate: 'refuse E603' },
    { name: 'prompt too large (E602)', facts: { prompt: 'x'.repeat(4 * 150_001) }, gate: 'refuse E602' },
    { name: 'long prompt runs with a warning', facts: { prompt: 'x'.repeat(4 * 50_001) }, gate: 'run warning' },
    { name: '--mcp-config names a missing file (E305)', facts: { extraArgs: ['--mcp-config', 'mcp.json'], exists: () => false }, gate: 'refuse E305' },
    { name: 'inline --mcp-config JSON', facts: { extraArgs: ['--mcp-config', '{"servers":{}}'], exists: () => false }, gate: 'run' },
  ];
  for (const row of rows) {
    const g = gate({ ...base, ...row.facts }, row.settings ?? S);
    const text =
      g.kind === 'refuse' ? `refuse ${g.error.code}` : g.kind === 'circuit_open' ? `circuit_open ${g.delayMs} ${g.failures}→${g.failuresAfter}` : g.kind === 'shared_wait' ? `shared_wait ${g.until}` : g.kind === 'run' && g.warning ? 'run warning' : g.kind;
    assert.equal(text, row.gate, row.name);
  }
});

test('jobVerdict: one row per way a job ends', () => {
  const done = { status: 'completed' as const };
  const failed = { status: 'failed' as const, lastError: { code: 'E201', category: 'validation', message: 'missing', attempt: 3, at: '' } };
  const rows: { name: string; facts: JobFacts; status: string; code?: string }[] = [
    { name: 'every sheet completed or skipped', facts: { sheets: { 1: done, 2: { status: 'skipped' } }, stop: undefined, costStop: undefined }, status: 'completed' },
    { name: 'cancel wins over everything', facts: { sheets: { 1: done }, stop: 'cancel', costStop: { code: 'E701', message: '' } }, status: 'cancelled' },
    { name: 'the job cost limit', facts: { sheets: { 1: done, 2: { status: 'pending' } }, stop: undefined, costStop: { code: 'E701', message: 'over' } }, status: 'failed', code: 'E701' },
    { name: 'paused with sheets left', facts: { sheets: { 1: done, 2: { status: 'pending' } }, stop: 'pause', costStop: undefined }, status: 'paused' },
    { name: 'paused after a sheet failed is failed', facts: { sheets: { 1: failed, 2: { status: 'pending' } }, stop: 'pause', costStop: undefined }, status: 'failed', code: 'E201' },
    { name: 'a failed sheet names its error', facts: { sheets: { 1: failed }, stop: undefined, costStop: undefined }, status: 'failed', code: 'E201' },
    { name: 'sheets left unrun behind a failed dependency', facts: { sheets: { 1: done, 2: { status: 'pending' } }, stop: undefined, costStop: undefined }, status: 'failed', code: 'E999' },
    { name: 'a failed sheet without a recorded error', facts: { sheets: { 1: { status: 'failed' } }, stop: undefined, costStop: undefined }, status: 'failed', code: 'E999' },
  ];
  for (const row of rows) {
    const v = jobVerdict(row.facts);
    assert.equal(v.status, row.status, row.name);
    assert.equal(v.error?.code, row.code, `${row.name}: code`);
  }
});

test('classifyFailure: one row per error code it gives, with its category and whether it retries', () => {
  const failedRule = failedOn('E201');
  const rows: { name: string; result: AgentResult; validation?: ValidationOutcome; code: string; category: ErrorCategory; retryable: boolean; wait?: string }[] = [
    { name: 'time limit', result: run({ exitCode: null, signal: 'SIGKILL', timedOut: true }), code: 'E001', category: 'timeout', retryable: true },
    { name: 'stale detection', result: run({ exitCode: null, signal: 'SIGKILL', stalled: true }), code: 'E001', category: 'timeout', retryable: true },
    { name: 'SIGKILL from outside', result: run({ exitCode: null, signal: 'SIGKILL' }), code: 'E002', category: 'signal', retryable: true },
    { name: 'a crash signal', result: run({ exitCode: null, signal: 'SIGSEGV' }), code: 'E003', category: 'signal', retryable: true },
    { name: 'interrupted', result: run({ cancelled: true, exitCode: null }), code: 'E004', category: 'signal', retryable: true },
    { name: 'out of memory', result: run({ exitCode: 137, stderr: 'JavaScript heap out of memory' }), code: 'E005', category: 'signal', retryable: true },
    { name: 'unknown', result: run({ exitCode: 2 }), validation: { results: [], passed: 0, applicable: 0, percent: 0, allPassed: false }, code: 'E009', category: 'transient', retryable: true },
    { name: 'API 429', result: run({ exitCode: 1, isError: true, apiErrorStatus: 429 }), code: 'E101', category: 'rate_limit', retryable: true, wait: 'rate_limit' },
    { name: 'CLI rate limit text', result: run({ exitCode: 1, stderr: 'Error: rate limit reached' }), code: 'E102', category: 'rate_limit', retryable: true, wait: 'rate_limit' },
    { name: 'over capacity (529)', result: run({ exitCode: 1, isError: true, apiErrorStatus: 529 }), code: 'E103', category: 'rate_limit', retryable: true, wait: 'rate_limit' },
    { name: 'over capacity (text)', result: run({ exitCode: 1, stderr: 'the service is overloaded' }), code: 'E103', category: 'rate_limit', retryable: true, wait: 'rate_limit' },
    { name: 'quota exhausted', result: run({ exitCode: 1, stderr: 'rate limit: usage will reset at 5pm' }), code: 'E104', category: 'rate_limit', retryable: true, wait: 'quota' },
    { name: 'file missing', result: ok, validation: failedOn('E201'), code: 'E201', category: 'validation', retryable: true },
    { name: 'content mismatch', result: ok, validation: failedOn('E202'), code: 'E202', category: 'validation', retryable: true },
    { name: 'command failed', result: ok, validation: failedOn('E203'), code: 'E203', category: 'validation', retryable: true },
    { name: 'validation timeout', result: ok, validation: failedOn('E204'), code: 'E204', category: 'validation', retryable: true },
    { name: 'validation setup', result: ok, validation: failedOn('E604'), code: 'E604', category: 'validation', retryable: true },
    { name: 'configuration invalid (API backend)', result: run({ exitCode: null, startError: { code: 'E301', message: 'no model' } }), code: 'E301', category: 'configuration', retryable: false },
    { name: 'CLI mode', result: run({ exitCode: null, startError: { code: 'E306', message: 'no such mode' } }), code: 'E306', category: 'configuration', retryable: false },
    { name: 'backend connection', result: run({ exitCode: null, startError: { code: 'E501', message: 'refused' } }), code: 'E501', category: 'network', retryable: true },
    { name: 'auth (401)', result: run({ exitCode: 1, isError: true, apiErrorStatus: 401 }), code: 'E502', category: 'auth', retryable: false },
    { name: 'auth (text)', result: run({ exitCode: 1, stderr: 'Invalid API key' }), code: 'E502', category: 'auth', retryable: false },
    { name: 'auth at start', result: run({ exitCode: null, startError: { code: 'E502', message: 'not logged in' } }), code: 'E502', category: 'configuration', retryable: false },
    { name: 'bad response (5xx)', result: run({ exitCode: 1, isError: true, apiErrorStatus: 500 }), code: 'E503', category: 'transient', retryable: true },
    { name: 'backend not found', result: run({ exitCode: null, startError: { code: 'E505', message: 'claude not found' } }), code: 'E505', category: 'configuration', retryable: false },
    { name: 'connection refused', result: run({ exitCode: 1, stderr: 'connect ECONNREFUSED 127.0.0.1:443' }), code: 'E901', category: 'network', retryable: true },
    { name: 'DNS', result: run({ exitCode: 1, stderr: 'getaddrinfo ENOTFOUND api.example' }), code: 'E902', category: 'network', retryable: true },
    { name: 'TLS', result: run({ exitCode: 1, stderr: 'SSL error: certificate verify failed' }), code: 'E903', category: 'network', retryable: true },
    { name: 'network timeout', result: run({ exitCode: 1, stderr: 'connect ETIMEDOUT' }), code: 'E904', category: 'network', retryable: true },
    { name: 'agent text mentioning 429 on a clean run is no rate limit', result: run({ stdout: 'HTTP 429 means too many requests' }), validation: failedRule, code: 'E201', category: 'validation', retryable: true },
  ];
  for (const row of rows) {
    const e = classifyFailure(row.result, row.validation ?? failedRule, patterns);
    assert.deepEqual([e.code, e.category, e.retryable, e.wait], [row.code, row.category, row.retryable, row.wait], row.name);
  }
});

test('every code of the runtime spec: who gives it, and what the runner does with it', () => {
  // Codes given outside classifyFailure (preflight, state, the job), as the runner receives them.
  const elsewhere: { code: string; category: ErrorCategory; retryable: boolean; next: string }[] = [
    { code: 'E302', category: 'configuration', retryable: false, next: 'fail E302 configuration' },
    { code: 'E303', category: 'configuration', retryable: false, next: 'fail E303 configuration' },
    { code: 'E304', category: 'configuration', retryable: false, next: 'fail E304 configuration' },
    { code: 'E305', category: 'configuration', retryable: false, next: 'fail E305 configuration' },
    { code: 'E401', category: 'fatal', retryable: false, next: 'fail E401 fatal' },
    { code: 'E402', category: 'fatal', retryable: false, next: 'fail E402 fatal' },
    { code: 'E403', category: 'fatal', retryable: false, next: 'fail E403 fatal' },
    { code: 'E404', category: 'configuration', retryable: false, next: 'fail E404 configuration' },
    { code: 'E504', category: 'timeout', retryable: true, next: 'retry 10000' },
    { code: 'E601', category: 'preflight', retryable: false, next: 'fail E601 preflight' },
    { code: 'E602', category: 'preflight', retryable: false, next: 'fail E602 preflight' },
    { code: 'E603', category: 'preflight', retryable: false, next: 'fail E603 preflight' },
    { code: 'E209', category: 'validation', retryable: true, next: 'retry 10000' },
    { code: 'E999', category: 'fatal', retryable: false, next: 'fail E999 fatal' },
  ];
  const failing = failedOn('E209');
  for (const row of elsewhere) {
    const d = nextStep(failing, { code: row.code, category: row.category, message: row.code, retryable: row.retryable }, fresh, S, () => 0.5);
    assert.equal(brief(d), row.next, row.code);
  }
  // Together with the classifyFailure table, the two cover the spec's list: each code has a title.
  // The spec's list (runtime.md, Error codes), plus E701 for cost limits.
  const codes = 'E001 E002 E003 E004 E005 E009 E101 E102 E103 E104 E201 E202 E203 E204 E209 E301 E302 E303 E304 E305 E306 E401 E402 E403 E404 E501 E502 E503 E504 E505 E601 E602 E603 E604 E901 E902 E903 E904 E999 E701'.split(' ');
  for (const code of codes) assert.ok(ERROR_TITLES[code], `${code} has a title for errors and diagnose`);
  const covered = new Set([...elsewhere.map((r) => r.code), 'E701', 'E001', 'E002', 'E003', 'E004', 'E005', 'E009', 'E101', 'E102', 'E103', 'E104', 'E201', 'E202', 'E203', 'E204', 'E301', 'E306', 'E501', 'E502', 'E503', 'E505', 'E604', 'E901', 'E902', 'E903', 'E904']);
  assert.deepEqual(codes.filter((c) => !covered.has(c)), [], 'every code in the spec has a row');
  // The spec's rule per category: rate limits wait; transient/network/timeout retry; auth/config/fatal fail fast.
  const byCategory: { category: ErrorCategory; retryable: boolean; wait?: 'rate_limit'; next: string }[] = [
    { category: 'rate_limit', retryable: true, wait: 'rate_limit', next: 'wait rate_limit 3600000' },
    { category: 'transient', retryable: true, next: 'retry 10000' },
    { category: 'network', retryable: true, next: 'retry 10000' },
    { category: 'timeout', retryable: true, next: 'retry 10000' },
    { category: 'signal', retryable: true, next: 'retry 10000' },
    { category: 'validation', retryable: true, next: 'retry 10000' },
    { category: 'auth', retryable: false, next: 'fail EX auth' },
    { category: 'configuration', retryable: false, next: 'fail EX configuration' },
    { category: 'fatal', retryable: false, next: 'fail EX fatal' },
    { category: 'preflight', retryable: false, next: 'fail EX preflight' },
  ];
  for (const row of byCategory) {
    const d = nextStep(failing, { code: 'EX', category: row.category, message: 'x', retryable: row.retryable, ...(row.wait ? { wait: row.wait } : {}) }, fresh, S, () => 0.5);
    assert.equal(brief(d), row.next, row.category);
  }
});
