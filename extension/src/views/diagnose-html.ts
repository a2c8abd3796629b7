// The diagnose panel's page, rendered from a DiagnoseReport. Pure: the report, a nonce and the
// webview's CSP source in, a complete HTML document out. Every value from the report is escaped;
// the only script is the page's own (nonce-bound) message sender; nothing is loaded from anywhere.
import type { DiagnoseReport, JobErrorEntry } from '../../../protocol/src/methods.js';
import type { Translate } from '../l10n.js';
import { formatCost } from '../jobs/format.js';
import { appliedPatternLine } from './patterns-model.js';
import { localDateTime } from '../../../protocol/src/time-text.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { renderCostChart } from './cost-chart.js';
import { TIMELINE_STYLE, renderTimeline } from './timeline-svg.js';
import { timelineOf } from './timeline-model.js';
import { escapeHtml } from './escape-html.js';

export { escapeHtml };
import { parseStepMessage, stepActions, stepLabel, type StepAction, type StepMessage } from './diagnose-steps.js';

/** What the page may ask the extension to do (posted with `acquireVsCodeApi().postMessage`). */
export type DiagnoseMessage = { type: 'resume' } | { type: 'refresh' } | { type: 'openFile'; index: number } | StepMessage;

/**
 * The message a page sent, if it is one the panel understands: a file only by an index the report
 * has, a step's command only from the allow-list (diagnose-steps.ts), a sheet only one the job has.
 */
export function parseDiagnoseMessage(value: unknown, fileCount: number, totalSheets = 0): DiagnoseMessage | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const message = value as { type?: unknown; index?: unknown };
  if (message.type === 'resume' || message.type === 'refresh') return { type: message.type };
  if (message.type === 'command') return parseStepMessage(value, totalSheets);
  if (message.type === 'openFile' && Number.isInteger(message.index) && (message.index as number) >= 0 && (message.index as number) < fileCount) {
    return { type: 'openFile', index: message.index as number };
  }
  return undefined;
}

export interface DiagnosePageOptions {
  /** A fresh random value per render; the CSP admits only the script and style carrying it. */
  nonce: string;
  /** `webview.cspSource`. */
  cspSource: string;
  t: Translate;
  /** The job's checkpoint (`job.status`), for the timeline and the cost chart; without it they say why they are missing. */
  state?: JobState;
  /** Why the checkpoint could not be read, when it could not. */
  stateError?: string;
  /** Epoch ms the open spans of a running job are drawn to. */
  now?: number;
}

/** The Content-Security-Policy of the page. */
export function diagnoseCsp(nonce: string, cspSource: string): string {
  return [`default-src 'none'`, `img-src ${cspSource}`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`, `font-src ${cspSource}`].join('; ');
}

const STYLE = `
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 24px; line-height: 1.45; }
  h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; }
  h2 { font-size: 1.1em; font-weight: 600; margin: 20px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding-bottom: 4px; }
  h3 { font-size: 1em; font-weight: 600; margin: 12px 0 6px; }
  .meta { color: var(--vscode-descriptionForeground); }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.9em; background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
  .status-failed, .fail { color: var(--vscode-testing-iconFailed, var(--vscode-errorForeground)); }
  .status-completed, .pass { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
  .skip { color: var(--vscode-descriptionForeground); }
  .actions { margin: 12px 0; display: flex; flex-wrap: wrap; gap: 8px; }
  button { font-family: inherit; font-size: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; border-radius: 2px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
  button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
  button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
  table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
  th, td { text-align: left; vertical-align: top; padding: 3px 8px 3px 0; border-bottom: 1px solid var(--vscode-widget-border, transparent); }
  th { color: var(--vscode-descriptionForeground); font-weight: 600; }
  code, pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  pre { background: var(--vscode-textCodeBlock-background); padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; max-height: 24em; overflow-y: auto; }
  .error-box { border-left: 3px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); padding: 4px 10px; margin: 6px 0; background: var(--vscode-inputValidation-errorBackground, transparent); }
  .what-to-do { margin-top: 6px; }
  .what-to-do h4 { font-size: 1em; font-weight: 600; margin: 0 0 2px; color: var(--vscode-foreground); text-decoration: none; cursor: default; }
  .step { margin: 0 0 10px; }
  .step .actions { margin: 4px 0 0; }
  .cli { color: var(--vscode-descriptionForeground); }
  ul { padding-left: 20px; }
  .empty { color: var(--vscode-descriptionForeground); font-style: italic; }
  .note { color: var(--vscode-descriptionForeground); margin: 4px 0; }
${TIMELINE_STYLE}`;

const SCRIPT = `
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const action = button.getAttribute('data-action');
    if (action === 'openFile') vscode.postMessage({ type: 'openFile', index: Number(button.getAttribute('data-index')) });
    else if (action === 'command') {
      const sheet = button.getAttribute('data-sheet');
      vscode.postMessage({ type: 'command', command: button.getAttribute('data-command'), ...(sheet ? { sheet: Number(sheet) } : {}) });
    } else vscode.postMessage({ type: action });
  });
  // A running job's report is redrawn in place: what the reader scrolled to and found stays put.
  window.addEventListener('message', (event) => {
    const message = event.data;
    const report = document.getElementById('report');
    if (report && message && message.type === 'render' && typeof message.html === 'string') report.innerHTML = message.html;
  });
