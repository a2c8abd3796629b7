// The diagnose panel: a webview showing `job.diagnose` for one job (one panel per job, reused).
// The page is rendered by diagnose-html.ts; its buttons post messages handled here. The job's
// checkpoint (`job.status`) comes with the report: the timeline and the cost chart are drawn from
// its per-sheet spans, a running job's open spans up to the moment of the render. While the job
// changes (and while it runs, for its open spans) a visible panel is redrawn in place, at most
// every LIVE_REDRAW_MS; a hidden one is redrawn when it shows again. Refresh redraws at once.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { DiagnoseReport } from '../../../protocol/src/methods.js';
import type { ConductorConnection } from '../conductor/connection.js';
import type { Translate } from '../l10n.js';
import type { Refresh } from '../jobs/refresh-batcher.js';
import { escapeHtml, parseDiagnoseMessage, renderDiagnoseBody, renderDiagnoseHtml } from './diagnose-html.js';
import { stepInvocation } from './diagnose-steps.js';

export interface DiagnoseActions {
  resume(jobId: string): Promise<void>;
  openPath(path: string): Promise<void>;
}

/** The least time between two live redraws of one panel. */
export const LIVE_REDRAW_MS = 2000;

/** The job store's gathered changes (refresh-batcher.ts), which a panel follows. */
export interface DiagnoseChanges {
  onRefresh(listener: (refresh: Refresh) => void): () => void;
}

interface PanelEntry {
  panel: vscode.WebviewPanel;
  report?: DiagnoseReport;
  /** The job was running at the last render: its open spans grow with time. */
  running: boolean;
  lastRender: number;
  timer?: ReturnType<typeof setTimeout>;
  /** Changed while hidden: redraw when shown. */
  stale: boolean;
}

export class DiagnosePanels implements vscode.Disposable {
  private readonly panels = new Map<string, PanelEntry>();
  private readonly stopFollowing: () => void;

  constructor(
    private readonly connection: ConductorConnection,
    private readonly actions: DiagnoseActions,
    private readonly t: Translate,
    changes?: DiagnoseChanges,
  ) {
    this.stopFollowing =
      changes?.onRefresh((refresh) => {
        for (const jobId of this.panels.keys()) if (refresh.all || refresh.jobIds.has(jobId)) this.redrawSoon(jobId);
      }) ?? (() => undefined);
  }

  /** Schedules a live redraw of the job's panel, no sooner than LIVE_REDRAW_MS after the last. */
  private redrawSoon(jobId: string): void {
    const entry = this.panels.get(jobId);
    if (!entry || entry.timer) return;
    const wait = Math.max(0, entry.lastRender + LIVE_REDRAW_MS - Date.now());
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.panels.get(jobId) !== entry) return;
      if (entry.panel.visible) void this.load(jobId, true);
      else entry.stale = true;
    }, wait);
  }

  /** Shows the job's report (fetching it afresh). */
  async show(jobId: string): Promise<void> {
    let entry = this.panels.get(jobId);
    if (entry) {
      entry.panel.reveal();
    } else {
      const panel = vscode.window.createWebviewPanel('mozart.diagnose', this.t('Diagnose: {0}', jobId), vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [],
        enableFindWidget: true,
      });
      const created: PanelEntry = { panel, running: false, lastRender: 0, stale: false };
      entry = created;
      this.panels.set(jobId, created);
      panel.onDidDispose(() => {
        if (created.timer) clearTimeout(created.timer);
        if (this.panels.get(jobId) === created) this.panels.delete(jobId);
      });
      panel.onDidChangeViewState(() => {
        if (!panel.visible || !created.stale) return;
        created.stale = false;
        this.redrawSoon(jobId);
      });
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(jobId, raw));
    }
    await this.load(jobId);
  }

  /** Renders the job's report: the whole page, or (live) just its content, in place. */
  private async load(jobId: string, live = false): Promise<void> {
    const entry = this.panels.get(jobId);
    if (!entry) return;
    const { webview } = entry.panel;
    entry.lastRender = Date.now();
    try {
      const [report, state] = await Promise.all([
        this.connection.request('job.diagnose', { jobId }),
        this.connection.request('job.status', { jobId }).then(
          (value) => ({ value }),
          (error: unknown) => ({ error: (error as Error).message }),
        ),
      ]);
      if (this.panels.get(jobId) !== entry) return;
      entry.report = report;
      const options = {
        nonce: randomBytes(16).toString('base64'),
        cspSource: webview.cspSource,
        t: this.t,
        now: Date.now(),
        ...('value' in state ? { state: state.value } : { stateError: state.error }),
      };
      if (live) void webview.postMessage({ type: 'render', html: renderDiagnoseBody(report, options) });
      else webview.html = renderDiagnoseHtml(report, options);
      // A running job's open attempt or wait grows on the timeline without any record to say so.
      entry.running = report.job.status === 'running';
      if (entry.running) this.redrawSoon(jobId);
    } catch (error) {
      entry.report = undefined;
      webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${escapeHtml(this.t("Could not diagnose job '{0}': {1}", jobId, (error as Error).message))}</p></body></html>`;
    }
  }

  private async onMessage(jobId: string, raw: unknown): Promise<void> {
    const entry = this.panels.get(jobId);
    const message = parseDiagnoseMessage(raw, entry?.report?.files.length ?? 0, entry?.report?.job.totalSheets ?? 0);
    if (!message || !entry) return;
    switch (message.type) {
      case 'refresh':
        await this.load(jobId);
        return;
      case 'resume':
        await this.actions.resume(jobId);
        await this.load(jobId);
        return;
      case 'command': {
        // A step's button: an allowed command, on this panel's job (never an id from the page).
        const invocation = entry.report ? stepInvocation(message, entry.report) : undefined;
        if (!invocation) return;
        const { argument: a } = invocation;
        const argument = a.kind === 'score' ? vscode.Uri.file(a.scoreFile) : a.kind === 'sheet' ? { jobId: a.jobId, sheet: a.sheet } : a.jobId;
        await vscode.commands.executeCommand(invocation.command, argument);
        await this.load(jobId);
        return;
      }
      case 'openFile': {
        const file = entry.report?.files[message.index];
        if (file) await this.actions.openPath(file.path);
        return;
      }
    }
  }

  dispose(): void {
    this.stopFollowing();
    for (const { panel } of this.panels.values()) panel.dispose();
    this.panels.clear();
  }
}
