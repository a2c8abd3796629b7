// One JSON POST with a time limit and a bounded number of retries. Server errors, 429 and network
// failures are retried with a doubling delay; other 4xx answers are final (retrying cannot fix a
// bad URL or a refused token). Nothing here ever throws except DeliveryError, free of secrets.
import { setTimeout as sleep } from 'node:timers/promises';
import { redactText, redactUrl } from './redact.js';
import { DeliveryError } from './types.js';

export interface PostOptions {
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Retries after the first try (0: one try only). */
  retries: number;
  /** Delay before the first retry; each further retry waits twice as long. */
  retryDelayMs: number;
  /** Strings that must never appear in an error message (the URL, header values). */
  secrets?: readonly string[];
}

/** The most retries a channel may ask for, whatever its config says. */
export const MAX_RETRIES = 5;
const MAX_RETRY_DELAY_MS = 60_000;

/** Posts `body` as JSON; resolves when a 2xx arrives, rejects with DeliveryError otherwise. */
export async function postJson(url: string, body: unknown, options: PostOptions, signal: AbortSignal): Promise<void> {
  const retries = Math.max(0, Math.min(MAX_RETRIES, Math.floor(options.retries)));
  const secrets = [url, ...Object.values(options.headers ?? {}), ...(options.secrets ?? [])];
  const payload = JSON.stringify(body);
  let lastProblem = '';
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (signal.aborted) throw new DeliveryError('delivery cancelled: the conductor is stopping', attempt);
    const outcome = await postOnce(url, payload, options, signal);
    if (outcome.ok) return;
    lastProblem = outcome.problem;
    if (!outcome.retryable) throw new DeliveryError(redactText(`${redactUrl(url)} answered ${lastProblem}`, secrets), attempt + 1);
    if (attempt < retries) {
      const delay = Math.min(MAX_RETRY_DELAY_MS, options.retryDelayMs * 2 ** attempt);
      try {
        await sleep(delay, undefined, { signal });
      } catch {
        throw new DeliveryError('delivery cancelled: the conductor is stopping', attempt + 1);
      }
    }
  }
  throw new DeliveryError(redactText(`${redactUrl(url)}: ${lastProblem} (tried ${retries + 1} time${retries === 0 ? '' : 's'})`, secrets), retries + 1);
}

type Outcome = { ok: true } | { ok: false; retryable: boolean; problem: string };

async function postOnce(url: string, payload: string, options: PostOptions, signal: AbortSignal): Promise<Outcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: payload,
      signal: AbortSignal.any([signal, timeout]),
      redirect: 'error',
    });
    const text = await response.text().catch(() => '');
    if (response.ok) return { ok: true };
    const problem = `HTTP ${response.status}${text ? `: ${text.slice(0, 120)}` : ''}`;
    return { ok: false, retryable: response.status >= 500 || response.status === 429, problem };
  } catch (error) {
    if (timeout.aborted) return { ok: false, retryable: true, problem: `no answer within ${options.timeoutMs / 1000}s` };
    if (signal.aborted) return { ok: false, retryable: false, problem: 'cancelled' };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, retryable: true, problem: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}
