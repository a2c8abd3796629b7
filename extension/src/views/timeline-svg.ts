// The job timeline as SVG, Gantt style: time runs left to right on a local-time axis; each lane
// holds sheets that did not overlap, so sheets that ran in parallel sit in different lanes. An
// attempt is a bar coloured by its mode (first, retry, completion prompt) with its validation time
// at its end, a failed one outlined; waits (retry backoff, rate limit, quota) are thin bars between
// attempts; what a running job is doing now is drawn, dashed, up to "now". A big job (more than
// MAX_TIMELINE_SHEETS sheets) is drawn one row per stage or range of stages instead, so the size of
// the drawing does not grow with the job. Pure: timeline data in, markup out, every text escaped.
import type { AttemptEnd, SheetWaitKind } from '../../../protocol/src/job-state.js';
import { localTimeShort, utcOffset } from '../../../protocol/src/time-text.js';
import type { Translate } from '../l10n.js';
import { formatCost, formatDuration } from '../jobs/format.js';
import { escapeHtml } from './escape-html.js';
import { timeTicks } from './timeline-axis.js';
import { MAX_TIMELINE_SHEETS } from './timeline-model.js';
import type { KindTotals, StageRow, TimelineData, TimelineSheet, TimelineSpan } from './timeline-model.js';

export const TIMELINE_WIDTH = 960;
const PAD = 8;
const LABEL_W = 104;
const AXIS_H = 36;
const ROW_H = 18;
const BAR_H = 12;
const WAIT_H = 6;
const PLOT_W = TIMELINE_WIDTH - LABEL_W - PAD * 2 - 70;

export const TIMELINE_STYLE = `
  .chart-box { overflow: auto; max-height: 70vh; border: 1px solid var(--vscode-widget-border, transparent); margin: 4px 0 8px; }
  .timeline text, .cost-chart text { fill: var(--vscode-foreground); font-size: 11px; }
  .timeline .axis text, .cost-chart .axis text { fill: var(--vscode-descriptionForeground); }
  .timeline .tick, .cost-chart .grid { stroke: var(--vscode-widget-border, var(--vscode-descriptionForeground)); stroke-width: 1; opacity: 0.5; }
  .timeline .lane-bg { fill: var(--vscode-list-hoverBackground, transparent); opacity: 0.35; }
  .timeline .now { stroke: var(--vscode-editorCursor-foreground, var(--vscode-foreground)); stroke-width: 1.5; stroke-dasharray: 4 3; }
  .timeline .sheet-label { fill: var(--vscode-editor-background); font-size: 10px; text-anchor: start; pointer-events: none; }
  .timeline .envelope { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1; }
  .mode-first { fill: var(--vscode-charts-blue); }
  .mode-retry { fill: var(--vscode-charts-orange); }
  .mode-completion { fill: var(--vscode-charts-purple); }
  .validation { fill: var(--vscode-charts-green); }
  .wait-retry { fill: var(--vscode-descriptionForeground); }
  .wait-rate_limit { fill: var(--vscode-charts-yellow); }
  .wait-shared_rate_limit { fill: var(--vscode-charts-yellow); opacity: 0.55; }
  .wait-quota { fill: var(--vscode-charts-red); }
  .wait-completion { fill: var(--vscode-charts-purple); opacity: 0.55; }
  .wait-approval { fill: var(--vscode-charts-blue); opacity: 0.45; }
  .outcome-failed { stroke: var(--vscode-errorForeground); stroke-width: 2; }
  .open { stroke: var(--vscode-foreground); stroke-width: 1; stroke-dasharray: 3 2; }
  .swatch-outline { fill: none; }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; padding: 0; margin: 4px 0; color: var(--vscode-descriptionForeground); }
  .legend svg { vertical-align: middle; margin-right: 4px; }
  .cost-final { fill: var(--vscode-charts-blue); }
  .cost-retry { fill: var(--vscode-charts-orange); }
`;

