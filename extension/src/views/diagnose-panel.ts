// The diagnose panel: a webview showing `job.diagnose` for one job (one panel per job, reused).
// The page is rendered by diagnose-html.ts; its buttons post messages handled here. The job's
// checkpoint (`job.status`) comes with the report: the timeline and the cost chart are drawn from
// its per-sheet spans, a running job's open spans up to the moment of the render (Refresh redraws).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { DiagnoseReport } from '../../../protocol/src/methods.js';
import type { ConductorConnection } from '../conductor/connection.js';
import type { Translate } from '../l10n.js';
import { escapeHtml, parseDiagnoseMessage, renderDiagnoseHtml } from './diagnose-html.js';
import { stepInvocation } from './diagnose-steps.js';

export interface DiagnoseActions {
  resume(jobId: string): Promise<void>;
  openPath(path: string): Promise<void>;
}

export class DiagnosePanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; report?: DiagnoseReport }>();

  constructor(
    private readonly connection: ConductorConnection,
    private readonly actions: DiagnoseActions,
    private readonly t: Translate,
  ) {}

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
      const created = { panel, report: undefined as DiagnoseReport | undefined };
      entry = created;
      this.panels.set(jobId, created);
      panel.onDidDispose(() => this.panels.delete(jobId));
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(jobId, raw));
    }
    await this.load(jobId);
  }

  private async load(jobId: string): Promise<void> {
    const entry = this.panels.get(jobId);
    if (!entry) return;
    const { webview } = entry.panel;
    try {
      const [report, state] = await Promise.all([
        this.connection.request('job.diagnose', { jobId }),
        this.connection.request('job.status', { jobId }).then(
          (value) => ({ value }),
          (error: unknown) => ({ error: (error as Error).message }),
        ),
      ]);
      entry.report = report;
      webview.html = renderDiagnoseHtml(report, {
        nonce: randomBytes(16).toString('base64'),
        cspSource: webview.cspSource,
        t: this.t,
        now: Date.now(),
        ...('value' in state ? { state: state.value } : { stateError: state.error }),
      });
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
    for (const { panel } of this.panels.values()) panel.dispose();
    this.panels.clear();
  }
}
