// Failed deliveries on disk, beside the job's event log, so `diagnose` can show them after the
// conductor restarts. Messages are already free of secrets when they get here.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FailedDelivery } from './channel-queue.js';

/** Appends one failure (best effort: a full disk must not turn a lost notice into a lost job). */
export function appendFailure(file: string, failure: FailedDelivery): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, JSON.stringify(failure) + '\n');
  } catch {
    /* the failure is still kept in memory for diagnose */
  }
}

/** The last `max` failures in the file, oldest first; none when it is missing or unreadable. */
export function readFailures(file: string, max = 20): FailedDelivery[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: FailedDelivery[] = [];
  for (const line of text.split('\n').slice(-max - 1)) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as FailedDelivery);
    } catch {
      /* a torn last line */
    }
  }
  return out.slice(-max);
}