/** Keeps a value usable as a class name (the checkpoint is data, not markup). */
export function classToken(value: unknown): string {
  return String(value ?? '').replace(/[^a-z_]/gi, '');
}

/** What an attempt's ending means, in words. */
export function outcomeText(outcome: AttemptEnd, t: Translate): string {
  switch (outcome) {
    case 'completed': return t('passed its validations');
    case 'failed': return t('failed');
    case 'retry': return t('failed, retried');
    case 'completion': return t('partly passed, completion prompt next');
    case 'rate_limit': return t('rate-limited');
    case 'quota': return t('usage quota exhausted');
    case 'healed': return t('failed, self-healing fixed a cause');
    case 'interrupted': return t('interrupted (paused or stopped)');
    default: return String(outcome);
  }
}

export function waitText(kind: SheetWaitKind, t: Translate): string {
  switch (kind) {
    case 'retry': return t('retry backoff');
    case 'rate_limit': return t('rate-limit wait');
    case 'quota': return t('quota wait');
    case 'completion': return t('pause before the completion prompt');
    case 'shared_rate_limit': return t('rate-limit wait (another job was limited)');
    case 'approval': return t('waiting for approval');
    default: return String(kind);
  }
}

function modeText(mode: string, t: Translate): string {
  return mode === 'first' ? t('first run') : mode === 'retry' ? t('retry') : mode === 'completion' ? t('completion prompt') : String(mode);
}

/** The hover text of one span. */
export function spanTitle(sheet: TimelineSheet, span: TimelineSpan, now: number, t: Translate): string {
  const when = `${localTimeShort(span.start, new Date(now))}–${localTimeShort(span.end, new Date(now))}`;
  const length = formatDuration(span.end - span.start);
  const head = sheet.description ? t('Sheet {0}: {1}', sheet.num, sheet.description) : t('Sheet {0}', sheet.num);
  if (span.kind === 'wait') {
    const parts = [head, waitText(span.wait, t), span.open ? t('{0} so far', length) : length, when];
    if (span.reason) parts.push(span.reason);
    return parts.join(' · ');
  }
  const outcome = span.open ? t('running') : outcomeText(span.outcome, t);
  const split = span.open ? t('{0} so far', length) : t('{0}: agent {1}, validation {2}', length, formatDuration(span.agentMs), formatDuration(span.validationMs));
  return [head, t('attempt {0} ({1})', span.attempt, modeText(span.mode, t)), outcome, split, t('cost {0}', formatCost(span.costUsd)), when].join(' · ');
}

/** The hover text of a sheet as a whole. */
function sheetTitle(sheet: TimelineSheet, t: Translate): string {
  const head = sheet.description ? t('Sheet {0}: {1}', sheet.num, sheet.description) : t('Sheet {0}', sheet.num);
  const attempts = sheet.spans.filter((s) => s.kind === 'attempt').length;
  const total = sheet.start !== undefined && sheet.end !== undefined ? formatDuration(sheet.end - sheet.start) : '';
  return [head, sheet.status, t('{0} attempts', attempts), total, t('cost {0}', formatCost(sheet.costUsd))].filter(Boolean).join(' · ');
}

interface Scale {
  x(at: number): number;
  start: number;
  end: number;
}

function scaleOf(data: TimelineData): Scale {
  const start = data.start ?? data.now;
  const end = Math.max(data.end ?? start, data.running ? data.now : start, start + 1);
  return { start, end, x: (at) => LABEL_W + PAD + ((Math.min(Math.max(at, start), end) - start) / (end - start)) * PLOT_W };
}

function axis(scale: Scale, height: number, t: Translate): string {
  const ticks = timeTicks(scale.start, scale.end).map((tick) => {
    const x = scale.x(tick.at).toFixed(1);
    return `<line class="tick" x1="${x}" y1="${AXIS_H - 4}" x2="${x}" y2="${height - PAD}"/><text x="${x}" y="${AXIS_H - 8}" text-anchor="middle">${escapeHtml(tick.label)}</text>`;
  });
  const zone = `<text x="${PAD}" y="12">${escapeHtml(t('local time ({0})', utcOffset(new Date(scale.start))))}</text>`;
  return `<g class="axis">${zone}${ticks.join('')}</g>`;
}

