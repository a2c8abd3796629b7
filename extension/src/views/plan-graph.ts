// The plan's graph as SVG: one column per stage, one node per sheet, one edge per dependency.
// A big plan (more than MAX_SHEET_NODES sheets) is drawn by stage instead: one node per stage
// (consecutive stages grouped when even they are too many) and one edge per pair of groups that
// depend on each other. Pure: plan data in, markup out, every text escaped.
import type { PlanData, PlanSheetData } from '../../../protocol/src/plan.js';
import type { Translate } from '../l10n.js';
import { escapeHtml } from './diagnose-html.js';

/** Above this many sheets the graph is drawn by stage. */
export const MAX_SHEET_NODES = 200;
/** At most this many stage nodes; more stages are grouped into ranges. */
export const MAX_STAGE_NODES = 100;

const NODE_W = 92;
const NODE_H = 26;
const COL_W = 132;
const ROW_H = 38;
const PAD = 12;
const HEAD = 22;

/** A group of consecutive stages in the aggregated graph. */
export interface StageGroup {
  first: number;
  last: number;
  sheets: PlanSheetData[];
}

/** The stages (or ranges of stages) of a plan, in order. */
export function stageGroups(plan: PlanData): StageGroup[] {
  const byStage = new Map<number, PlanSheetData[]>();
  for (const sheet of plan.sheets) {
    const list = byStage.get(sheet.stage);
    if (list) list.push(sheet);
    else byStage.set(sheet.stage, [sheet]);
  }
  const stages = [...byStage.keys()].sort((a, b) => a - b);
  const per = Math.max(1, Math.ceil(stages.length / MAX_STAGE_NODES));
  const groups: StageGroup[] = [];
  for (let i = 0; i < stages.length; i += per) {
    const slice = stages.slice(i, i + per);
    groups.push({ first: slice[0] ?? 0, last: slice[slice.length - 1] ?? 0, sheets: slice.flatMap((s) => byStage.get(s) ?? []) });
  }
  return groups;
}

/** A curve from the right edge of one box to the left edge of another (or down, in one column). */
function edgePath(from: { x: number; y: number }, to: { x: number; y: number }): string {
  if (from.x === to.x) {
    const x = from.x + NODE_W / 2;
    return `M${x} ${from.y + NODE_H} L${x} ${to.y}`;
  }
  const x1 = from.x + NODE_W;
  const y1 = from.y + NODE_H / 2;
  const x2 = to.x;
  const y2 = to.y + NODE_H / 2;
  const mid = (x1 + x2) / 2;
  return `M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}`;
}

function svg(width: number, height: number, label: string, body: string): string {
  return `<svg class="plan-graph" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(label)}">
<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L8 4 L0 8 z" class="arrow"/></marker></defs>
${body}</svg>`;
}

/** One node per sheet, columns by stage; a sheet's node asks for its prompt when clicked. */
export function sheetGraph(plan: PlanData, t: Translate, selected?: number): string {
  const columns = new Map<number, number>();
  const rows = new Map<number, number>();
  const place = new Map<number, { x: number; y: number }>();
  const stages = [...new Set(plan.sheets.map((s) => s.stage))].sort((a, b) => a - b);
  stages.forEach((stage, index) => columns.set(stage, index));
  let maxRow = 0;
  for (const sheet of plan.sheets) {
    const row = rows.get(sheet.stage) ?? 0;
    rows.set(sheet.stage, row + 1);
    maxRow = Math.max(maxRow, row);
    place.set(sheet.num, { x: PAD + (columns.get(sheet.stage) ?? 0) * COL_W, y: PAD + HEAD + row * ROW_H });
  }
  // One column per stage; a score without fan-out or dependencies has one sheet per stage.
  const heads = stages.map((stage) => `<text class="stage-head" x="${PAD + (columns.get(stage) ?? 0) * COL_W + NODE_W / 2}" y="${PAD + 12}">${escapeHtml(t('Stage {0}', stage))}</text>`).join('');
  const edges: string[] = [];
  for (const sheet of plan.sheets) {
    const to = place.get(sheet.num);
    for (const dep of sheet.dependsOn) {
      const from = place.get(dep);
      if (from && to) edges.push(`<path class="edge" data-from="${dep}" data-to="${sheet.num}" d="${edgePath(from, to)}" marker-end="url(#arrow)"/>`);
    }
  }
  const nodes = plan.sheets.map((sheet) => {
    const at = place.get(sheet.num) ?? { x: 0, y: 0 };
    const fanned = sheet.fanCount > 1 ? ` · ${sheet.instance}/${sheet.fanCount}` : '';
    const items = sheet.startItem === sheet.endItem ? t('item {0}', sheet.startItem) : t('items {0}–{1}', sheet.startItem, sheet.endItem);
    const tip = [t('Sheet {0}, stage {1}', sheet.num, sheet.stage), sheet.fanCount > 1 ? t('instance {0} of {1}', sheet.instance, sheet.fanCount) : '', items, t('{0} validations', sheet.validations.length), t('Click to preview its prompt')].filter(Boolean).join(' · ');
    const cls = `node${sheet.num === selected ? ' selected' : ''}${sheet.skipWhen || sheet.skipWhenCommand ? ' conditional' : ''}`;
    return `<g class="${cls}" data-sheet="${sheet.num}" tabindex="0" role="button"><title>${escapeHtml(tip)}</title><rect x="${at.x}" y="${at.y}" width="${NODE_W}" height="${NODE_H}" rx="4"/><text x="${at.x + NODE_W / 2}" y="${at.y + NODE_H / 2 + 4}">${escapeHtml(t('Sheet {0}', sheet.num) + fanned)}</text></g>`;
  });
  const width = PAD * 2 + Math.max(1, stages.length) * COL_W - (COL_W - NODE_W);
  const height = PAD * 2 + HEAD + (maxRow + 1) * ROW_H;
  return svg(width, height, t('{0} sheets in {1} stages', plan.sheets.length, stages.length), `<g class="edges">${edges.join('')}</g>${heads}<g class="nodes">${nodes.join('')}</g>`);
}

