// The job timeline as data: every sheet's recorded spans (attempts and the waits between them,
// protocol/src/job-state.ts), the spans still open on a running job drawn to "now", the lanes that
// keep sheets which ran at the same time apart, and, for a big job, the same facts folded by stage.
// Pure: a checkpoint and the time in, plain values out (timeline-svg.ts and cost-chart.ts draw them).
import type { JobState, SheetSpan, SheetState, SheetWaitKind } from '../../../protocol/src/job-state.js';

/** Above this many sheets the timeline and the cost chart are drawn by stage. */
export const MAX_TIMELINE_SHEETS = 200;
/** At most this many stage rows; more stages are grouped into ranges of consecutive stages. */
export const MAX_STAGE_ROWS = 100;

/** A span as the timeline draws it: the recorded one, or (open) one still going at `now`. */
export type TimelineSpan = SheetSpan & { open?: boolean; reason?: string };

export interface TimelineSheet {
  num: number;
  stage: number;
  status: SheetState['status'];
  description?: string;
  spans: TimelineSpan[];
  costUsd: number;
  /** Spent on attempts that did not complete the sheet (failed, retried, rate-limited, …). */
  retryCostUsd: number;
  /** First span's start and last span's end (epoch ms); absent for a sheet that never ran. */
  start?: number;
  end?: number;
  lane: number;
}

/** Time per kind of span, in ms. */
export interface KindTotals {
  first: number;
  retry: number;
  completion: number;
  validation: number;
  wait: Record<SheetWaitKind, number>;
}

/** Consecutive stages folded into one row (a big job). */
export interface StageRow {
  first: number;
  last: number;
  sheets: number;
  fromSheet: number;
  toSheet: number;
  start?: number;
  end?: number;
  totals: KindTotals;
  attempts: number;
  retries: number;
  waits: number;
  failed: number;
  costUsd: number;
  retryCostUsd: number;
  /** The most sheets of the row that were running or waiting at one moment. */
  peakParallel: number;
  open: boolean;
}

export interface TimelineData {
  jobId: string;
  totalSheets: number;
  /** Earliest start and latest end over every span (epoch ms); absent when nothing has run. */
  start?: number;
  end?: number;
  now: number;
  running: boolean;
  aggregated: boolean;
  /** Per sheet, in sheet order (always present: the cost chart reads them too). */
  sheets: TimelineSheet[];
  /** Lanes used by the per-sheet timeline (sheets that overlap in time get different lanes). */
  laneCount: number;
  /** With `aggregated`: one row per stage or range of stages. */
  stages: StageRow[];
}

/** Each sheet's stage, from the checkpoint's fanned-out stages (every other stage has one sheet). */
export function sheetStages(state: Pick<JobState, 'totalSheets' | 'fanOutStages'>): number[] {
  const starts = new Map((state.fanOutStages ?? []).map((s) => [s.from, s]));
  const stages: number[] = [0];
  let stage = 0;
  for (let num = 1; num <= state.totalSheets; num++) {
    const fan = starts.get(num);
    if (fan && fan.to >= num) {
      stage = fan.stage;
      for (let n = num; n <= Math.min(fan.to, state.totalSheets); n++) stages[n] = stage;
      num = Math.min(fan.to, state.totalSheets);
    } else stages[num] = ++stage;
  }
  return stages;
}

/** The kind of wait a reason names (status keeps the reason of a wait under way, not its kind). */
export function waitKindOf(reason: string | undefined): SheetWaitKind {
  const text = (reason ?? '').toLowerCase();
  if (text.startsWith('awaiting approval')) return 'approval';
  if (text.includes('shared')) return 'shared_rate_limit';
  if (text.includes('quota')) return 'quota';
  if (text.includes('rate limit')) return 'rate_limit';
  if (text.startsWith('completion')) return 'completion';
  return 'retry';
}

/** The sheet's recorded spans, and on a running job the attempt or wait under way, ending at `now`. */
export function spansOf(sheet: SheetState, running: boolean, now: number): TimelineSpan[] {
  const spans: TimelineSpan[] = [...(sheet.spans ?? [])];
  if (!running) return spans;
  const last = spans[spans.length - 1];
  if (sheet.status === 'in_progress' && sheet.startedAt) {
    const start = Date.parse(sheet.startedAt);
    if (Number.isFinite(start) && (!last || start >= last.end)) {
      const mode = sheet.attempts <= 1 ? 'first' : sheet.completionAttempts > 0 ? 'completion' : 'retry';
      spans.push({ kind: 'attempt', attempt: sheet.attempts, mode, start, end: Math.max(start, now), agentMs: Math.max(0, now - start), validationMs: 0, outcome: 'interrupted', costUsd: 0, open: true });
    }
  } else if (sheet.approval && !sheet.approval.decision) {
    // A person has not answered yet: the wait runs from the question to now.
    const asked = Date.parse(sheet.approval.since);
    const start = Math.min(Number.isFinite(asked) ? Math.max(asked, last?.end ?? asked) : (last?.end ?? now), now);
    spans.push({ kind: 'wait', wait: 'approval', start, end: now, open: true, reason: sheet.waitReason ?? sheet.approval.message });
  } else if (sheet.waitingUntil !== undefined && sheet.waitReason !== undefined) {
    const start = Math.min(last?.end ?? now, now);
    spans.push({ kind: 'wait', wait: waitKindOf(sheet.waitReason), start, end: now, open: true, reason: sheet.waitReason });
  }
  return spans;
}

