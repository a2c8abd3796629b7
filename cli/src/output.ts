// Terminal output helpers: colour only when writing to a terminal and NO_COLOR is unset.

/** Whether a stream should get ANSI colours. */
export function useColour(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** A palette that is a no-op when colour is off. */
export function palette(enabled: boolean) {
  const wrap = (code: string) => (text: string) => (enabled ? `\x1b[${code}m${text}\x1b[0m` : text);
  return { red: wrap('31'), yellow: wrap('33'), blue: wrap('34'), green: wrap('32'), dim: wrap('2'), bold: wrap('1'), cyan: wrap('36') };
}

/** Exit codes shared by every command (documented in `mozart --help` and docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem: an invalid score, a failed job. */
  failure: 1,
  /** The command could not do its work: missing file, unreadable input, bad usage. */
  unusable: 2,
} as const;
