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
