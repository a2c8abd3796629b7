// The `anthropic_api` backend: sends the prompt to the Anthropic Messages API (streamed, so the
// sheet log fills as the reply arrives) and reports text, tokens and an estimated cost. It never
// retries by itself: the runner owns retries and rate-limit waits, and gets the API's retry-after.
// backend.temperature is accepted but not sent: the SDK (1.x) speaks API version 2026-10-21, which
// has no sampling parameters and answers HTTP 400 to any temperature, even the default.
import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';
import type { SheetOverride } from '../../../score/src/score-types.js';
import { AttemptControl, failedStart, networkCode, parseRetryAfter, redact, ReplyCapture, safeMessage } from './api-attempt.js';
import { estimateCostUsd } from './anthropic-pricing.js';
import type { UsageCounts } from './anthropic-pricing.js';
import type { AgentRequest, AgentResult, Backend } from './types.js';

/** The anthropic_api settings the backend uses (a slice of the score's backend section). */
export interface AnthropicApiConfig {
  model: string;
  api_key_env: string;
  max_tokens: number;
  sheet_overrides: Record<string, SheetOverride | undefined>;
}

/** Errors sent inside an already-started stream carry a type but no status; these are the usual ones. */
const STATUS_OF_STREAM_ERROR: Readonly<Record<string, number>> = { rate_limit_error: 429, overloaded_error: 529, api_error: 500 };

/** Client errors a retry cannot fix besides auth (which classify already handles as E502). */
const RETRYABLE_4XX = new Set([401, 403, 408, 409, 429]);

export class AnthropicApiBackend implements Backend {
  readonly name = 'anthropic_api';

  constructor(
    private readonly config: AnthropicApiConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async execute(request: AgentRequest, signal: AbortSignal): Promise<AgentResult> {
    const started = performance.now();
    const keyEnv = this.config.api_key_env;
    const apiKey = this.env[keyEnv];
    if (!apiKey) {
      return failedStart('E502', `No Anthropic API key: the environment variable ${keyEnv} (backend.api_key_env) is not set for the conductor. Set it and restart the conductor, or name another variable in api_key_env.`);
    }
    const { model, max_tokens } = this.settingsFor(request.sheetNum);
    const baseURL = this.env.ANTHROPIC_BASE_URL || null; // null: the SDK's default host
    // maxRetries 0: a retry here would be invisible to the runner's counters and waits.
    const client = new Anthropic({ apiKey, baseURL, maxRetries: 0, timeout: request.timeoutMs });
    const control = new AttemptControl(signal, request.timeoutMs, request.idleTimeoutMs);
    const capture = new ReplyCapture(request);
    const usage: UsageCounts = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
    let stopReason: string | null = null;
    try {
      const stream = await client.messages.create(
        { model, max_tokens, messages: [{ role: 'user', content: request.prompt }], stream: true },
        { signal: control.signal },
      );
      for await (const event of stream) {
        control.touch();
        if (event.type === 'message_start') {
          const u = event.message.usage;
          Object.assign(usage, { input: u.input_tokens ?? 0, output: u.output_tokens ?? 0, cacheWrite: u.cache_creation_input_tokens ?? 0, cacheRead: u.cache_read_input_tokens ?? 0 });
        } else if (event.type === 'content_block_start' && event.content_block.type === 'text') {
          capture.reply(event.content_block.text);
        } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
          capture.reply(event.delta.text);
        } else if (event.type === 'message_delta') {
          // Counts in message_delta are cumulative for the whole message; older servers omit the
          // input count here (absent, not null), so only a number replaces message_start's.
          if (typeof event.usage.output_tokens === 'number') usage.output = event.usage.output_tokens;
          if (typeof event.usage.input_tokens === 'number') usage.input = event.usage.input_tokens;
          stopReason = event.delta.stop_reason ?? stopReason;
        }
      }
    } catch (error) {
      return this.failure(error, { control, capture, started, apiKey, model, baseURL });
    } finally {
      control.dispose();
    }
    if (stopReason === 'max_tokens') capture.note(`The reply was cut off at max_tokens (${max_tokens}); raise backend.max_tokens if the sheet needs more.`);
    const costUsd = estimateCostUsd(model, usage);
    return {
      ...capture.result(control, started),
      exitCode: 0,
      resultText: capture.text,
      inputTokens: usage.input + usage.cacheWrite + usage.cacheRead,
      outputTokens: usage.output,
      ...(costUsd !== undefined ? { costUsd } : {}),
    };
  }

  /** The job-wide settings with this sheet's sheet_overrides applied. */
  private settingsFor(sheetNum: number): Pick<AnthropicApiConfig, 'model' | 'max_tokens'> {
    const o = this.config.sheet_overrides[String(sheetNum)];
    return { model: o?.model ?? this.config.model, max_tokens: o?.max_tokens ?? this.config.max_tokens };
  }

  /** Turns whatever the request threw into a result the runner can classify. */
  private failure(error: unknown, ctx: { control: AttemptControl; capture: ReplyCapture; started: number; apiKey: string; model: string; baseURL: string | null }): AgentResult {
    const { control, capture, started, apiKey, model } = ctx;
    const base = (): AgentResult => capture.result(control, started);
    if (control.stopped || error instanceof APIConnectionTimeoutError) {
      // Ours (cancel, timeout, stale detection) or the SDK's own timeout, which is set to the same limit.
      const timedOut = !control.stopped || control.timedOut;
      capture.note(control.cancelled ? 'The request was cancelled.' : control.stalled ? 'The reply stalled (stale_detection).' : 'The request ran past the time limit.');
      return { ...base(), timedOut };
    }
    if (error instanceof APIConnectionError) {
      const host = ctx.baseURL ?? 'https://api.anthropic.com';
      const code = networkCode(error);
      return failedStart('E501', `Cannot reach the Anthropic API at ${host}${code ? ` (${code})` : ''}: ${safeMessage(error.cause ?? error, apiKey)}`, performance.now() - started);
    }
    if (!(error instanceof APIError)) {
      capture.note(`The Anthropic API call failed: ${safeMessage(error, apiKey)}`);
      return { ...base(), exitCode: 1, isError: true };
    }
    const status = error.status ?? (error.type ? STATUS_OF_STREAM_ERROR[error.type] : undefined);
    const detail = redact(`${error.type ?? 'error'}: ${error.apiMessage ?? error.message}`, apiKey);
    if (status !== undefined && status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) {
      const what = status === 404 ? `model '${model}' (backend.model) was not found` : 'the request was refused';
      return failedStart('E301', `Anthropic API: ${what} (HTTP ${status} ${detail}). Check the backend settings in the score.`, performance.now() - started);
    }
    const retryAfterMs = parseRetryAfter(error.headers);
    const authHint = status === 401 || status === 403 ? ` (the key comes from ${this.config.api_key_env})` : '';
    capture.note(`Anthropic API ${detail}${authHint}`);
    return {
      ...base(),
      exitCode: 1,
      isError: true,
      ...(status !== undefined ? { apiErrorStatus: status } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
}
