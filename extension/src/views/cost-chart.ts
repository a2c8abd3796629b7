// What each sheet cost, as a bar chart: one bar per sheet (per stage or range of stages for a big
// job), its height the sheet's cost, split into what the attempt that passed cost and what went on
// attempts that did not (failed, retried, rate-limited). Pure: timeline data in, markup out.
import type { Translate } from '../l10n.js';
import { formatCost } from '../jobs/format.js';
import { escapeHtml } from './escape-html.js';
import { stageLabel } from './timeline-svg.js';
import type { TimelineData } from './timeline-model.js';

const WIDTH = 960;
const PAD = 8;
const AXIS_W = 64;
const PLOT_H = 140;
const TOP = 12;
const BOTTOM = 22;
const MAX_BAR_W = 28;

/** One bar: a sheet or a stage row. */
export interface CostBar {
  /** Under the bar: the sheet's number, or the stage row's label. */
  label: string;
  /** In sentences: "sheet 3", "Stages 1–10". */
  name: string;
  /** `data-sheet` (a sheet's number) or `data-stage-row` (a row's index). */
  key: { sheet: number } | { stageRow: number };
  costUsd: number;
  retryCostUsd: number;
  title: string;
}

/** The bars of the chart, in sheet (or stage) order. */
export function costBars(data: TimelineData, t: Translate): CostBar[] {
  if (data.aggregated) {
    return data.stages.map((row, index) => {
      const label = stageLabel(row, t);
      const range = row.fromSheet === row.toSheet ? t('sheet {0}', row.fromSheet) : t('sheets {0}–{1}', row.fromSheet, row.toSheet);
      return { label, name: label, key: { stageRow: index }, costUsd: row.costUsd, retryCostUsd: row.retryCostUsd, title: costTitle(`${label} (${range})`, row.costUsd, row.retryCostUsd, t) };
    });
  }
  return data.sheets.map((sheet) => {
    const head = sheet.description ? t('Sheet {0}: {1}', sheet.num, sheet.description) : t('Sheet {0}', sheet.num);
    return { label: String(sheet.num), name: t('sheet {0}', sheet.num), key: { sheet: sheet.num }, costUsd: sheet.costUsd, retryCostUsd: sheet.retryCostUsd, title: costTitle(head, sheet.costUsd, sheet.retryCostUsd, t) };
  });
}

function costTitle(head: string, cost: number, retry: number, t: Translate): string {
  return retry > 0 ? t('{0} · cost {1}: {2} on the attempt that passed, {3} on attempts that did not', head, formatCost(cost), formatCost(cost - retry), formatCost(retry)) : t('{0} · cost {1}', head, formatCost(cost));
}

/** A scale value: "$0", "$0.025", "$0.5", "$250" (three significant digits, never rounded to a wrong cent). */
export function scaleCost(usd: number): string {
  return usd > 0 ? `$${Number(usd.toPrecision(3))}` : '$0';
}

/** The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value`: the top of the scale. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value * (1 - 1e-12)) return step * power;
  return 10 * power;
}

/** The chart, or a note when no sheet cost anything. */
export function renderCostChart(data: TimelineData, t: Translate): string {
  const bars = costBars(data, t);
  const total = bars.reduce((n, b) => n + b.costUsd, 0);
  const retry = bars.reduce((n, b) => n + b.retryCostUsd, 0);
  const top = niceMax(Math.max(0, ...bars.map((b) => b.costUsd)));
  const what = data.aggregated ? t('per stage') : t('per sheet');
  if (top === 0) return `<p class="empty cost-none">${escapeHtml(t('No cost recorded: the backend reported none for any sheet ({0} in all).', formatCost(0)))}</p>`;
  const most = bars.reduce((a, b) => (b.costUsd > a.costUsd ? b : a));
  const summary = `<p class="meta cost-summary">${escapeHtml(t('Cost {0}: {1} in all, {2} on attempts that did not pass; most: {3} ({4}).', what, formatCost(total), formatCost(retry), most.name, formatCost(most.costUsd)))}</p>`;

  const plotW = WIDTH - AXIS_W - PAD * 2;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.min(MAX_BAR_W, Math.max(1, slot * 0.8));
  const height = TOP + PLOT_H + BOTTOM;
  const y = (usd: number) => TOP + PLOT_H - (usd / top) * PLOT_H;
  const grid = [0, top / 2, top]
    .map((v) => `<line class="grid" x1="${AXIS_W}" y1="${y(v).toFixed(1)}" x2="${WIDTH - PAD}" y2="${y(v).toFixed(1)}"/><text x="${AXIS_W - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${escapeHtml(scaleCost(v))}</text>`)
    .join('');
  const every = Math.max(1, Math.ceil(bars.length / 24));
  const marks = bars.map((bar, index) => {
    const x = AXIS_W + PAD + index * slot + (slot - barW) / 2;
    const key = 'sheet' in bar.key ? `data-sheet="${bar.key.sheet}"` : `data-stage-row="${bar.key.stageRow}"`;
    const retryH = (bar.retryCostUsd / top) * PLOT_H;
    const finalH = ((bar.costUsd - bar.retryCostUsd) / top) * PLOT_H;
    const base = TOP + PLOT_H;
    const rects = [
      finalH > 0 ? `<rect class="cost-final" x="${x.toFixed(1)}" y="${(base - finalH).toFixed(2)}" width="${barW.toFixed(1)}" height="${finalH.toFixed(2)}"/>` : '',
      retryH > 0 ? `<rect class="cost-retry" x="${x.toFixed(1)}" y="${(base - finalH - retryH).toFixed(2)}" width="${barW.toFixed(1)}" height="${retryH.toFixed(2)}"/>` : '',
    ].join('');
    const label = index % every === 0 && !data.aggregated ? `<text x="${(x + barW / 2).toFixed(1)}" y="${base + 14}" text-anchor="middle">${escapeHtml(bar.label)}</text>` : '';
    return `<g class="cost-bar" ${key} data-cost="${bar.costUsd}" data-retry-cost="${bar.retryCostUsd}"><title>${escapeHtml(bar.title)}</title>${rects}${label}</g>`;
  });
  const caption = data.aggregated ? `<text x="${AXIS_W + PAD}" y="${TOP + PLOT_H + 14}">${escapeHtml(t('{0} stage rows, first to last', bars.length))}</text>` : '';
  const svg = `<svg class="cost-chart" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(t('Cost {0}', what))}"><g class="axis">${grid}</g><g class="bars">${marks.join('')}</g>${caption}</svg>`;
  const legend = `<ul class="legend"><li><svg width="18" height="12" aria-hidden="true"><rect class="cost-final" x="1" y="0" width="16" height="12"/></svg>${escapeHtml(t('the attempt that passed'))}</li><li><svg width="18" height="12" aria-hidden="true"><rect class="cost-retry" x="1" y="0" width="16" height="12"/></svg>${escapeHtml(t('attempts that did not pass'))}</li></ul>`;
  return `${summary}${legend}<div class="chart-box">${svg}</div>`;
}