`;

function statusClass(status: string): string {
  return `status-${status.replace(/[^a-z_]/gi, '')}`;
}

function validationMark(status: string, t: Translate): string {
  if (status === 'passed') return `<span class="pass" title="${escapeHtml(t('passed'))}">✓ ${escapeHtml(t('pass'))}</span>`;
  if (status === 'failed') return `<span class="fail" title="${escapeHtml(t('failed'))}">✗ ${escapeHtml(t('fail'))}</span>`;
  return `<span class="skip">– ${escapeHtml(status.replace('_', ' '))}</span>`;
}

/** The buttons for what a step names; none when it names no command. */
function stepButtons(actions: StepAction[], t: Translate): string {
  if (actions.length === 0) return '';
  const buttons = actions.map((a) => `<button data-action="command" data-command="${escapeHtml(a.command)}"${a.sheet !== undefined ? ` data-sheet="${escapeHtml(a.sheet)}"` : ''}>${escapeHtml(stepLabel(a, t))}</button>`);
  return `<div class="actions">${buttons.join('')}</div>`;
}

/** One next step: its buttons first, the conductor's words (with the CLI command) as secondary text. */
function stepItem(text: string, t: Translate): string {
  const actions = stepActions(text);
  return `<li class="step">${actions.length ? `${stepButtons(actions, t)}<div class="cli">${escapeHtml(text)}</div>` : escapeHtml(text)}</li>`;
}

function errorLine(error: JobErrorEntry, t: Translate): string {
  // A plain heading: the hint is text to read, with buttons for what it names.
  const suggestion = error.suggestion
    ? `<div class="what-to-do"><h4>${escapeHtml(t('What to do'))}</h4><div>${escapeHtml(error.suggestion)}</div>${stepButtons(stepActions(error.suggestion, error.sheet), t)}</div>`
    : '';
  return `<div class="error-box"><code>${escapeHtml(error.code)}</code> <span class="meta">${escapeHtml(error.category)}</span> — ${escapeHtml(error.message)}${suggestion}</div>`;
}

/** The whole page. */
export function renderDiagnoseHtml(report: DiagnoseReport, options: DiagnosePageOptions): string {
  return page(report, options, renderDiagnoseBody(report, options));
}

/** What the page shows, without the page around it (a live redraw replaces just this). */
export function renderDiagnoseBody(report: DiagnoseReport, options: DiagnosePageOptions): string {
  const { t } = options;
  const job = report.job;
  const canResume = job.status === 'failed' || job.status === 'paused' || job.status === 'cancelled' || job.status === 'pending';
  const actions = [
    canResume ? `<button data-action="resume">${escapeHtml(job.status === 'failed' ? t('Resume from failed sheet') : t('Resume'))}</button>` : '',
    `<button class="secondary" data-action="refresh">${escapeHtml(t('Refresh'))}</button>`,
  ].join('');

  const summary = `
    <h1>${escapeHtml(job.name || job.jobId)} <span class="badge ${statusClass(job.status)}">${escapeHtml(job.status)}</span></h1>
    <div class="meta">${escapeHtml(t('{0} of {1} sheets done, {2} failed · cost {3} · updated {4}', job.completedSheets, job.totalSheets, job.failedSheets, formatCost(job.costUsd), localDateTime(job.updatedAt)))}</div>
    ${job.error ? `<div class="error-box"><code>${escapeHtml(job.error.code)}</code> — ${escapeHtml(job.error.message)}</div>` : ''}
    <div class="actions">${actions}</div>`;

  const failing = report.failingSheets.length
    ? report.failingSheets
        .map((sheet) => {
          const validations = sheet.validations.length
            ? `<table><thead><tr><th>${escapeHtml(t('Stage'))}</th><th>${escapeHtml(t('Rule'))}</th><th>${escapeHtml(t('Result'))}</th><th>${escapeHtml(t('Message'))}</th></tr></thead><tbody>${sheet.validations
                .map((v) => `<tr><td>${escapeHtml(v.stage)}</td><td><code>${escapeHtml(v.type)}</code> ${escapeHtml(v.description)}</td><td>${validationMark(v.status, t)}</td><td>${escapeHtml(v.message)}</td></tr>`)
                .join('')}</tbody></table>`
            : `<p class="empty">${escapeHtml(t('No validation results recorded.'))}</p>`;
          const tails = [
            sheet.stdoutTail ? `<h3>${escapeHtml(t('Output (last lines)'))}</h3><pre>${escapeHtml(sheet.stdoutTail)}</pre>` : '',
            sheet.stderrTail ? `<h3>${escapeHtml(t('Errors (last lines)'))}</h3><pre>${escapeHtml(sheet.stderrTail)}</pre>` : '',
          ].join('');
          // The learned patterns its prompt carried (the prompt file, under Files, shows them in place).
          const learned = sheet.patterns?.length ? `<h3>${escapeHtml(t('Learned patterns in its prompt'))}</h3><ul>${sheet.patterns.map((p) => `<li>${escapeHtml(appliedPatternLine(p, t))}</li>`).join('')}</ul>` : '';
          return `<section><h3>${escapeHtml(sheet.description ? t('Sheet {0}: {1}', sheet.sheet, sheet.description) : t('Sheet {0}', sheet.sheet))} <span class="badge ${statusClass(sheet.status)}">${escapeHtml(sheet.status)}</span> <span class="meta">${escapeHtml(t('{0} attempts', sheet.attempts))}</span></h3>
            ${sheet.lastError ? errorLine(sheet.lastError, t) : ''}${validations}${learned}${tails}</section>`;
        })
        .join('')
    : `<p class="empty">${escapeHtml(t('No sheet is failing.'))}</p>`;

  const history = report.errors.length
    ? `<table><thead><tr><th>${escapeHtml(t('Time'))}</th><th>${escapeHtml(t('Sheet'))}</th><th>${escapeHtml(t('Attempt'))}</th><th>${escapeHtml(t('Code'))}</th><th>${escapeHtml(t('Message'))}</th></tr></thead><tbody>${report.errors
        .map(
          (e) =>
            `<tr><td>${escapeHtml(localDateTime(e.at))}</td><td>${escapeHtml(e.sheet)}</td><td>${escapeHtml(e.attempt)}</td><td><code>${escapeHtml(e.code)}</code><div class="meta">${escapeHtml(e.category)}</div></td><td>${escapeHtml(e.message)}${e.suggestion ? `<div class="meta">${escapeHtml(e.suggestion)}</div>` : ''}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="empty">${escapeHtml(t('No errors recorded.'))}</p>`;

  const suggestions = report.suggestions.length ? `<ul>${report.suggestions.map((s) => stepItem(s, t)).join('')}</ul>` : `<p class="empty">${escapeHtml(t('No suggestions.'))}</p>`;

  const files = report.files.length
    ? `<div class="actions">${report.files.map((f, index) => `<button class="secondary" data-action="openFile" data-index="${index}" title="${escapeHtml(f.path)}">${escapeHtml(f.label)}</button>`).join('')}</div>`
    : `<p class="empty">${escapeHtml(t('No files.'))}</p>`;

  return `${summary}
<h2>${escapeHtml(t('Failing sheets'))}</h2>
${failing}
<h2>${escapeHtml(t('Next steps'))}</h2>
${suggestions}
${timelineSections(options)}
<h2>${escapeHtml(t('Error history'))}</h2>
${history}
<h2>${escapeHtml(t('Files'))}</h2>
${files}`;
}

/** The timeline and the cost chart, from the checkpoint (or why they are missing). */
function timelineSections(options: DiagnosePageOptions): string {
  const { t, state } = options;
  if (!state) {
    const why = options.stateError ? t('The timeline needs the job\'s checkpoint, which could not be read: {0}', options.stateError) : t('The timeline needs the job\'s checkpoint, which was not given.');
    return `<h2>${escapeHtml(t('Timeline'))}</h2><p class="empty">${escapeHtml(why)}</p>`;
  }
  const data = timelineOf(state, options.now ?? Date.now());
  return `<h2>${escapeHtml(t('Timeline'))}</h2>
<section class="timeline-section">${renderTimeline(data, t)}</section>
<h2>${escapeHtml(data.aggregated ? t('Cost per stage') : t('Cost per sheet'))}</h2>
<section class="cost-section">${renderCostChart(data, t)}</section>`;
}

function page(report: DiagnoseReport, options: DiagnosePageOptions, body: string): string {
  const { t, nonce } = options;
  const job = report.job;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(diagnoseCsp(nonce, options.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(t('Diagnose {0}', job.name || job.jobId))}</title>
<style nonce="${escapeHtml(nonce)}">${STYLE}</style>
</head>
<body>
<main id="report">${body}</main>
<script nonce="${escapeHtml(nonce)}">${SCRIPT}</script>
</body>
</html>`;
}
