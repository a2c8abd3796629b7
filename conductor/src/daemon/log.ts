// The conductor's own log (stderr, which `mozart start` points at $MOZART_HOME/mozart.log), with a
// level that the config file's `log_level` (or MOZART_LOG_LEVEL, --log-level) sets and a reload
// changes at once. Lines keep their one format, `<ISO time> <message>`; debug lines say "debug:".
import type { LogLevel } from '../../../score/src/conductor-settings.js';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

export class ConductorLog {
  level: LogLevel = 'info';

  constructor(private readonly out: (line: string) => void = (line) => process.stderr.write(line)) {}

  /** True when lines of this level are written now. */
  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  write(level: LogLevel, message: string): void {
    if (!this.enabled(level)) return;
    this.out(`${new Date().toISOString()} ${level === 'debug' ? 'debug: ' : ''}${message}\n`);
  }

  readonly debug = (message: string): void => this.write('debug', message);
  readonly info = (message: string): void => this.write('info', message);
  readonly warn = (message: string): void => this.write('warning', message);
  readonly error = (message: string): void => this.write('error', message);
}
