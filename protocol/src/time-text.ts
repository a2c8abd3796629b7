// Times as people read them: the local wall clock with its offset from UTC, never a raw ISO
// string (`2026-12-04T17:45:12.345Z` wraps mid-word and is in a zone the reader is not in).
// Shared by the conductor's logs, the CLI and the editor, so all of them say the same.

const two = (n: number): string => String(n).padStart(2, '0');

/** "UTC+01:00" for the local zone at `date` (or "UTC" where local time is UTC). */
export function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `UTC${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** "2026-12-04 17:45:12 UTC+01:00": local date and time with the zone; an unreadable input is returned as is. */
export function localDateTime(at: string | number | Date): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${utcOffset(date)}`;
}

/** Like localDateTime, but only the time when `at` falls on the same local day as `now`. */
export function localTimeShort(at: string | number | Date, now: Date = new Date()): string {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}` : localDateTime(date);
}
