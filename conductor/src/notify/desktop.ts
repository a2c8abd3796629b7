// The desktop channel: a VS Code notification when an editor window follows the conductor, the
// operating system's notifier otherwise (notify-send on Linux, osascript on macOS). A machine with
// neither is told so once; later notices on that channel are dropped without repeating it.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { noticeBody, noticeTitle } from './format.js';
import { number, text } from './config-values.js';
import type { ChannelConfig } from './config-values.js';
import type { Channel, Notice } from './types.js';
import { DeliveryError } from './types.js';

/** Hands a notice to a connected editor window; true when one took it. */
export type EditorNotifier = (notice: Notice, title: string, body: string) => boolean;

/** The OS notifier this machine has, if any. */
export interface OsNotifier {
  command: string;
  args(title: string, body: string, appName: string, timeoutSeconds: number): string[];
}

/** Finds notify-send (Linux and other Unixes) or osascript (macOS) on PATH. */
export function findOsNotifier(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): OsNotifier | undefined {
  const onPath = (name: string): string | undefined => {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        /* not here */
      }
    }
    return undefined;
  };
  if (platform === 'darwin') {
    const osascript = onPath('osascript');
    if (osascript) return { command: osascript, args: (title, body) => ['-e', `display notification ${appleString(body)} with title ${appleString(title)}`] };
    return undefined;
  }
  const notifySend = onPath('notify-send');
  if (notifySend) return { command: notifySend, args: (title, body, appName, timeout) => ['--app-name', appName, '--expire-time', String(timeout * 1000), title, body] };
  return undefined;
}

/** An AppleScript string literal. */
function appleString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export class DesktopChannel implements Channel {
  readonly kind = 'desktop';
  readonly target: string;
  private toldUnavailable = false;

  constructor(
    private readonly config: ChannelConfig,
    private readonly os: OsNotifier | undefined,
    private readonly editor?: EditorNotifier,
  ) {
    this.target = os ? `editor window or ${os.command}` : 'editor window';
  }

  async deliver(notice: Notice, signal: AbortSignal): Promise<void> {
    const title = noticeTitle(notice);
    const body = noticeBody(notice);
    if (this.editor?.(notice, title, body)) return;
    if (!this.os) {
      if (this.toldUnavailable) return;
      this.toldUnavailable = true;
      throw new DeliveryError('No desktop notifier here: no editor window follows the conductor, and neither notify-send nor osascript is on PATH. Desktop notices of this job go nowhere; install libnotify (notify-send) or use a webhook, slack or email channel.');
    }
    const appName = text(this.config, 'app_name') ?? 'Mozart AI Compose';
    const args = this.os.args(title, body, appName, number(this.config, 'timeout', 10));
    await new Promise<void>((resolve, reject) => {
      execFile(this.os?.command ?? '', args, { timeout: 10_000, signal }, (error, _stdout, stderr) => {
        if (error) reject(new DeliveryError(`${this.os?.command} failed: ${stderr.trim() || error.message}`));
        else resolve();
      });
    });
  }
}
