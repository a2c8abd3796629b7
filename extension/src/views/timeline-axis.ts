// The timeline's time axis: round steps of the local wall clock (every 10 s, 5 min, 1 h, …) so
// ticks fall on times people read, labelled in local time with the date where the day changes.
// Pure: a range of epoch ms in, tick positions and labels out.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick steps, smallest first. */
export const TICK_STEPS = [
  100, 200, 500, SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY,
];

export interface Tick {
  at: number;
  label: string;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** The smallest step giving at most `maxTicks` ticks over `span` ms. */
export function tickStep(span: number, maxTicks = 8): number {
  for (const step of TICK_STEPS) if (span / step <= maxTicks) return step;
  return Math.ceil(span / maxTicks / DAY) * DAY;
}

/** Local midnight of the day `at` falls on. */
function localMidnight(at: number): number {
  const d = new Date(at);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

function dayKey(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/**
 * Ticks over [start, end], on multiples of the step counted from local midnight (so 5-minute ticks
 * read :00, :05, …). Seconds are shown only with steps under a minute (tenths under a second); the date is shown on the
 * first tick and wherever the day changes, when the range is not within one local day.
 */
export function timeTicks(start: number, end: number, maxTicks = 8): Tick[] {
  if (!(end > start)) return [{ at: start, label: clock(new Date(start), 'seconds') }];
  const step = tickStep(end - start, maxTicks);
  const precision = step < SECOND ? 'tenths' : step < MINUTE ? 'seconds' : 'minutes';
  const multiDay = localMidnight(start) !== localMidnight(end);
  const ticks: Tick[] = [];
  let previousDay = '';
  // Steps of whole days (and a week) start at midnight; shorter ones are counted from each midnight.
  let base = localMidnight(start);
  let at = base + Math.ceil((start - base) / step) * step;
  while (at <= end && ticks.length <= maxTicks * 2) {
    const d = new Date(at);
    const day = dayKey(d);
    const label = clock(d, precision);
    ticks.push({ at, label: multiDay && day !== previousDay ? `${day} ${label}` : label });
    previousDay = day;
    if (step >= DAY) {
      // Calendar days, so a day with a daylight-saving change still ticks at midnight.
      at = new Date(d.getFullYear(), d.getMonth(), d.getDate() + Math.round(step / DAY)).getTime();
      continue;
    }
    const next = at + step;
    // A new local day restarts the count (steps that do not divide 24 h, and daylight saving).
    const nextBase = localMidnight(next);
    if (nextBase !== base) {
      base = nextBase;
      at = base + Math.ceil((next - base) / step) * step;
    } else at = next;
  }
  if (ticks.length === 0) ticks.push({ at: start, label: clock(new Date(start), precision === 'minutes' ? 'seconds' : precision) });
  return ticks;
}

function clock(d: Date, precision: 'tenths' | 'seconds' | 'minutes'): string {
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  if (precision === 'minutes') return hm;
  const hms = `${hm}:${two(d.getSeconds())}`;
  return precision === 'seconds' ? hms : `${hms}.${Math.floor(d.getMilliseconds() / 100)}`;
}
