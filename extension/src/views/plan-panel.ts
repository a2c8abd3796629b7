// The plan panel: a webview per score showing its `mozart/plan` answer from the language server
// (the dry run's plan, from the open buffer). It follows the buffer: after an edit (debounced) it
// asks again and pushes the new content to the page, keeping the sheet whose prompt is shown.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { PlanParams, PlanResult } from '../../../protocol/src/plan.js';
import type { Translate } from '../l10n.js';
import { escapeHtml } from './diagnose-html.js';
import { parsePlanMessage, renderPlanBody, renderPlanHtml } from './plan-html.js';

/** Sends `mozart/plan` to the language server. */
export type PlanRequester = (params: PlanParams) => Promise<PlanResult>;

/** How long after the last edit the plan is asked for again. */
export const PLAN_DEBOUNCE_MS = 300;

interface Entry {
  panel: vscode.WebviewPanel;
  uri: vscode.Uri;
  promptSheet?: number;
  last?: PlanResult;
  timer?: ReturnType<typeof setTimeout>;
  /** Bumped per request: an older answer arriving late is dropped. */
  generation: number;
}

export class PlanPanels implements vscode.Disposable {
  private readonly panels = new Map<string, Entry>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private requester: Promise<PlanRequester>;
  private attachRequester!: (requester: PlanRequester) => void;
  private failRequester!: (error: Error) => void;

  constructor(private readonly t: Translate) {
    this.requester = new Promise((resolve, reject) => {
      this.attachRequester = resolve;
      this.failRequester = reject;
    });
    // Nobody may be waiting when the server fails to start; a panel opened later is told then.
    this.requester.catch(() => undefined);
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((change) => {
        const entry = this.panels.get(change.document.uri.toString());
        if (entry && change.contentChanges.length > 0) this.schedule(entry);
      }),
    );
  }

  /** The language server is running: requests go to it from now on. */
  attach(requester: PlanRequester): void {
    this.attachRequester(requester);
    this.requester = Promise.resolve(requester);
  }

  /** The language server did not start: panels say so instead of waiting. */
  unavailable(reason: string): void {
    const error = new Error(this.t('the Mozart language server did not start ({0})', reason));
    this.failRequester(error);
    this.requester = Promise.reject(error);
    this.requester.catch(() => undefined);
  }

  /** Opens (or reveals) the plan of a score; with `promptSheet`, also that sheet's prompt. */
  async show(uri: vscode.Uri, options: { promptSheet?: number } = {}): Promise<void> {
    // The language server knows only open documents: open it (not necessarily shown).
    await vscode.workspace.openTextDocument(uri);
    const key = uri.toString();
    let entry = this.panels.get(key);
    if (entry) {
      entry.panel.reveal(undefined, true);
    } else {
      const panel = vscode.window.createWebviewPanel('mozart.plan', this.t('Plan: {0}', basename(uri.fsPath)), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, localResourceRoots: [], enableFindWidget: true, retainContextWhenHidden: true });
      const created: Entry = { panel, uri, generation: 0 };
      entry = created;
      this.panels.set(key, created);
      panel.webview.html = this.message(this.t('Asking the Mozart language server for the plan…'));
      panel.onDidDispose(() => {
        if (created.timer) clearTimeout(created.timer);
        this.panels.delete(key);
      });
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(created, raw));
    }
    if (options.promptSheet !== undefined) entry.promptSheet = options.promptSheet;
    await this.load(entry, { full: true, reveal: options.promptSheet !== undefined });
  }

  private schedule(entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      void this.load(entry, { full: false, reveal: false });
    }, PLAN_DEBOUNCE_MS);
  }

  private async load(entry: Entry, how: { full: boolean; reveal: boolean }): Promise<void> {
    const generation = ++entry.generation;
    const { webview } = entry.panel;
    let result: PlanResult;
    try {
      const request = await this.requester;
      result = await request({ uri: entry.uri.toString(), ...(entry.promptSheet !== undefined ? { promptSheet: entry.promptSheet } : {}) });
    } catch (error) {
      if (generation === entry.generation && this.panels.has(entry.uri.toString())) webview.html = this.message(this.t('Could not get the plan: {0}', (error as Error).message));
      return;
    }
    if (generation !== entry.generation || !this.panels.has(entry.uri.toString())) return;
    const first = entry.last === undefined;
    entry.last = result;
    if (how.full || first) {
      webview.html = renderPlanHtml(result, { nonce: randomBytes(16).toString('base64'), cspSource: webview.cspSource, t: this.t, title: basename(entry.uri.fsPath), revealPrompt: how.reveal });
    } else {
      await webview.postMessage({ type: 'render', body: renderPlanBody(result, this.t), reveal: how.reveal });
    }
  }

  private async onMessage(entry: Entry, raw: unknown): Promise<void> {
    const message = parsePlanMessage(raw, entry.last?.plan?.totalSheets ?? 0);
    if (!message) return;
    switch (message.type) {
      case 'previewPrompt':
        entry.promptSheet = message.sheet;
        await this.load(entry, { full: false, reveal: true });
        return;
      case 'refresh':
        await this.load(entry, { full: false, reveal: false });
        return;
      case 'openPromptDocument': {
        const text = entry.last?.prompt?.prompt;
        if (text === undefined) return;
        const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: text });
        await vscode.window.showTextDocument(document, { preview: true });
        return;
      }
    }
  }

  private message(text: string): string {
    return `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${escapeHtml(text)}</p></body></html>`;
  }

  dispose(): void {
    for (const { panel } of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}
