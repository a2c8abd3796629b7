// The Mozart jobs view: a TreeDataProvider over the job store. Items are described by the pure
// view model (jobs/tree-model.ts); this shell turns them into TreeItems, refreshes the jobs the
// store's gathered refreshes name (jobs/refresh-batcher.ts: at most one refresh per 750 ms, the
// same moment the progress notifications update), tells the store which jobs' sheets it shows,
// forgets the elements of jobs that left, and re-renders countdowns once a second while a sheet waits.
import * as vscode from 'vscode';
import type { ConductorConnection } from '../conductor/connection.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Refresh } from '../jobs/refresh-batcher.js';
import { jobChildren, jobItem, memberGroups, memberItem, rangeItemAt, sheetItem, sheetRange } from '../jobs/tree-model.js';
import type { TreeItemModel } from '../jobs/tree-model.js';
import type { Translate } from '../l10n.js';

/** A tree element: a stable handle (VS Code tracks elements by identity); its text is computed when shown. */
export interface JobNode {
  kind: 'member' | 'job' | 'range' | 'sheet';
  /** '' for a member node. */
  jobId: string;
  member?: string;
  sheet?: number;
  range?: { from: number; to: number };
}

export class JobsTree implements vscode.TreeDataProvider<JobNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobNode | JobNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Elements by id; a job's sheets and ranges also by job, so a job that leaves takes them along. */
  private readonly nodes = new Map<string, JobNode>();
  private readonly nodesOfJob = new Map<string, Set<string>>();
  /** Sheets showing a countdown: node id → the time it runs to. */
  private readonly countdowns = new Map<string, number>();
  private ticker: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly connection: ConductorConnection,
    private readonly t: Translate,
  ) {
    const stop = store.refreshes.onRefresh((refresh) => this.apply(refresh));
    const onState = () => store.refreshes.schedule(undefined);
    connection.on('state', onState);
    this.disposables.push({ dispose: stop }, { dispose: () => connection.off('state', onState) });
  }

  /** Follows the view's expansion: a job's sheets are held by the store only while shown. */
  watch(view: vscode.TreeView<JobNode>): vscode.Disposable[] {
    return [
      view.onDidCollapseElement(({ element }) => {
        if (element.kind === 'job') this.store.retain(element.jobId, false);
      }),
      view.onDidExpandElement(({ element }) => {
        if (element.kind === 'job') this.store.retain(element.jobId, true);
      }),
    ];
  }

  /** The stable element for an id. */
  private node(id: string, make: () => JobNode): JobNode {
    let node = this.nodes.get(id);
    if (!node) {
      node = make();
      this.nodes.set(id, node);
      if (node.kind === 'sheet' || node.kind === 'range') {
        let ids = this.nodesOfJob.get(node.jobId);
        if (!ids) this.nodesOfJob.set(node.jobId, (ids = new Set()));
        ids.add(id);
      }
    }
    return node;
  }

  private model(node: JobNode): TreeItemModel | undefined {
    if (node.kind === 'member') {
      const group = memberGroups(this.store.jobs())?.find((g) => g.member === node.member);
      return group ? memberItem(group, this.t) : undefined;
    }
    const summary = this.store.summary(node.jobId);
    if (!summary) return undefined;
    if (node.kind === 'job') return jobItem(summary, this.store.extras(node.jobId), this.t);
    const state = this.store.state(node.jobId);
    if (!state) return undefined;
    if (node.kind === 'sheet' && node.sheet !== undefined) {
      const sheet = state.sheets[String(node.sheet)];
      return sheet ? sheetItem(node.jobId, node.sheet, sheet, state.status, Date.now(), this.t) : sheetRange(state, node.sheet, node.sheet, Date.now(), this.t)[0];
    }
    if (node.kind === 'range' && node.range) return rangeItemAt(state, node.range.from, this.t);
    return undefined;
  }

  getTreeItem(node: JobNode): vscode.TreeItem {
    const model = this.model(node);
    if (!model) return new vscode.TreeItem(node.sheet !== undefined ? this.t('Sheet {0}', node.sheet) : node.jobId);
    const item = new vscode.TreeItem(model.label, model.collapsible ? (model.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = model.id;
    item.description = model.description;
    item.tooltip = model.tooltip;
    item.contextValue = model.contextValue;
    item.iconPath = new vscode.ThemeIcon(model.icon.id, model.icon.color ? new vscode.ThemeColor(model.icon.color) : undefined);
    if (model.kind === 'sheet') {
      item.command = { command: 'mozart.showSheetLog', title: this.t('Show Sheet Log'), arguments: [node] };
      if (model.ticksUntil !== undefined) this.trackCountdown(model.id, model.ticksUntil);
      else this.countdowns.delete(model.id);
    }
    return item;
  }

  async getChildren(node?: JobNode): Promise<JobNode[]> {
    if (this.connection.state.phase !== 'running' || !this.store.loaded) return [];
    const jobNodes = (jobs: { jobId: string }[]) => jobs.map((s) => this.node(`job:${s.jobId}`, () => ({ kind: 'job', jobId: s.jobId })));
    // A cluster member's tree groups the cluster's jobs by member; a single conductor's is flat.
    const groups = memberGroups(this.store.jobs());
    if (!node) return groups ? groups.map((g) => this.node(`member:${g.member}`, () => ({ kind: 'member', jobId: '', member: g.member }))) : jobNodes(this.store.jobs());
    if (node.kind === 'member') return jobNodes(groups?.find((g) => g.member === node.member)?.jobs ?? []);
    // VS Code asks for a job's children only while it shows them: hold its state meanwhile.
    if (node.kind === 'job') this.store.retain(node.jobId, true);
    let state = this.store.state(node.jobId);
    if (!state) {
      try {
        state = await this.store.loadState(node.jobId);
      } catch (error) {
        void vscode.window.showWarningMessage(this.t("Could not read job '{0}': {1}", node.jobId, (error as Error).message));
        return [];
      }
    }
    const now = Date.now();
    const models = node.kind === 'job' ? jobChildren(state, now, this.t) : node.kind === 'range' && node.range ? sheetRange(state, node.range.from, node.range.to, now, this.t) : [];
    return models.map((m) => this.node(m.id, () => ({ kind: m.kind, jobId: m.jobId, ...(m.sheet !== undefined ? { sheet: m.sheet } : {}), ...(m.range ? { range: m.range } : {}) })));
  }

  /** Refreshes everything now (the Refresh button). */
  refresh(): void {
    this.store.refreshes.schedule(undefined);
    this.store.refreshes.flush();
  }

  /** One gathered refresh: the jobs it names, or the whole tree (a job came or went). */
  private apply(refresh: Refresh): void {
    if (refresh.all) {
      // A job that left (cleared, another conductor) always comes as a whole-tree refresh.
      this.forgetGone();
      this.changed.fire(undefined);
      return;
    }
    const nodes: JobNode[] = [];
    let unknown = false;
    for (const jobId of refresh.jobIds) {
      const node = this.nodes.get(`job:${jobId}`);
      if (node) nodes.push(node);
      else unknown = true;
    }
    // A job not shown yet, or (in a cluster) a member's group whose counts change with its jobs.
    if (unknown || memberGroups(this.store.jobs()) !== undefined) this.changed.fire(undefined);
    else if (nodes.length) this.changed.fire(nodes);
  }

  /** Drops the elements of jobs the store no longer lists (cleared), and their countdowns. */
  private forgetGone(): void {
    for (const [id, node] of this.nodes) {
      if (node.kind !== 'job' || this.store.summary(node.jobId)) continue;
      this.nodes.delete(id);
      for (const child of this.nodesOfJob.get(node.jobId) ?? []) {
        this.nodes.delete(child);
        this.countdowns.delete(child);
      }
      this.nodesOfJob.delete(node.jobId);
    }
  }

  /** Elements held now (the bench and tests check a cleared job leaves none). */
  get elementCount(): number {
    return this.nodes.size;
  }

  private trackCountdown(id: string, until: number): void {
    this.countdowns.set(id, until);
    this.ticker ??= setInterval(() => this.tick(), 1000);
  }

  private tick(): void {
    const now = Date.now();
    const due: JobNode[] = [];
    for (const [id, until] of this.countdowns) {
      // A finished wait is shown as "0s" once more; the sheet's next event replaces it.
      if (until + 1000 < now) this.countdowns.delete(id);
      const node = this.nodes.get(id);
      if (node) due.push(node);
    }
    if (due.length) this.changed.fire(due);
    if (this.countdowns.size === 0 && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
  }
}
