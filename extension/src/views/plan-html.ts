// The plan panel's page, rendered from a `mozart/plan` answer: the score's sheets as a graph
// (plan-graph.ts), each sheet's stage, instance, items, dependencies and validations, the findings
// in short, and one sheet's prompt exactly as its agent gets it. Pure: the answer, a nonce and the
// webview's CSP source in, HTML out; every value is escaped; the only script is the page's own.
import type { PlanData, PlanPromptData, PlanResult, PlanSheetData } from '../../../protocol/src/plan.js';
import type { Translate } from '../l10n.js';
import { diagnoseCsp, escapeHtml } from './diagnose-html.js';
import { MAX_SHEET_NODES, planGraph, stageGroups } from './plan-graph.js';

/** What the page may ask the panel to do. */
export type PlanMessage = { type: 'previewPrompt'; sheet: number } | { type: 'refresh' } | { type: 'openPromptDocument' };

/** The message a page sent, if it is one the panel understands (a sheet the plan has). */
export function parsePlanMessage(value: unknown, totalSheets: number): PlanMessage | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const message = value as { type?: unknown; sheet?: unknown };
  if (message.type === 'refresh' || message.type === 'openPromptDocument') return { type: message.type };
  if (message.type === 'previewPrompt' && Number.isInteger(message.sheet) && (message.sheet as number) >= 1 && (message.sheet as number) <= totalSheets) {
    return { type: 'previewPrompt', sheet: message.sheet as number };
  }
  return undefined;
}

export interface PlanPageOptions {
  nonce: string;
  cspSource: string;
  t: Translate;
  /** The file name shown in the title. */
  title: string;
}

const STYLE = `
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 24px; line-height: 1.45; }
  h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding-bottom: 4px; }
  .meta, .note { color: var(--vscode-descriptionForeground); }
  .error { color: var(--vscode-errorForeground); }
  .warning { color: var(--vscode-editorWarning-foreground); }
  .graph { overflow: auto; max-height: 60vh; border: 1px solid var(--vscode-widget-border, transparent); }
  .plan-graph text { fill: var(--vscode-foreground); font-size: 11px; text-anchor: middle; pointer-events: none; }
  .plan-graph .stage-head { fill: var(--vscode-descriptionForeground); }
  .plan-graph .sub { fill: var(--vscode-descriptionForeground); }
  .plan-graph .node rect { fill: var(--vscode-editorWidget-background, var(--vscode-editor-background)); stroke: var(--vscode-charts-blue, var(--vscode-focusBorder)); stroke-width: 1.2; }
  .plan-graph .node { cursor: pointer; }
  .plan-graph .node:hover rect, .plan-graph .node:focus rect { stroke-width: 2.4; outline: none; }
  .plan-graph .node.selected rect { fill: var(--vscode-list-activeSelectionBackground, var(--vscode-editor-selectionBackground)); }
  .plan-graph .node.conditional rect { stroke-dasharray: 4 2; }
  .plan-graph .edge { fill: none; stroke: var(--vscode-descriptionForeground); stroke-width: 1; opacity: 0.7; }
  .plan-graph .arrow { fill: var(--vscode-descriptionForeground); }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
  th, td { text-align: left; vertical-align: top; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--vscode-widget-border, transparent); }
  th { color: var(--vscode-descriptionForeground); font-weight: 600; }
  code, pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  pre { background: var(--vscode-textCodeBlock-background); padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
  button, input { font-family: inherit; font-size: inherit; }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 3px 10px; border-radius: 2px; cursor: pointer; }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  input { color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); width: 6em; padding: 2px 4px; }
  .actions { margin: 10px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  ul { padding-left: 20px; margin: 2px 0; }
`;

