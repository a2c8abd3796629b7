// The extension's job-following code run under plain Node for `npm run bench` (big-jobs.ts bundles
// this file with `vscode` resolved to extension/test/support/vscode-stub.ts). It is what an editor
// window does with a conductor's events, minus the renderer: the real ConductorConnection,
// JobStore, JobsTree and progress follower, and a stand-in for VS Code's tree that, like the real
// one, re-reads an element (and the children of every expanded element below it) each time
// onDidChangeTreeData names it. Modes (argv[2]):
//   live  — subscribe to the conductor on MOZART_SOCKET; on the stdin line "report <jobId>" print
//           what was received (events, tree refreshes, progress reports, heap) as one JSON line;
//           on "cleared <jobId>" wait until the store no longer lists the job, then report.
//   fold N — fold a synthetic N-sheet job's journal records into a JobStore (a fake source) and
//           print the mean cost per record and how many tree items a refresh recomputed.
import * as vscode from 'vscode';
import { createInterface } from 'node:readline';
import { ConductorConnection } from '../../extension/src/conductor/connection.js';
import { JobStore } from '../../extension/src/jobs/job-store.js';
import type { JobSource } from '../../extension/src/jobs/job-store.js';
import { JobsTree } from '../../extension/src/views/jobs-tree.js';
import type { JobNode } from '../../extension/src/views/jobs-tree.js';
import { followJob } from '../../extension/src/commands/follow.js';
import type { MozartServices } from '../../extension/src/commands/services.js';
import type { Translate } from '../../extension/src/l10n.js';
import { newSheet } from '../../protocol/src/job-state.js';
import type { JobState } from '../../protocol/src/job-state.js';

const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

/** A stand-in for VS Code's tree: re-reads what a change names, and the open parts below it. */
class Renderer {
  fires = 0;
  itemsRead = 0;
  private readonly expanded = new Set<string>();
  private readonly shown = new Set<JobNode>();

  constructor(private readonly tree: JobsTree) {
    tree.onDidChangeTreeData((changed) => {
      this.fires++;
      void this.read(changed === undefined ? undefined : Array.isArray(changed) ? changed : [changed]);
    });
  }

  private async read(nodes: JobNode[] | undefined): Promise<void> {
    if (nodes === undefined) {
      this.shown.clear();
      await this.readChildren(undefined);
      return;
    }
    for (const node of nodes) if (this.shown.has(node)) await this.readNode(node);
  }

  private async readNode(node: JobNode): Promise<void> {
    const item = this.tree.getTreeItem(node);
    this.itemsRead++;
    this.shown.add(node);
    // Open as VS Code opens it: a running job at once, and the first range of sheets under it.
    if (item.collapsibleState === vscode.TreeItemCollapsibleState.Expanded || (node.kind === 'range' && node.range?.from === 1)) this.expanded.add(item.id ?? '');
    if (this.expanded.has(item.id ?? '')) await this.readChildren(node);
  }

  private async readChildren(node: JobNode | undefined): Promise<void> {
    for (const child of await this.tree.getChildren(node)) await this.readNode(child);
  }
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1048576;
}

async function live(): Promise<void> {
  const socketPath = process.env.MOZART_SOCKET ?? '';
  const connection = new ConductorConnection({ socketPath, conductorScript: '', execPath: process.execPath, env: process.env, logFile: process.env.MOZART_LOG ?? '/dev/null', mayRestart: () => false });
  const store = new JobStore(connection);
  const tree = new JobsTree(store, connection, t);
  const renderer = new Renderer(tree);
  let events = 0;
  let records = 0;
  let reports = 0;
  const reportsOf: string[] = [];
  const original = vscode.window.withProgress;
  (vscode.window as { withProgress: unknown }).withProgress = <R>(options: vscode.ProgressOptions, task: (progress: { report(value: { message?: string }): void }) => Promise<R>) =>
    original(options, () =>
      task({
        report: (value) => {
          reports++;
          if (value.message) reportsOf.push(value.message);
        },
      }),
    );
  const stub = vscode as unknown as { createExtensionContext(path: string): unknown };
  const services = { extension: stub.createExtensionContext(process.cwd()), connection, store, tree, t } as unknown as MozartServices;
  connection.on('event', (event) => {
    events++;
    store.handle(event);
    if (event.type === 'job.started') followJob(services, event.jobId);
  });
  connection.on('record', (event) => {
    records++;
    store.handleRecord(event);
  });
  connection.on('state', (state) => {
    if (state.phase === 'running') void store.load().then(() => process.stdout.write('ready\n'));
  });
  const baseline = heapMb();
  connection.start({ spawn: false });
  const report = (jobId: string, listed: boolean) => {
    const summary = store.summary(jobId);
    process.stdout.write(`${JSON.stringify({ events, records, fires: renderer.fires, itemsRead: renderer.itemsRead, reports, lastReport: reportsOf.at(-1), listed, completed: summary?.completedSheets, cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000, baselineMb: baseline, heapMb: heapMb() })}\n`);
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, jobId = ''] = line.split(' ');
    if (command === 'report') {
      // The job's last changes are shown with the next gathered refresh: report what it shows.
      if (store.refreshes.waiting) await new Promise<void>((resolve) => store.refreshes.onRefresh(() => resolve()));
      report(jobId, store.summary(jobId) !== undefined);
    }
    else if (command === 'cleared') {
      // The store drops a cleared job when the conductor says so; a store that never hears of it keeps it.
      const gone = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 3000);
        const check = () => {
          if (store.summary(jobId) !== undefined) return;
          clearTimeout(timer);
          store.off('changed', check);
          resolve(true);
        };
        store.on('changed', check);
        check();
      });
      const dropped = await gone;
      // Let the tree's coalesced refresh run, as it would in the editor, before measuring.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      report(jobId, !dropped);
    } else if (command === 'quit') break;
  }
  tree.dispose();
  connection.dispose();
  process.exit(0);
}

/** A source answering job.status with one big state, for the fold measurement. */
function fold(sheets: number): void {
  const state: JobState = { version: 1, jobId: 'fold', name: 'fold', scoreFile: '/s.yaml', workspace: '/ws', status: 'running', createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString(), totalSheets: sheets, sheets: {}, costUsd: 0 };
  for (let n = 1; n <= sheets; n++) state.sheets[String(n)] = newSheet();
  const source: JobSource = { request: (async () => structuredClone(state)) as JobSource['request'] };
  const store = new JobStore(source);
  void (async () => {
    await store.loadState('fold');
    const at = new Date(1).toISOString();
    const count = Math.min(sheets, 2000);
    const started = performance.now();
    for (let n = 1; n <= count; n++) {
      store.handleRecord({ type: 'job.record', jobId: 'fold', at, record: { t: 'sheet', at, num: n, patch: { status: 'in_progress', attempts: 1, startedAt: at } } });
      store.handleRecord({ type: 'job.record', jobId: 'fold', at, record: { t: 'sheet', at, num: n, patch: { status: 'completed', durationMs: 1 }, addCostUsd: 0.001 } });
    }
    const usPerRecord = ((performance.now() - started) * 1000) / (count * 2);
    process.stdout.write(`${JSON.stringify({ sheets, usPerRecord, completed: store.summary('fold')?.completedSheets })}\n`);
  })();
}

if (process.argv[2] === 'fold') fold(Number(process.argv[3]));
else void live();
