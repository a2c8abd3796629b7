// The email channel: one plain-text message per notice over SMTP, sent with nodemailer (loaded on
// first use, so a conductor that never sends mail never pays for it). The password is only ever
// read from the environment variable `smtp_password_env` names, never from the score.
import { hostname } from 'node:os';
import type * as Nodemailer from 'nodemailer';
import { noticeBody, noticeTitle } from './format.js';
import { flag, list, number, text } from './config-values.js';
import type { ChannelConfig } from './config-values.js';
import { redactText } from './redact.js';
import type { Channel, Notice } from './types.js';
import { DeliveryError } from './types.js';

/** The SMTP settings of an email channel, read from its config. */
export interface EmailSettings {
  to: string[];
  from: string;
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  user?: string;
  password?: string;
  subjectPrefix: string;
  timeoutMs: number;
}

/** Reads the settings; `to` empty means the channel cannot work (the score check says so). */
export function emailSettings(config: ChannelConfig, env: NodeJS.ProcessEnv): EmailSettings {
  const port = number(config, 'smtp_port', 587);
  const passwordEnv = text(config, 'smtp_password_env');
  const user = text(config, 'smtp_user');
  const password = passwordEnv ? env[passwordEnv] : undefined;
  return {
    to: list(config, 'to'),
    from: text(config, 'from') ?? `Mozart <mozart@${hostname()}>`,
    host: text(config, 'smtp_host') ?? 'localhost',
    port,
    secure: flag(config, 'secure', port === 465),
    requireTls: flag(config, 'require_tls', false),
    ...(user ? { user } : {}),
    ...(password ? { password } : {}),
    subjectPrefix: text(config, 'subject_prefix') ?? '',
    timeoutMs: number(config, 'timeout', 30) * 1000,
  };
}

export class EmailChannel implements Channel {
  readonly kind = 'email';
  readonly target: string;
  private transport: Nodemailer.Transporter | undefined;

  constructor(private readonly settings: EmailSettings) {
    this.target = `${settings.to.join(', ')} via ${settings.host}:${settings.port}`;
  }

  async deliver(notice: Notice, signal: AbortSignal): Promise<void> {
    const s = this.settings;
    if (s.to.length === 0) throw new DeliveryError('The email channel has no recipient: set config.to.');
    this.transport ??= loadNodemailer().createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure,
      requireTLS: s.requireTls,
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: s.timeoutMs,
      ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    });
    const transport = this.transport;
    const onAbort = () => transport.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await transport.sendMail({
        from: s.from,
        to: s.to,
        subject: `${s.subjectPrefix}${noticeTitle(notice)}`,
        text: emailText(notice),
      });
    } catch (error) {
      throw new DeliveryError(redactText(`SMTP ${s.host}:${s.port}: ${(error as Error).message}`, s.password ? [s.password] : []));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/** The message text: the detail line, then the facts one per line. */
export function emailText(notice: Notice): string {
  const lines = [noticeBody(notice), '', `Job: ${notice.jobName} (${notice.jobId})`, `Event: ${notice.event}`, `At: ${notice.at}`];
  if (notice.sheet !== undefined) lines.push(`Sheet: ${notice.sheet}${notice.totalSheets ? ` of ${notice.totalSheets}` : ''}${notice.sheetDescription ? ` — ${notice.sheetDescription}` : ''}`);
  if (notice.error) lines.push('', `${notice.code ?? 'Error'}: ${notice.error}`);
  lines.push('', `mozart status ${notice.jobId}`);
  return lines.join('\n');
}

function loadNodemailer(): typeof Nodemailer {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- a deliberate lazy load, see above */
  return require('nodemailer') as typeof Nodemailer;
}
