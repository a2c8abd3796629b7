// The generic webhook channel: a JSON POST of the notice to `url` (or the URL in `$url_env`), with
// the score's headers, a time limit and bounded retries. The body keeps the original's shape
// (event_type, context, metadata) so receivers written for it keep working.
import { headers, number, flag, valueOrEnv } from './config-values.js';
import type { ChannelConfig } from './config-values.js';
import { postJson } from './http-post.js';
import { redactUrl } from './redact.js';
import type { Channel, Notice } from './types.js';

declare const MOZART_VERSION: string;
const version = typeof MOZART_VERSION === 'string' ? MOZART_VERSION : 'dev';

/** The JSON body posted for a notice. */
export function webhookBody(notice: Notice, includeMetadata: boolean): Record<string, unknown> {
  const context = {
    event: notice.event,
    job_id: notice.jobId,
    job_name: notice.jobName,
    timestamp: notice.at,
    sheet_num: notice.sheet ?? null,
    total_sheets: notice.totalSheets ?? null,
    success_count: notice.completedSheets ?? null,
    failure_count: notice.failedSheets ?? null,
    error_message: notice.error ?? null,
    duration_seconds: notice.durationSeconds ?? null,
    extra: {
      ...(notice.code ? { error_code: notice.code } : {}),
      ...(notice.sheetDescription ? { sheet_description: notice.sheetDescription } : {}),
      ...(notice.costUsd !== undefined ? { cost_usd: notice.costUsd } : {}),
      ...(notice.detail ? { detail: notice.detail } : {}),
    },
  };
  return { event_type: notice.event, context, ...(includeMetadata ? { metadata: { source: 'mozart-ai-compose', version } } : {}) };
}

export class WebhookChannel implements Channel {
  readonly kind = 'webhook';
  readonly target: string;

  constructor(
    private readonly url: string,
    private readonly config: ChannelConfig,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.target = redactUrl(url);
  }

  deliver(notice: Notice, signal: AbortSignal): Promise<void> {
    return postJson(
      this.url,
      webhookBody(notice, flag(this.config, 'include_metadata', true)),
      { headers: headers(this.config, this.env), timeoutMs: number(this.config, 'timeout', 30) * 1000, retries: number(this.config, 'max_retries', 2), retryDelayMs: number(this.config, 'retry_delay', 1) * 1000 },
      signal,
    );
  }
}

/** The URL a webhook channel posts to, or where it was looked for. */
export function webhookUrl(config: ChannelConfig, env: NodeJS.ProcessEnv): { value?: string; from: string } {
  return valueOrEnv(config, 'url', env);
}
