// The Slack channel: an incoming-webhook message (an attachment with a colour, a title and fields)
// posted to `webhook_url`, or to the URL in `$webhook_url_env` (default $SLACK_WEBHOOK_URL).
import { formatDuration, noticeBody, noticeTitle, truncate } from './format.js';
import { number, text, valueOrEnv } from './config-values.js';
import type { ChannelConfig } from './config-values.js';
import { postJson } from './http-post.js';
import { redactUrl } from './redact.js';
import type { Channel, Notice, NoticeEvent } from './types.js';

const COLOURS: Partial<Record<NoticeEvent, string>> = { job_complete: '#36a64f', job_failed: '#d00000', sheet_failed: '#ff9800', job_paused: '#ffcc00', cost_warning: '#ffcc00' };
const EMOJI: Record<NoticeEvent, string> = {
  job_start: ':rocket:',
  job_complete: ':white_check_mark:',
  job_failed: ':x:',
  job_paused: ':pause_button:',
  cost_warning: ':moneybag:',
  sheet_start: ':hourglass_flowing_sand:',
  sheet_complete: ':heavy_check_mark:',
  sheet_failed: ':warning:',
};

/** The incoming-webhook payload for a notice. */
export function slackBody(notice: Notice, config: ChannelConfig): Record<string, unknown> {
  const fields: { title: string; value: string; short: boolean }[] = [];
  if (notice.sheet !== undefined && notice.totalSheets !== undefined) fields.push({ title: 'Progress', value: `Sheet ${notice.sheet}/${notice.totalSheets}${notice.sheetDescription ? ` — ${notice.sheetDescription}` : ''}`, short: true });
  if (notice.completedSheets !== undefined) fields.push({ title: 'Results', value: `${notice.completedSheets} completed, ${notice.failedSheets ?? 0} failed`, short: true });
  if (notice.durationSeconds !== undefined) fields.push({ title: 'Duration', value: formatDuration(notice.durationSeconds), short: true });
  if (notice.error) fields.push({ title: 'Error', value: `\`\`\`${notice.code ? `${notice.code} ` : ''}${truncate(notice.error, 200)}\`\`\``, short: false });
  const title = noticeTitle(notice);
  const attachment = {
    fallback: `${title}: ${noticeBody(notice)}`,
    color: COLOURS[notice.event] ?? '#439fe0',
    title: `${EMOJI[notice.event]} ${title}`,
    ...(fields.length > 0 ? { fields } : { text: noticeBody(notice) }),
    footer: `Job: ${notice.jobName} (${notice.jobId})`,
    ts: Math.floor(Date.parse(notice.at) / 1000),
  };
  const channel = text(config, 'channel');
  return {
    username: text(config, 'username') ?? 'Mozart AI Compose',
    icon_emoji: text(config, 'icon_emoji') ?? ':musical_score:',
    ...(channel ? { channel } : {}),
    text: title,
    attachments: [attachment],
  };
}

export class SlackChannel implements Channel {
  readonly kind = 'slack';
  readonly target: string;

  constructor(
    private readonly url: string,
    private readonly config: ChannelConfig,
  ) {
    this.target = redactUrl(url);
  }

  deliver(notice: Notice, signal: AbortSignal): Promise<void> {
    return postJson(this.url, slackBody(notice, this.config), { timeoutMs: number(this.config, 'timeout', 10) * 1000, retries: number(this.config, 'max_retries', 2), retryDelayMs: number(this.config, 'retry_delay', 1) * 1000 }, signal);
  }
}

/** The incoming-webhook URL, or where it was looked for. */
export function slackUrl(config: ChannelConfig, env: NodeJS.ProcessEnv): { value?: string; from: string } {
  return valueOrEnv(config, 'webhook_url', env, 'SLACK_WEBHOOK_URL');
}