function rect(cls: string, x: number, y: number, w: number, h: number, title?: string): string {
  const inner = title === undefined ? '' : `<title>${escapeHtml(title)}</title>`;
  return `<rect class="${cls}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, w).toFixed(1)}" height="${h}">${inner}</rect>`;
}

function spanMarkup(sheet: TimelineSheet, span: TimelineSpan, y: number, scale: Scale, now: number, t: Translate): string {
  const x1 = scale.x(span.start);
  const x2 = scale.x(span.end);
  const open = span.open ? ' open' : '';
  const title = spanTitle(sheet, span, now, t);
  if (span.kind === 'wait') return rect(`span wait wait-${classToken(span.wait)}${open}`, x1, y + (BAR_H - WAIT_H) / 2, x2 - x1, WAIT_H, title);
  const failed = !span.open && span.outcome !== 'completed' ? ' outcome-failed' : '';
  const bar = rect(`span attempt mode-${classToken(span.mode)} outcome-${classToken(span.outcome)}${failed}${open}`, x1, y, x2 - x1, BAR_H, title);
  if (span.open || span.validationMs <= 0) return bar;
  const vx = scale.x(Math.max(span.start, span.end - span.validationMs));
  return bar + rect('span validation', vx, y + 2, x2 - vx, BAR_H - 4, title);
}

function perSheet(data: TimelineData, t: Translate): { body: string; height: number } {
  const scale = scaleOf(data);
  const lanes = Math.max(1, data.laneCount);
  const height = AXIS_H + lanes * ROW_H + PAD * 2;
  const rows: string[] = [];
  for (let lane = 0; lane < lanes; lane++) {
    const y = AXIS_H + lane * ROW_H;
    if (lane % 2 === 0) rows.push(`<rect class="lane-bg" x="${LABEL_W + PAD}" y="${y}" width="${PLOT_W}" height="${ROW_H}"/>`);
    rows.push(`<text class="lane-label" x="${PAD}" y="${y + ROW_H - 5}">${escapeHtml(t('lane {0}', lane + 1))}</text>`);
  }
  const sheets = data.sheets.filter((s) => s.spans.length > 0).map((sheet) => {
    const y = AXIS_H + sheet.lane * ROW_H + (ROW_H - BAR_H) / 2;
    const spans = sheet.spans.map((span) => spanMarkup(sheet, span, y, scale, data.now, t)).join('');
    // The sheet's number inside its first attempt, when that bar has room for it.
    const first = sheet.spans.find((s) => s.kind === 'attempt');
    const x1 = first ? scale.x(first.start) : 0;
    const x2 = first ? scale.x(first.end) : 0;
    const label = x2 - x1 >= 26 ? `<text class="sheet-label" x="${(x1 + 3).toFixed(1)}" y="${y + BAR_H - 2}">${sheet.num}</text>` : '';
    return `<g class="sheet status-${classToken(sheet.status)}" data-sheet="${sheet.num}" data-lane="${sheet.lane + 1}"><title>${escapeHtml(sheetTitle(sheet, t))}</title>${spans}${label}</g>`;
  });
  return { body: `${axis(scale, height, t)}<g class="lanes">${rows.join('')}</g><g class="sheets">${sheets.join('')}</g>${nowLine(data, scale, height, t)}`, height };
}

function nowLine(data: TimelineData, scale: Scale, height: number, t: Translate): string {
  if (!data.running) return '';
  const x = scale.x(data.now).toFixed(1);
  return `<g class="now-marker"><line class="now" x1="${x}" y1="${AXIS_H - 4}" x2="${x}" y2="${height - PAD}"/><text x="${x}" y="${height - 1}" text-anchor="end">${escapeHtml(t('now'))}</text></g>`;
}

