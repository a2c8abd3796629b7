// Error codes and categories of the runtime (see the runtime spec), with the words users read.

/** Broad kinds of failure; they decide between waiting, retrying and failing at once. */
export type ErrorCategory = 'rate_limit' | 'transient' | 'validation' | 'auth' | 'network' | 'timeout' | 'signal' | 'fatal' | 'configuration' | 'preflight' | 'cost';

/** A classified failure: a code, its category and a message that says what happened. */
export interface ClassifiedError {
  code: string;
  category: ErrorCategory;
  message: string;
  /** Rate limits and quota exhaustion wait instead of spending a retry. */
  wait?: 'rate_limit' | 'quota';
  /** How long the API itself asked us to wait (retry-after), in ms; decide() prefers it. */
  waitMs?: number;
  /** False for failures a retry cannot fix (auth, configuration, a missing CLI). */
  retryable: boolean;
}

/** One-line meaning of each code, for `errors` and `diagnose`. */
export const ERROR_TITLES: Readonly<Record<string, string>> = {
  E001: 'execution timeout',
  E002: 'agent killed',
  E003: 'agent crashed',
  E004: 'interrupted',
  E005: 'out of memory',
  E009: 'unknown execution error',
  E101: 'API rate limit',
  E102: 'CLI rate limit',
  E103: 'capacity exceeded',
  E104: 'quota exhausted',
  E201: 'validation: file missing',
  E202: 'validation: content mismatch',
  E203: 'validation: command failed',
  E204: 'validation: timeout',
  E209: 'validation failed',
  E301: 'configuration invalid',
  E302: 'missing field',
  E303: 'path not found',
  E304: 'parse error',
  E305: 'MCP configuration',
  E306: 'CLI mode',
  E401: 'state corruption',
  E402: 'state load failed',
  E403: 'state save failed',
  E404: 'state version mismatch',
  E501: 'backend connection',
  E502: 'authentication',
  E503: 'bad response',
  E504: 'backend timeout',
  E505: 'backend not found',
  E601: 'preflight: path missing',
  E602: 'prompt too large',
  E603: 'working directory invalid',
  E604: 'validation setup',
  E701: 'cost limit exceeded',
  E901: 'network connection',
  E902: 'DNS',
  E903: 'TLS',
  E904: 'network timeout',
  E999: 'unknown',
};

/** What to do about each kind of failure, for `errors` and `diagnose` (by code, then by category). */
const HINTS_BY_CODE: Readonly<Record<string, string>> = {
  E001: 'The agent ran past backend.timeout_seconds. Raise it (or timeout_overrides for this sheet), or split the sheet.',
  E002: 'The agent was killed by a signal. Check for out-of-memory kills (dmesg) or something stopping processes.',
  E005: 'The agent ran out of memory. Give it a smaller piece of work or more memory.',
  E101: 'Rate limited: Mozart waits this out without spending retries. Raise rate_limit.max_waits if the waits run out.',
  E102: 'Rate limited: Mozart waits this out without spending retries. Raise rate_limit.max_waits if the waits run out.',
  E104: 'The usage quota is exhausted. Wait for it to reset, then resume; rate_limit.max_quota_waits sets how long Mozart waits.',
  E201: 'The agent finished but the file a validation expects is missing. Check the path in the validation, and tell the agent in the prompt exactly which file to write.',
  E202: 'A file exists but its content does not match the validation. Compare the pattern with what the agent wrote (see the sheet log).',
  E203: 'A command_succeeds validation failed. Run the command by hand in the workspace to see why.',
  E204: 'A validation command timed out. Raise its timeout or make the check faster.',
  E302: 'A field the score needs at run time is missing. Add it (mozart validate shows where), then resume.',
  E303: 'A file the score names does not exist. Restore it or fix the path in the score, then resume.',
  E304: 'The prompt template cannot be rendered. Run mozart validate on the score.',
  E305: 'The MCP configuration the CLI was given cannot be loaded. Fix it, or set backend.disable_mcp: true.',
  E404: 'The checkpoint was written by another version of Mozart. Resume it with that version, or start over with --fresh.',
  E504: 'The backend did not answer in time. Mozart retries; raise backend.timeout_seconds if it keeps happening.',
  E602: 'The prompt is too large to send. Give the sheet less work (sheet.size, cross_sheet captures, a shorter template), then resume.',
  E502: 'The backend refused the credentials. Check the API key or log the CLI in again; retrying will not help.',
  E505: 'The agent program was not found. Set backend.cli_path (or MOZART_CLAUDE_PATH) or install it.',
  E701: 'A cost limit was reached. Raise cost_limits and resume.',
};

const HINTS_BY_CATEGORY: Readonly<Record<ErrorCategory, string>> = {
  rate_limit: 'Rate limited: Mozart waits this out without spending retries.',
  transient: 'A transient failure; Mozart retries with backoff. Resume if the retries ran out.',
  validation: 'The agent did not produce what the validations require. Read the sheet log and the failing rules, sharpen the prompt, then resume.',
  auth: 'Authentication failed. Fix the credentials, then resume.',
  network: 'The backend could not be reached. Check the network, then resume.',
  timeout: 'Something took too long. Raise the timeout or split the work.',
  signal: 'The agent was stopped by a signal. Resume to run the sheet again.',
  fatal: 'The agent failed in a way retries cannot fix. Read the sheet log.',
  configuration: 'The score or backend configuration is wrong. Fix it (mozart validate), then resume.',
  preflight: 'A check before running the agent failed. Fix what it names, then resume.',
  cost: 'A cost limit was reached. Raise cost_limits and resume.',
};

/** A one-line suggestion for an error code (falling back to its category). */
export function errorHint(code: string, category: string): string | undefined {
  return HINTS_BY_CODE[code] ?? (Object.hasOwn(HINTS_BY_CATEGORY, category) ? HINTS_BY_CATEGORY[category as ErrorCategory] : undefined);
}