// Clicks on a node or the sheet box ask for a prompt; the panel pushes new content on every edit.
const SCRIPT = `
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root');
  const ask = (sheet) => { if (Number.isInteger(sheet)) vscode.postMessage({ type: 'previewPrompt', sheet }); };
  const nodeSheet = (target) => {
    const node = target.closest('[data-sheet], [data-first-sheet]');
    return node ? Number(node.getAttribute('data-sheet') || node.getAttribute('data-first-sheet')) : undefined;
  };
  document.addEventListener('click', (event) => {
    const sheet = nodeSheet(event.target);
    if (sheet !== undefined) { event.preventDefault(); return ask(sheet); }
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const action = button.getAttribute('data-action');
    if (action === 'previewPrompt') ask(Number(document.getElementById('sheet-input').value));
    else vscode.postMessage({ type: action });
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    if (event.target.id === 'sheet-input') return ask(Number(event.target.value));
    const sheet = nodeSheet(event.target);
    if (sheet !== undefined) { event.preventDefault(); ask(sheet); }
  });
  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || message.type !== 'render' || typeof message.body !== 'string') return;
    root.innerHTML = message.body;
    if (message.reveal) document.getElementById('prompt')?.scrollIntoView();
  });
  if (root.getAttribute('data-reveal') === 'prompt') document.getElementById('prompt')?.scrollIntoView();
`;

function items(sheet: PlanSheetData, t: Translate): string {
  return sheet.startItem === sheet.endItem ? t('item {0}', sheet.startItem) : t('items {0}–{1}', sheet.startItem, sheet.endItem);
}

function rules(sheet: PlanSheetData, t: Translate): string {
  if (sheet.validations.length === 0) return `<span class="note">${escapeHtml(t('none'))}</span>`;
  return `<ul>${sheet.validations.map((v) => `<li>${escapeHtml(t('stage {0}', v.stage))} <code>${escapeHtml(v.type)}</code> ${escapeHtml(v.description)} — <code>${escapeHtml(v.target)}</code></li>`).join('')}</ul>`;
}