/** The kinds of time, in the order a stage row stacks them. */
const KINDS: { key: string; cls: string; ms: (k: KindTotals) => number; label: (t: Translate) => string }[] = [
  { key: 'first', cls: 'mode-first', ms: (k) => k.first, label: (t) => t('first runs') },
  { key: 'retry', cls: 'mode-retry', ms: (k) => k.retry, label: (t) => t('retries') },
  { key: 'completion', cls: 'mode-completion', ms: (k) => k.completion, label: (t) => t('completion prompts') },
  { key: 'validation', cls: 'validation', ms: (k) => k.validation, label: (t) => t('validation') },
  { key: 'wait-retry', cls: 'wait-retry', ms: (k) => k.wait.retry, label: (t) => t('retry backoff') },
  { key: 'wait-rate_limit', cls: 'wait-rate_limit', ms: (k) => k.wait.rate_limit, label: (t) => t('rate-limit waits') },
  { key: 'wait-shared_rate_limit', cls: 'wait-shared_rate_limit', ms: (k) => k.wait.shared_rate_limit, label: (t) => t('shared rate-limit waits') },
  { key: 'wait-quota', cls: 'wait-quota', ms: (k) => k.wait.quota, label: (t) => t('quota waits') },
  { key: 'wait-completion', cls: 'wait-completion', ms: (k) => k.wait.completion, label: (t) => t('completion pauses') },
  { key: 'wait-approval', cls: 'wait-approval', ms: (k) => k.wait.approval, label: (t) => t('approval waits') },
];

export function stageLabel(row: Pick<StageRow, 'first' | 'last'>, t: Translate): string {
  return row.first === row.last ? t('Stage {0}', row.first) : t('Stages {0}–{1}', row.first, row.last);
}

/** The hover text of a stage row. */
export function stageTitle(row: StageRow, now: number, t: Translate): string {
  const sheets = row.fromSheet === row.toSheet ? t('sheet {0}', row.fromSheet) : t('sheets {0}–{1}', row.fromSheet, row.toSheet);
  const parts = [stageLabel(row, t), sheets, t('{0} sheets, {1} failed', row.sheets, row.failed), t('{0} attempts, {1} retries, {2} waits', row.attempts, row.retries, row.waits), t('at most {0} at once', row.peakParallel)];
  if (row.start !== undefined && row.end !== undefined) parts.push(`${localTimeShort(row.start, new Date(now))}–${localTimeShort(row.end, new Date(now))} (${formatDuration(row.end - row.start)})`);
  const time = KINDS.filter((k) => k.ms(row.totals) > 0).map((k) => `${k.label(t)} ${formatDuration(k.ms(row.totals))}`);
  if (time.length) parts.push(t('sheet time: {0}', time.join(', ')));
  parts.push(row.retryCostUsd > 0 ? t('cost {0} ({1} on attempts that did not pass)', formatCost(row.costUsd), formatCost(row.retryCostUsd)) : t('cost {0}', formatCost(row.costUsd)));
  if (row.open) parts.push(t('running'));
  return parts.join(' · ');
}