/** Gives each interval the first lane free at its start; returns the lane count. Sorted by start, then order. */
export function assignLanes(items: { start?: number; end?: number; lane: number }[]): number {
  const order = items.map((item, index) => ({ item, index })).filter((e) => e.item.start !== undefined);
  order.sort((a, b) => (a.item.start as number) - (b.item.start as number) || a.index - b.index);
  const laneEnds: number[] = [];
  for (const { item } of order) {
    const start = item.start as number;
    let lane = laneEnds.findIndex((end) => end <= start);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = Math.max(start, item.end ?? start);
    item.lane = lane;
  }
  return laneEnds.length;
}

/** The most intervals open at one moment (touching intervals do not overlap). */
export function peakOverlap(items: { start?: number; end?: number }[]): number {
  const events: [number, number][] = [];
  for (const { start, end } of items) {
    if (start === undefined) continue;
    events.push([start, 1], [Math.max(start, end ?? start), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (open += delta));
  return peak;
}

export function emptyTotals(): KindTotals {
  return { first: 0, retry: 0, completion: 0, validation: 0, wait: { retry: 0, rate_limit: 0, quota: 0, completion: 0, shared_rate_limit: 0, approval: 0 } };
}

/** Adds a span's time to the totals: an attempt's agent time by mode, its validations apart. */
export function addSpan(totals: KindTotals, span: TimelineSpan): void {
  const length = Math.max(0, span.end - span.start);
  if (span.kind === 'wait') {
    totals.wait[span.wait] += length;
    return;
  }
  const validation = Math.min(length, Math.max(0, span.validationMs));
  totals.validation += validation;
  totals[span.mode] += length - validation;
}

function sheetOf(state: JobState, num: number, stage: number, running: boolean, now: number): TimelineSheet {
  const sheet = state.sheets[String(num)];
  if (!sheet) return { num, stage, status: 'pending', spans: [], costUsd: 0, retryCostUsd: 0, lane: 0 };
  const spans = spansOf(sheet, running, now);
  let retryCostUsd = 0;
  for (const span of spans) if (span.kind === 'attempt' && span.outcome !== 'completed') retryCostUsd += span.costUsd;
  const costUsd = Math.max(0, sheet.costUsd || 0);
  const entry: TimelineSheet = { num, stage, status: sheet.status, spans, costUsd, retryCostUsd: Math.min(retryCostUsd, costUsd), lane: 0 };
  if (sheet.description) entry.description = sheet.description;
  if (spans.length) {
    entry.start = Math.min(...spans.map((s) => s.start));
    entry.end = Math.max(...spans.map((s) => s.end));
  }
  return entry;
}

/** Folds the sheets into rows of consecutive stages, at most MAX_STAGE_ROWS of them. */
export function stageRows(sheets: TimelineSheet[]): StageRow[] {
  const byStage = new Map<number, TimelineSheet[]>();
  for (const sheet of sheets) {
    const list = byStage.get(sheet.stage);
    if (list) list.push(sheet);
    else byStage.set(sheet.stage, [sheet]);
  }
  const stages = [...byStage.keys()].sort((a, b) => a - b);
  const per = Math.max(1, Math.ceil(stages.length / MAX_STAGE_ROWS));
  const rows: StageRow[] = [];
  for (let i = 0; i < stages.length; i += per) {
    const slice = stages.slice(i, i + per);
    const members = slice.flatMap((s) => byStage.get(s) ?? []);
    const row: StageRow = { first: slice[0] ?? 0, last: slice[slice.length - 1] ?? 0, sheets: members.length, fromSheet: Infinity, toSheet: 0, totals: emptyTotals(), attempts: 0, retries: 0, waits: 0, failed: 0, costUsd: 0, retryCostUsd: 0, peakParallel: peakOverlap(members), open: false };
    for (const sheet of members) {
      row.fromSheet = Math.min(row.fromSheet, sheet.num);
      row.toSheet = Math.max(row.toSheet, sheet.num);
      if (sheet.start !== undefined) row.start = Math.min(row.start ?? Infinity, sheet.start);
      if (sheet.end !== undefined) row.end = Math.max(row.end ?? -Infinity, sheet.end);
      if (sheet.status === 'failed') row.failed++;
      row.costUsd += sheet.costUsd;
      row.retryCostUsd += sheet.retryCostUsd;
      for (const span of sheet.spans) {
        addSpan(row.totals, span);
        if (span.open) row.open = true;
        if (span.kind === 'wait') row.waits++;
        else {
          row.attempts++;
          if (span.mode === 'retry') row.retries++;
        }
      }
    }
    if (row.fromSheet === Infinity) row.fromSheet = 0;
    rows.push(row);
  }
  return rows;
}

/** The timeline of a job at `now` (epoch ms). */
export function timelineOf(state: JobState, now: number): TimelineData {
  const running = state.status === 'running';
  const stages = sheetStages(state);
  const sheets: TimelineSheet[] = [];
  for (let num = 1; num <= state.totalSheets; num++) sheets.push(sheetOf(state, num, stages[num] ?? num, running, now));
  const aggregated = state.totalSheets > MAX_TIMELINE_SHEETS;
  const data: TimelineData = { jobId: state.jobId, totalSheets: state.totalSheets, now, running, aggregated, sheets, laneCount: 0, stages: [] };
  for (const sheet of sheets) {
    if (sheet.start !== undefined) data.start = Math.min(data.start ?? Infinity, sheet.start);
    if (sheet.end !== undefined) data.end = Math.max(data.end ?? -Infinity, sheet.end);
  }
  if (aggregated) data.stages = stageRows(sheets);
  else data.laneCount = assignLanes(sheets);
  return data;
}
