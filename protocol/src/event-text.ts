// One readable line per event of a job's event log, for `mozart logs` and the extension's job log:
// the same words in the terminal and in the editor.
import type { RunnerEvent } from './events.js';

/** What an event says beyond its type. */
export function eventDetail(e: RunnerEvent): string {
  switch (e.type) {
    case 'job.failed':
    case 'sheet.failed':
      return `${e.code} ${e.message}`;
    case 'sheet.retrying':
      return `${e.code}, attempt ${e.attempt} in ${(e.delayMs / 1000).toFixed(0)}s: ${e.reason}`;
    case 'sheet.waiting':
      return `${e.wait} until ${new Date(e.until).toLocaleTimeString()}: ${e.reason}`;
    case 'sheet.validation_passed':
    case 'sheet.validation_failed':
      return `${e.rule.description}: ${e.rule.message}`;
    case 'sheet.started':
      return `attempt ${e.attempt}${e.mode === 'completion' ? ' (completion)' : ''}`;
    case 'sheet.completed':
      return `${e.attempts} attempt(s), ${(e.durationMs / 1000).toFixed(1)}s${e.costUsd > 0 ? `, $${e.costUsd.toFixed(4)}` : ''}`;
    case 'sheet.skipped':
      return e.reason;
    case 'sheet.completion':
      return e.reason;
    case 'sheet.approval_needed':
      return `${e.trigger}: ${e.message} (attempt ${e.attempt}; mozart approve ${e.jobId} --sheet ${e.sheet} [--skip])`;
    case 'sheet.approved':
      return e.decision === 'skip' ? 'skipped by a person' : 'approved';
    case 'sheet.checkpoint_warning':
      return `${e.trigger}: ${e.message}`;
    case 'sheet.healing':
      return [...e.applied, ...e.skipped, ...e.diagnostics].map((r) => r.message).join(' ') || `no remedy for ${e.code}`;
    case 'job.cost_update':
      return `$${e.costUsd.toFixed(4)} so far`;
    case 'job.circuit_open':
      return `${e.failures} failures in a row; next attempt at ${new Date(e.untilMs).toLocaleTimeString()}`;
    case 'job.hook':
      return `${e.ok ? 'ok' : 'failed'}: ${e.message}`;
    case 'job.notice':
      return `${e.title}: ${e.message}`;
    case 'job.notification_failed':
      return `${e.channel} ${e.target} (${e.event}): ${e.message}`;
    case 'sheet.output':
      return e.text.trimEnd();
    default:
      return e.message ?? '';
  }
}

/** `HH:MM:SS type sheet N detail`; `time` lets the caller colour the timestamp. */
export function eventLine(e: RunnerEvent, time: (text: string) => string = (x) => x): string {
  const sheet = 'sheet' in e ? `sheet ${e.sheet} ` : '';
  return `${time(new Date(e.at).toLocaleTimeString())} ${e.type.padEnd(24)} ${sheet}${eventDetail(e)}`.trimEnd();
}

/**
 * Turns event-log text (JSON lines, possibly cut mid-line) into readable lines. Returns them and the
 * unfinished last line, to be passed back with the next chunk. A line that is not an event stays as is.
 */
export function eventLogText(partial: string, chunk: string, time?: (text: string) => string): { text: string; partial: string } {
  const lines = (partial + chunk).split('\n');
  const rest = lines.pop() ?? '';
  const out: string[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      out.push(eventLine(JSON.parse(line) as RunnerEvent, time));
    } catch {
      out.push(line);
    }
  }
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', partial: rest };
}