function byStage(data: TimelineData, t: Translate): { body: string; height: number } {
  const scale = scaleOf(data);
  const height = AXIS_H + Math.max(1, data.stages.length) * ROW_H + PAD * 2;
  const rows = data.stages.map((row, index) => {
    const y = AXIS_H + index * ROW_H;
    const label = `<text class="lane-label" x="${PAD}" y="${y + ROW_H - 5}">${escapeHtml(stageLabel(row, t))}</text>`;
    const title = `<title>${escapeHtml(stageTitle(row, data.now, t))}</title>`;
    if (row.start === undefined || row.end === undefined) return `<g class="stage-row" data-stage-row="${index}">${title}${label}</g>`;
    const x1 = scale.x(row.start);
    const x2 = scale.x(row.end);
    const by = y + (ROW_H - BAR_H) / 2;
    // The bar spans the row's first start to its last end; its colours are the shares of sheet time.
    const sum = KINDS.reduce((n, k) => n + k.ms(row.totals), 0);
    let x = x1;
    const parts: string[] = [];
    for (const kind of KINDS) {
      const ms = kind.ms(row.totals);
      if (ms <= 0 || sum <= 0) continue;
      const w = ((x2 - x1) * ms) / sum;
      parts.push(`<rect class="share ${kind.cls}" data-kind="${kind.key}" x="${x.toFixed(1)}" y="${by + 2}" width="${Math.max(0.5, w).toFixed(1)}" height="${BAR_H - 4}"/>`);
      x += w;
    }
    const envelope = `<rect class="envelope${row.open ? ' open' : ''}${row.failed ? ' outcome-failed' : ''}" x="${x1.toFixed(1)}" y="${by}" width="${Math.max(1, x2 - x1).toFixed(1)}" height="${BAR_H}"/>`;
    const peak = row.peakParallel > 1 ? `<text class="peak" x="${(x2 + 4).toFixed(1)}" y="${y + ROW_H - 5}">${escapeHtml(t('×{0} at once', row.peakParallel))}</text>` : '';
    return `<g class="stage-row" data-stage-row="${index}" data-first-sheet="${row.fromSheet}">${title}${label}${parts.join('')}${envelope}${peak}</g>`;
  });
  return { body: `${axis(scale, height, t)}<g class="stages">${rows.join('')}</g>${nowLine(data, scale, height, t)}`, height };
}

/** The legend: every kind of span, a failed attempt and a running one. */
export function timelineLegend(t: Translate): string {
  const swatch = (cls: string, h = BAR_H) => `<svg width="18" height="12" aria-hidden="true"><rect class="${cls}" x="1" y="${(12 - h) / 2}" width="16" height="${h}"/></svg>`;
  const items = [
    [swatch('mode-first'), t('first attempt')],
    [swatch('mode-retry'), t('retry')],
    [swatch('mode-completion'), t('completion prompt')],
    [swatch('validation', 8), t('validation (end of an attempt)')],
    [swatch('wait-retry', WAIT_H), t('retry backoff')],
    [swatch('wait-rate_limit', WAIT_H), t('rate-limit wait')],
    [swatch('wait-shared_rate_limit', WAIT_H), t('rate-limit wait for another job')],
    [swatch('wait-quota', WAIT_H), t('quota wait')],
    [swatch('wait-approval', WAIT_H), t('waiting for approval')],
    [swatch('swatch-outline outcome-failed', 10), t('attempt that did not pass')],
    [swatch('swatch-outline open', 10), t('running, drawn to now')],
  ];
  return `<ul class="legend">${items.map(([svg, label]) => `<li>${svg}${escapeHtml(label)}</li>`).join('')}</ul>`;
}

/** The timeline section: a note, the drawing and its legend. */
export function renderTimeline(data: TimelineData, t: Translate): string {
  if (data.start === undefined) return `<p class="empty">${escapeHtml(t('No attempt has been recorded yet.'))}</p>`;
  const { body, height } = data.aggregated ? byStage(data, t) : perSheet(data, t);
  const label = data.aggregated ? t('Timeline of {0} sheets in {1} stage rows', data.totalSheets, data.stages.length) : t('Timeline of {0} sheets in {1} lanes', data.totalSheets, data.laneCount);
  const note = data.aggregated
    ? `<p class="note">${escapeHtml(t('{0} sheets (more than {1}): drawn by stage, one row per stage or range of stages. A bar runs from the first start to the last end of its sheets; its colours are the shares of their time. Hover a row for its sheets, attempts, waits and cost.', data.totalSheets, MAX_TIMELINE_SHEETS))}</p>`
    : `<p class="note">${escapeHtml(t('Sheets that ran at the same time are in different lanes. Hover a bar for its sheet, attempt, outcome, durations and cost.'))}</p>`;
  const svg = `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${TIMELINE_WIDTH}" height="${height}" viewBox="0 0 ${TIMELINE_WIDTH} ${height}" role="img" aria-label="${escapeHtml(label)}">${body}</svg>`;
  return `${note}${timelineLegend(t)}<div class="chart-box">${svg}</div>`;
}