function sheetTable(plan: PlanData, t: Translate): string {
  const head = `<tr><th>${escapeHtml(t('Sheet'))}</th><th>${escapeHtml(t('Stage'))}</th><th>${escapeHtml(t('Instance'))}</th><th>${escapeHtml(t('Items'))}</th><th>${escapeHtml(t('Waits for'))}</th><th>${escapeHtml(t('Validations'))}</th></tr>`;
  const rows = plan.sheets.map((s) => {
    const skip = [s.skipWhen ? t('skipped when {0}', s.skipWhen) : '', s.skipWhenCommand ? t('skipped when `{0}` succeeds', s.skipWhenCommand) : ''].filter(Boolean);
    return `<tr data-row="${s.num}"><td><a href="#" data-sheet="${s.num}">${escapeHtml(s.num)}</a>${skip.map((k) => `<div class="note">${escapeHtml(k)}</div>`).join('')}</td><td>${escapeHtml(s.stage)}</td><td>${escapeHtml(s.fanCount > 1 ? t('{0} of {1}', s.instance, s.fanCount) : '—')}</td><td>${escapeHtml(items(s, t))}</td><td>${escapeHtml(s.dependsOn.length ? s.dependsOn.join(', ') : t('nothing'))}</td><td>${rules(s, t)}</td></tr>`;
  });
  return `<table class="sheets"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The big plan's table: one row per stage group; its validations are those of its first sheet, with the others' count. */
function stageTable(plan: PlanData, t: Translate): string {
  const head = `<tr><th>${escapeHtml(t('Stages'))}</th><th>${escapeHtml(t('Sheets'))}</th><th>${escapeHtml(t('Validations (first sheet)'))}</th></tr>`;
  const rows = stageGroups(plan).map((g) => {
    const first = g.sheets[0];
    const label = g.first === g.last ? String(g.first) : `${g.first}–${g.last}`;
    const nums = g.sheets.map((s) => s.num);
    const range = nums.length === 1 ? String(nums[0]) : `${Math.min(...nums)}–${Math.max(...nums)}`;
    return `<tr class="stage-row"><td>${escapeHtml(label)}</td><td><a href="#" data-sheet="${first?.num ?? 1}">${escapeHtml(range)}</a> <span class="note">${escapeHtml(t('({0} sheets)', g.sheets.length))}</span></td><td>${first ? rules(first, t) : ''}</td></tr>`;
  });
  return `<table class="stages"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function promptSection(prompt: PlanPromptData | null | undefined, t: Translate): string {
  if (prompt === undefined) return '';
  if (prompt === null) return `<section id="prompt"><h2>${escapeHtml(t('Prompt'))}</h2><p class="error">${escapeHtml(t('The score cannot be planned, so no sheet has a prompt yet.'))}</p></section>`;
  const notes = prompt.notes.length ? `<ul class="notes">${prompt.notes.map((n) => `<li class="note">${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const body = prompt.error !== undefined ? `<p class="error">${escapeHtml(prompt.error)}</p>` : `<pre class="prompt-text">${escapeHtml(prompt.prompt ?? '')}</pre>`;
  const open = prompt.error === undefined ? `<button class="secondary" data-action="openPromptDocument">${escapeHtml(t('Open in an editor'))}</button>` : '';
  return `<section id="prompt"><h2>${escapeHtml(t('Prompt of sheet {0}, as its agent gets it', prompt.sheet))}</h2><div class="actions">${open}</div>${body}${notes}</section>`;
}

/** The page's content (also pushed on every edit, without reloading the page). */
export function renderPlanBody(result: PlanResult, t: Translate): string {
  const f = result.findings;
  const findingLine = escapeHtml(t('{0} errors, {1} warnings, {2} notes', f.errors, f.warnings, f.infos));
  const findings = f.first.length
    ? `<ul>${f.first.map((x) => `<li><span class="${x.severity === 'error' ? 'error' : x.severity === 'warning' ? 'warning' : 'note'}">${escapeHtml(x.severity)}</span> <code>${escapeHtml(x.checkId)}</code>${x.line !== undefined ? ` ${escapeHtml(t('line {0}', x.line))}` : ''}: ${escapeHtml(x.message)}</li>`).join('')}</ul>`
    : '';
  const plan = result.plan;
  if (!plan) {
    return `<h1>${escapeHtml(t('No plan'))}</h1><p class="error">${escapeHtml(result.reason ?? t('The score cannot be planned.'))}</p><h2>${escapeHtml(t('Findings'))}</h2><p>${findingLine}</p>${findings}${promptSection(result.prompt, t)}`;
  }
  const graph = planGraph(plan, t, result.prompt?.sheet);
  const order = plan.order === 'dependencies' ? t('by dependencies, at most {0} at a time', plan.maxConcurrent) : t('one after another');
  const header = `<h1>${escapeHtml(plan.name)}</h1>
    <div class="meta">${escapeHtml(t('{0} sheets in {1} stages · backend {2} · order: {3}', plan.totalSheets, plan.totalStages, plan.backend, order))}</div>
    <div class="meta">${escapeHtml(t('Workspace: {0}', plan.workspace))}</div>
    <div class="meta">${findingLine}</div>
    <div class="actions"><label for="sheet-input">${escapeHtml(t('Preview the prompt of sheet'))}</label> <input id="sheet-input" type="number" min="1" max="${plan.totalSheets}" value="${result.prompt?.sheet ?? 1}"> <button data-action="previewPrompt">${escapeHtml(t('Preview Prompt'))}</button> <button class="secondary" data-action="refresh">${escapeHtml(t('Refresh'))}</button></div>`;
  const graphNote = graph.aggregated ? `<p class="note">${escapeHtml(t('More than {0} sheets: drawn by stage. Click a stage for its first sheet\'s prompt.', MAX_SHEET_NODES))}</p>` : '';
  return `${header}<h2>${escapeHtml(t('Graph'))}</h2>${graphNote}<div class="graph">${graph.svg}</div>${promptSection(result.prompt, t)}<h2>${escapeHtml(graph.aggregated ? t('Stages') : t('Sheets'))}</h2>${graph.aggregated ? stageTable(plan, t) : sheetTable(plan, t)}${f.first.length ? `<h2>${escapeHtml(t('Findings'))}</h2>${findings}` : ''}`;
}

/** The whole page. */
export function renderPlanHtml(result: PlanResult, options: PlanPageOptions & { revealPrompt?: boolean }): string {
  const { t, nonce } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(diagnoseCsp(nonce, options.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(t('Plan of {0}', options.title))}</title>
<style nonce="${escapeHtml(nonce)}">${STYLE}</style>
</head>
<body>
<div id="root"${options.revealPrompt ? ' data-reveal="prompt"' : ''}>${renderPlanBody(result, t)}</div>
<script nonce="${escapeHtml(nonce)}">${SCRIPT}</script>
</body>
</html>`;
}
