// Builds a job's channels from its score's `notifications` (plus the conductor-wide ones of the
// conductor config, conductor.yaml's `notifications`). A channel that cannot work — no URL, no recipient — is not built;
// it becomes a problem the caller reports once, in words that name the channel and what is missing.
import type { Score } from '../../../score/src/score-types.js';
import type { ChannelConfig } from './config-values.js';
import type { EditorNotifier, OsNotifier } from './desktop.js';
import { DesktopChannel, findOsNotifier } from './desktop.js';
import { EmailChannel, emailSettings } from './email.js';
import type { Subscription } from './job-notifier.js';
import { SlackChannel, slackUrl } from './slack.js';
import { WebhookChannel, webhookUrl } from './webhook.js';

export type NotificationConfig = Score['notifications'][number];

export interface ChannelOptions {
  env?: NodeJS.ProcessEnv;
  /** Shows a notice in a connected VS Code window (desktop channels). */
  editor?: EditorNotifier;
  /** The OS notifier; found on PATH when not given (null: none). */
  os?: OsNotifier | null;
  /** Conductor-wide channels (conductor.yaml's `notifications`), added to every job's own. */
  defaults?: readonly NotificationConfig[];
}

/** The channels that can work, and a sentence for each one that cannot. */
export function channelsFor(configs: readonly NotificationConfig[], options: ChannelOptions = {}): { subscriptions: Subscription[]; problems: string[] } {
  const env = options.env ?? process.env;
  const subscriptions: Subscription[] = [];
  const problems: string[] = [];
  let os: OsNotifier | undefined | null = options.os;
  const all = [...(options.defaults ?? []), ...configs];
  all.forEach((config, index) => {
    const own = options.defaults?.length ?? 0;
    const label = index < own ? `conductor config notifications[${index}] (${config.type})` : `notifications[${index - own}] (${config.type})`;
    const settings = (config.config ?? {}) as ChannelConfig;
    const events = new Set(config.on_events);
    switch (config.type) {
      case 'desktop':
        if (os === undefined) os = findOsNotifier(env) ?? null;
        subscriptions.push({ channel: new DesktopChannel(settings, os ?? undefined, options.editor), events });
        return;
      case 'webhook': {
        const url = webhookUrl(settings, env);
        if (url.value) subscriptions.push({ channel: new WebhookChannel(url.value, settings, env), events });
        else problems.push(`${label}: no URL (${url.from} ${url.from.startsWith('$') ? 'is not set' : 'is missing'}); this channel is off.`);
        return;
      }
      case 'slack': {
        const url = slackUrl(settings, env);
        if (url.value) subscriptions.push({ channel: new SlackChannel(url.value, settings), events });
        else problems.push(`${label}: no incoming-webhook URL (${url.from} ${url.from.startsWith('$') ? 'is not set' : 'is missing'}); this channel is off.`);
        return;
      }
      case 'email': {
        const mail = emailSettings(settings, env);
        if (mail.to.length > 0) subscriptions.push({ channel: new EmailChannel(mail), events });
        else problems.push(`${label}: no recipient (config.to); this channel is off.`);
        return;
      }
    }
  });
  return { subscriptions, problems };
}