/** One node per stage (or range of stages), an edge per pair of groups with a dependency between them. */
export function stageGraph(plan: PlanData, t: Translate): string {
  const groups = stageGroups(plan);
  const groupOf = new Map<number, number>();
  groups.forEach((group, index) => group.sheets.forEach((sheet) => groupOf.set(sheet.num, index)));
  const links = new Map<string, { from: number; to: number; count: number }>();
  for (const sheet of plan.sheets) {
    const to = groupOf.get(sheet.num) ?? 0;
    for (const dep of sheet.dependsOn) {
      const from = groupOf.get(dep);
      if (from === undefined || from === to) continue;
      const key = `${from}>${to}`;
      const link = links.get(key);
      if (link) link.count++;
      else links.set(key, { from, to, count: 1 });
    }
  }
  const H = NODE_H * 2;
  const at = (index: number) => ({ x: PAD + index * COL_W, y: PAD + HEAD });
  const edges = [...links.values()].map(({ from, to, count }) => {
    const a = at(from);
    const b = at(to);
    const path = `M${a.x + NODE_W} ${a.y + H / 2} C${(a.x + NODE_W + b.x) / 2} ${a.y + H / 2 - (to - from > 1 ? 30 : 0)} ${(a.x + NODE_W + b.x) / 2} ${b.y + H / 2 - (to - from > 1 ? 30 : 0)} ${b.x} ${b.y + H / 2}`;
    return `<path class="edge" data-from-group="${from}" data-to-group="${to}" d="${path}" marker-end="url(#arrow)"><title>${escapeHtml(t('{0} sheet dependencies', count))}</title></path>`;
  });
  const nodes = groups.map((group, index) => {
    const p = at(index);
    const label = group.first === group.last ? t('Stage {0}', group.first) : t('Stages {0}–{1}', group.first, group.last);
    const nums = group.sheets.map((s) => s.num);
    const range = nums.length === 1 ? t('sheet {0}', nums[0] ?? 0) : t('sheets {0}–{1}', Math.min(...nums), Math.max(...nums));
    const fan = group.first === group.last && (group.sheets[0]?.fanCount ?? 1) > 1 ? t('fan-out ×{0}', group.sheets[0]?.fanCount ?? 1) : t('{0} sheets', group.sheets.length);
    return `<g class="node stage-node" data-first-sheet="${Math.min(...nums)}" data-stage-group="${index}" tabindex="0" role="button"><title>${escapeHtml(`${label} · ${range} · ${t('Click to preview the prompt of its first sheet')}`)}</title><rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${H}" rx="4"/><text x="${p.x + NODE_W / 2}" y="${p.y + 18}">${escapeHtml(label)}</text><text class="sub" x="${p.x + NODE_W / 2}" y="${p.y + 36}">${escapeHtml(fan)}</text></g>`;
  });
  const width = PAD * 2 + groups.length * COL_W - (COL_W - NODE_W);
  const height = PAD * 2 + HEAD + H + 10;
  const caption = `<text class="stage-head" x="${PAD}" y="${PAD + 12}" text-anchor="start">${escapeHtml(t('{0} sheets, drawn by stage', plan.sheets.length))}</text>`;
  return svg(width, height, t('{0} sheets in {1} stage groups', plan.sheets.length, groups.length), `<g class="edges">${edges.join('')}</g>${caption}<g class="nodes">${nodes.join('')}</g>`);
}

/** The graph the plan gets: per sheet, or by stage when it is big. */
export function planGraph(plan: PlanData, t: Translate, selected?: number): { svg: string; aggregated: boolean } {
  return plan.sheets.length > MAX_SHEET_NODES ? { svg: stageGraph(plan, t), aggregated: true } : { svg: sheetGraph(plan, t, selected), aggregated: false };
}
