// Live log documents as data: which log a `mozart-log:` URI names, and the text kept for it (the
// newest part when it grows past a limit). Pure, so the document provider stays a thin shell.

export const LOG_SCHEME = 'mozart-log';
/** Characters kept per open log; older text is dropped at a line boundary. */
export const MAX_LOG_CHARS = 2_000_000;

/** A job's event log (no sheet) or one sheet's captured agent output. */
export interface LogTarget {
  jobId: string;
  sheet?: number;
}

/**
 * The URI path of a log: /<job>/<job>-sheet-<n>.log or /<job>/<job>-job.log. The file name is the
 * tab title, so it names the job: two jobs' sheet 2 logs open side by side are told apart.
 */
export function logPath(target: LogTarget): string {
  const job = encodeURIComponent(target.jobId);
  const name = target.sheet === undefined ? 'job.log' : `sheet-${target.sheet}.log`;
  return `/${job}/${job}-${name}`;
}

/** The log a URI path names, or undefined for anything else. */
export function parseLogPath(path: string): LogTarget | undefined {
  const match = /^\/([^/]+)\/([^/]+)-(?:job\.log|sheet-(\d+)\.log)$/.exec(path);
  if (!match?.[1] || match[2] !== match[1]) return undefined;
  let jobId: string;
  try {
    jobId = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  return match[3] === undefined ? { jobId } : { jobId, sheet: Number(match[3]) };
}

export interface LogBuffer {
  text: string;
  /** Characters dropped from the front so far. */
  dropped: number;
}

export function emptyLog(): LogBuffer {
  return { text: '', dropped: 0 };
}

/** Appends text, dropping the oldest whole lines once the buffer passes `max` characters. */
export function appendLog(buffer: LogBuffer, text: string, max = MAX_LOG_CHARS): LogBuffer {
  if (text === '') return buffer;
  let combined = buffer.text + text;
  let dropped = buffer.dropped;
  if (combined.length > max) {
    let cut = combined.length - max;
    const newline = combined.indexOf('\n', cut);
    if (newline >= 0 && newline - cut < 4096) cut = newline + 1;
    dropped += cut;
    combined = combined.slice(cut);
  }
  return { text: combined, dropped };
}

/** The document's text: a note about dropped text, then the log. */
export function renderLog(buffer: LogBuffer, emptyNote: string, droppedNote: (chars: number) => string): string {
  if (buffer.text === '' && buffer.dropped === 0) return emptyNote;
  return buffer.dropped > 0 ? `${droppedNote(buffer.dropped)}\n${buffer.text}` : buffer.text;
}
