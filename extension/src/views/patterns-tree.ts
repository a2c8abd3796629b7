// The "Learned patterns" view: the conductor's learned patterns (`learning.patterns`), with
// quarantine and un-quarantine actions (`learning.setStatus`). Items are described by
// patterns-model.ts; this shell fetches, refreshes after job events (gathered, and only while the
// view is visible) and carries out the actions.
import * as vscode from 'vscode';
import type { PatternView } from '../../../protocol/src/learning.js';
import type { ConductorConnection } from '../conductor/connection.js';
import type { Translate } from '../l10n.js';
import { patternItems } from './patterns-model.js';
import type { PatternItemModel } from './patterns-model.js';

/** Job events gathered this long before the patterns are read again. */
const REFRESH_DELAY_MS = 1500;
const LIMIT = 200;

export class PatternsTree implements vscode.TreeDataProvider<PatternItemModel>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  visible = false;
  /** The patterns last read, by item id (for the actions). */
  private readonly byId = new Map<string, PatternView>();

  constructor(
    private readonly connection: ConductorConnection,
    private readonly t: Translate,
  ) {
    const onState = () => this.refresh();
    // What the patterns are measured from changes when attempts end: after a sheet or job event.
    const onEvent = (event: { type: string }) => {
      if (event.type === 'sheet.completed' || event.type === 'sheet.failed' || event.type.startsWith('job.')) this.schedule();
    };
    connection.on('state', onState);
    connection.on('event', onEvent);
    this.disposables.push({ dispose: () => connection.off('state', onState) }, { dispose: () => connection.off('event', onEvent) });
  }

  getTreeItem(model: PatternItemModel): vscode.TreeItem {
    const item = new vscode.TreeItem(model.label, vscode.TreeItemCollapsibleState.None);
    item.id = model.id;
    item.description = model.description;
    item.tooltip = model.tooltip;
    item.contextValue = model.contextValue;
    item.iconPath = new vscode.ThemeIcon(model.icon.id, model.icon.color ? new vscode.ThemeColor(model.icon.color) : undefined);
    return item;
  }

  async getChildren(element?: PatternItemModel): Promise<PatternItemModel[]> {
    if (element || this.connection.state.phase !== 'running') return [];
    let patterns: PatternView[];
    try {
      patterns = await this.connection.request('learning.patterns', { limit: LIMIT });
    } catch (error) {
      void vscode.window.showWarningMessage(this.t('Could not read the learned patterns: {0}', (error as Error).message));
      return [];
    }
    this.byId.clear();
    for (const p of patterns) this.byId.set(`pattern:${p.id}`, p);
    void vscode.commands.executeCommand('setContext', 'mozart.patternCount', patterns.length);
    return patternItems(patterns, Date.now(), this.t);
  }

  /** The pattern behind an item (or an id). */
  pattern(target: unknown): PatternView | undefined {
    if (typeof target === 'string') return this.byId.get(`pattern:${target}`) ?? [...this.byId.values()].find((p) => p.id.startsWith(target));
    if (target && typeof target === 'object' && 'id' in target) return this.byId.get(String((target as { id: unknown }).id));
    return undefined;
  }

  /** All patterns last read. */
  patterns(): PatternView[] {
    return [...this.byId.values()];
  }

  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.fire(undefined);
  }

  private schedule(): void {
    if (!this.visible) return;
    this.timer ??= setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}

/** The view, its refresh button and its quarantine / un-quarantine actions. */
export function registerPatternsView(connection: ConductorConnection, t: Translate): vscode.Disposable[] {
  const tree = new PatternsTree(connection, t);
  const view = vscode.window.createTreeView('mozart.patterns', { treeDataProvider: tree });
  tree.visible = view.visible;
  const command = (id: string, run: (target?: unknown) => unknown) =>
    vscode.commands.registerCommand(id, async (target?: unknown) => {
      try {
        await run(target);
      } catch (error) {
        void vscode.window.showErrorMessage(t('Mozart: {0}', (error as Error).message));
      }
    });
  /** The pattern an action is about: the item it was invoked on, or one the person picks. */
  const choose = async (target: unknown, wanted: (p: PatternView) => boolean, placeHolder: string): Promise<PatternView | undefined> => {
    const given = tree.pattern(target);
    if (given) return given;
    if (tree.patterns().length === 0) await tree.getChildren();
    const candidates = tree.patterns().filter(wanted);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(t('No learned pattern to choose from.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((p) => ({ label: p.name, description: p.kind, detail: p.description, pattern: p })),
      { placeHolder },
    );
    return picked?.pattern;
  };
  const setStatus = async (target: unknown, status: 'quarantined' | 'pending') => {
    const pattern = await choose(target, (p) => (status === 'quarantined' ? p.status !== 'quarantined' && p.status !== 'retired' : p.status === 'quarantined'), status === 'quarantined' ? t('Quarantine which pattern?') : t('Un-quarantine which pattern?'));
    if (!pattern) return;
    const reason = status === 'quarantined' ? t('quarantined in VS Code') : t('un-quarantined in VS Code');
    const updated = await connection.request('learning.setStatus', { id: pattern.id, status, reason });
    tree.refresh();
    void vscode.window.setStatusBarMessage(status === 'quarantined' ? t("Pattern '{0}' is quarantined: no prompt gets it.", updated.name) : t("Pattern '{0}' is back: it is measured afresh.", updated.name), 5000);
  };
  return [
    view,
    tree,
    view.onDidChangeVisibility((e) => {
      tree.visible = e.visible;
      if (e.visible) tree.refresh();
    }),
    command('mozart.refreshPatterns', () => tree.refresh()),
    command('mozart.quarantinePattern', (target) => setStatus(target, 'quarantined')),
    command('mozart.unquarantinePattern', (target) => setStatus(target, 'pending')),
  ];
}
