// The status bar entry: the conductor's state and how many jobs run; a click opens the conductor
// menu (start, stop, restart, show log). Its text comes from status-model.ts.
import * as vscode from 'vscode';
import type { ConductorConnection } from '../conductor/connection.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Translate } from '../l10n.js';
import { statusBarModel } from './status-model.js';

/** The version this extension (and the conductor it bundles) was built as; set by the build. */
declare const MOZART_VERSION: string | undefined;

export class ConductorStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  /** What the item shows now (text, tooltip, look). */
  private shown = '';

  constructor(
    private readonly connection: ConductorConnection,
    private readonly store: JobStore,
    private readonly t: Translate,
  ) {
    this.item = vscode.window.createStatusBarItem('mozart.conductor', vscode.StatusBarAlignment.Left, 50);
    this.item.name = t('Mozart Conductor');
    this.item.command = 'mozart.conductorMenu';
    const update = () => this.update();
    connection.on('state', update);
    // The store's gathered refreshes, not each change: a busy job's every record would be a message to the window.
    const stop = store.refreshes.onRefresh(update);
    this.disposables.push({ dispose: () => connection.off('state', update) }, { dispose: stop });
    this.update();
    this.item.show();
  }

  private update(): void {
    const model = statusBarModel(this.connection.state, this.store.runningCount(), this.t, typeof MOZART_VERSION === 'string' ? MOZART_VERSION : undefined, this.store.pausingCount());
    // Every property set is a message to the window: set only what changed.
    const shown = `${model.text}\n${String(model.tooltip)}\n${model.look}`;
    if (shown === this.shown) return;
    this.shown = shown;
    this.item.text = model.text;
    this.item.tooltip = model.tooltip;
    this.item.backgroundColor = model.look === 'normal' ? undefined : new vscode.ThemeColor(model.look === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}
