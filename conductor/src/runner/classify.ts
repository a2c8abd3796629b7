// Classifies why an attempt failed, from the agent's result and the validation outcome. Pure.
import type { AgentResult } from '../backends/types.js';
import { compilePattern } from '../../../score/src/regex.js';
import type { ClassifiedError } from './errors.js';
import type { ValidationOutcome } from './validations.js';

const QUOTA_PATTERNS = [
  /token.{0,10}(budget.{0,10})?(exhausted|depleted|used up)/i,
  /usage.{0,10}(will\s+)?reset.{0,10}(at|in)/i,
  /resets?.{0,10}\d+\s*[ap]m/i,
  /resets?.{0,10}in\s+\d+\s*(hour|minute|min|hr)/i,
  /(daily|hourly|weekly).{0,10}(token|usage).{0,10}limit/i,
  /(used|consumed).{0,10}all.{0,10}(token|credit)/i,
  /no.{0,10}(token|credit)s?.{0,10}(left|remaining)/i,
];
const AUTH_PATTERNS = /unauthori[sz]ed|authentication|invalid.?api.?key|invalid x-api-key|\b401\b|\b403\b/i;
const CAPACITY_PATTERNS = /overloaded|service.?unavailable|\b529\b|capacity/i;
const DNS_PATTERNS = /getaddrinfo|ENOTFOUND|could not resolve|name.?resolution/i;
const TLS_PATTERNS = /ssl.?error|tls.?error|certificate|handshake.?failed/i;
const NETWORK_PATTERNS = /ECONNREFUSED|ECONNRESET|connection.?(refused|reset)|network.?unreachable|socket hang up/i;
const NETWORK_TIMEOUT = /ETIMEDOUT|connection.?timed? ?out/i;
const OOM_PATTERNS = /out of memory|ENOMEM|JavaScript heap out of memory|Killed$/im;

/** Compiles the score's rate-limit patterns once per job (invalid ones were refused by V007). */
export function compileRateLimitPatterns(patterns: readonly string[]): RegExp[] {
  return patterns.flatMap((p) => {
    const compiled = compilePattern(p, 'i');
    return compiled.ok ? [compiled.regex] : [];
  });
}

/** The backend's retry-after hint, as a ClassifiedError field and a note for the message. */
function retryAfter(result: AgentResult): { hint: Pick<ClassifiedError, 'waitMs'>; note: string } {
  const ms = result.retryAfterMs;
  if (ms === undefined) return { hint: {}, note: '' };
  return { hint: { waitMs: ms }, note: ` The API asked to retry after ${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s.` };
}

function tail(text: string, max = 200): string {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length > max ? `…${t.slice(-max)}` : t;
}

/**
 * Decides what went wrong with an attempt whose validations did not all pass. Execution problems
 * (timeouts, signals, rate limits, auth, network) come first: they explain missing output.
 */
export function classifyFailure(result: AgentResult, validation: ValidationOutcome, rateLimitPatterns: readonly RegExp[]): ClassifiedError {
  if (result.startError) {
    const fatal = result.startError.code !== 'E501';
    return { code: result.startError.code, category: fatal ? 'configuration' : 'network', message: result.startError.message, retryable: !fatal };
  }
  if (result.cancelled) return { code: 'E004', category: 'signal', message: 'The attempt was interrupted (job paused, cancelled or conductor stopping).', retryable: true };
  if (result.stalled) {
    return { code: 'E001', category: 'timeout', message: `The agent produced no output for too long (stale_detection) and was stopped after ${(result.durationMs / 1000).toFixed(0)} s.`, retryable: true };
  }
  if (result.timedOut) {
    return { code: 'E001', category: 'timeout', message: `The agent ran past its time limit after ${(result.durationMs / 1000).toFixed(0)} s; its process group was killed.`, retryable: true };
  }
  const failedRun = result.exitCode !== 0 || result.isError === true || result.signal !== null;
  const allOutput = [result.stderr, result.stdout, result.resultText ?? ''].join('\n');
  // Agent text that merely mentions "429" must not count as a rate limit: look at stdout only when the run failed.
  const evidence = failedRun ? allOutput : result.stderr;
  const status = result.apiErrorStatus;

  const after = retryAfter(result);
  if (status === 429 || (evidence && rateLimitPatterns.some((p) => p.test(evidence)))) {
    if (QUOTA_PATTERNS.some((p) => p.test(evidence))) {
      return { code: 'E104', category: 'rate_limit', wait: 'quota', retryable: true, ...after.hint, message: `Usage quota exhausted: ${tail(evidence)}${after.note}` };
    }
    const code = status === 429 ? 'E101' : 'E102';
    return { code, category: 'rate_limit', wait: 'rate_limit', retryable: true, ...after.hint, message: `Rate limited${status ? ` (HTTP ${status})` : ''}: ${tail(evidence)}${after.note}` };
  }
  if (failedRun) {
    if (status === 401 || status === 403 || (status === undefined && AUTH_PATTERNS.test(evidence))) {
      return { code: 'E502', category: 'auth', retryable: false, message: `Authentication failed${status ? ` (HTTP ${status})` : ''}: ${tail(evidence)}. Check the API key or log in again.` };
    }
    if (status === 529 || status === 503 || CAPACITY_PATTERNS.test(evidence)) {
      return { code: 'E103', category: 'rate_limit', wait: 'rate_limit', retryable: true, ...after.hint, message: `The service is over capacity: ${tail(evidence)}${after.note}` };
    }
    if (DNS_PATTERNS.test(evidence)) return { code: 'E902', category: 'network', retryable: true, message: `Name resolution failed: ${tail(evidence)}` };
    if (TLS_PATTERNS.test(evidence)) return { code: 'E903', category: 'network', retryable: true, message: `TLS failed: ${tail(evidence)}` };
    if (NETWORK_TIMEOUT.test(evidence)) return { code: 'E904', category: 'network', retryable: true, message: `Network timeout: ${tail(evidence)}` };
    if (NETWORK_PATTERNS.test(evidence)) return { code: 'E901', category: 'network', retryable: true, message: `Network connection failed: ${tail(evidence)}` };
    if (status !== undefined && status >= 500) return { code: 'E503', category: 'transient', retryable: true, message: `The API answered HTTP ${status}: ${tail(evidence)}` };
    if (result.signal === 'SIGKILL' || result.exitCode === 137) {
      const oom = OOM_PATTERNS.test(allOutput);
      return { code: oom ? 'E005' : 'E002', category: 'signal', retryable: true, message: oom ? 'The agent ran out of memory and was killed.' : 'The agent was killed (SIGKILL) by something outside Mozart.' };
    }
    if (result.signal !== null) return { code: 'E003', category: 'signal', retryable: true, message: `The agent crashed with ${result.signal}.` };
  }
  const exitNote = result.exitCode !== 0 && result.exitCode !== null ? ` The agent exited with code ${result.exitCode}${result.stderr.trim() ? `: ${tail(result.stderr, 160)}` : ''}.` : '';
  const first = validation.results.find((r) => r.status === 'failed');
  if (first) {
    return { code: first.errorCode, category: 'validation', retryable: true, message: `${first.message}${exitNote}` };
  }
  return { code: 'E009', category: 'transient', retryable: true, message: `The attempt failed for an unknown reason.${exitNote}` };
}
