// The extension's entry point. activate() only wires objects together and registers commands,
// views and providers; the language server, the conductor connection and the log tail start on
// the next turn of the event loop, and nothing here waits for the conductor or the network.
import * as vscode from 'vscode';
import { openPath, registerCommands } from './commands/register.js';
import { followRememberedJobs } from './commands/follow.js';
import type { MozartServices } from './commands/services.js';
import { ConductorConnection } from './conductor/connection.js';
import type { ConnectionOptions } from './conductor/connection.js';
import { LogTail } from './conductor/log-tail.js';
import { JobStore } from './jobs/job-store.js';
import type { Translate } from './l10n.js';
import { conductorEnv, normaliseSettings, resolveLogFile, resolveSocketPath } from './settings-model.js';
import type { ExtensionSettings } from './settings-model.js';
import { DiagnosePanels } from './views/diagnose-panel.js';
import { JobsTree } from './views/jobs-tree.js';
import { registerPatternsView } from './views/patterns-tree.js';
import { registerJobAttention } from './views/job-attention.js';
import { LogDocuments } from './views/log-documents.js';
import { PlanPanels } from './views/plan-panel.js';
import { PLAN_METHOD } from '../../protocol/src/plan.js';
import type { PlanResult } from '../../protocol/src/plan.js';
import { ScoreLenses } from './views/score-lenses.js';
import { ConductorStatusBar } from './views/status-bar.js';
import { registerTerminalCli } from './terminal-cli.js';
import { registerMcpProvider } from './mcp-provider.js';

let stopLanguageClient: (() => Promise<void>) | undefined;
let connectionForDeactivate: ConductorConnection | undefined;

function readSettings(): ExtensionSettings {
  const config = vscode.workspace.getConfiguration('mozart');
  return normaliseSettings({
    socketPath: config.get('conductor.socketPath'),
    autoStart: config.get('conductor.autoStart'),
    claudePath: config.get('claudePath'),
    scoreFiles: config.get('scoreFiles'),
  });
}

/** A conductor log line without its leading ISO timestamp (the log channel adds its own). */
function withoutTimestamp(line: string): string {
  return line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\s+/, '');
}

export function activate(context: vscode.ExtensionContext): void {
  const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);
  let settings = readSettings();
  const conductorLog = vscode.window.createOutputChannel(t('Mozart Conductor'), { log: true });
  const output = vscode.window.createOutputChannel(t('Mozart'));
  const connectionOptions = (s: ExtensionSettings): ConnectionOptions => ({
    socketPath: resolveSocketPath(s, process.env),
    conductorScript: vscode.Uri.joinPath(context.extensionUri, 'dist', 'conductor.js').fsPath,
    execPath: process.execPath,
    env: conductorEnv(s, process.env),
    logFile: resolveLogFile(process.env),
    // Restarting a crashed conductor runs code: only with autoStart, and only in a trusted workspace.
    mayRestart: () => settings.autoStart && vscode.workspace.isTrusted,
  });
  const connection = new ConductorConnection(connectionOptions(settings));
  connectionForDeactivate = connection;
  const store = new JobStore(connection);
  const tree = new JobsTree(store, connection, t);
  const view = vscode.window.createTreeView('mozart.jobs', { treeDataProvider: tree, showCollapseAll: true });
  const logs = new LogDocuments(store, connection, t);
  // The panel's buttons use the commands' helpers, which need the services this panel is part of.
  const diagnose = new DiagnosePanels(
    connection,
    {
      resume: async (jobId) => {
        await vscode.commands.executeCommand('mozart.resumeJob', jobId);
      },
      openPath: (path) => openPath(services, path),
    },
    t,
    store.refreshes,
  );
  const plans = new PlanPanels(t);
  const services: MozartServices = { extension: context, connection, store, tree, logs, diagnose, plans, output, conductorLog, settings: () => settings, t };
  const lenses = new ScoreLenses(() => settings, t);

  const tail = new LogTail(connection.logFile, (lines, backlog) => {
    for (const line of lines) {
      if (line.trim() === '') continue;
      const text = backlog ? line : withoutTimestamp(line);
      if (/\b(failed|error|crash)/i.test(text)) conductorLog.error(text);
      else conductorLog.info(text);
    }
  });

  connection.on('log', (entry) => conductorLog[entry.level](entry.message));
  connection.on('event', (event) => store.handle(event));
  connection.on('record', (event) => store.handleRecord(event));
  store.on('problem', (message) => conductorLog.warn(message));

  let jobCount = -1;
  let running = -1;
  const updateJobContext = () => {
    const count = store.jobs().length;
    if (count !== jobCount) {
      jobCount = count;
      void vscode.commands.executeCommand('setContext', 'mozart.jobCount', count);
    }
    const now = store.runningCount();
    if (now !== running) {
      running = now;
      view.badge = now > 0 ? { value: now, tooltip: now === 1 ? t('1 job running') : t('{0} jobs running', now) } : undefined;
    }
  };
  // On the gathered refreshes: these read every job, and a busy job changes the store per record.
  store.refreshes.onRefresh(updateJobContext);
  // Opening the view may start a conductor: say so in the view, with the view's own buttons (a tree
  // message would hide them), until there are jobs to show.
  let spawnedNotice = false;
  const showSpawned = (on: boolean) => {
    if (on === spawnedNotice) return;
    spawnedNotice = on;
    void vscode.commands.executeCommand('setContext', 'mozart.conductorSpawned', on);
  };
  connection.on('spawned', (pid) => {
    conductorLog.info(`Started a conductor in the background (pid ${pid}).`);
    showSpawned(true);
  });
  store.refreshes.onRefresh(() => {
    if (spawnedNotice && store.jobs().length > 0) showSpawned(false);
  });
  let phase = connection.state.phase;
  connection.on('state', (state) => {
    const before = phase;
    phase = state.phase;
    if (before === phase) return;
    void vscode.commands.executeCommand('setContext', 'mozart.conductorState', phase);
    if (phase === 'running') {
      // (Re)connected: events may have been missed, so read the list afresh. The log's folder
      // may only exist now that a conductor has started.
      void store.load();
      tail.start();
    } else if (phase !== 'starting') {
      store.clear();
    }
  });
  void vscode.commands.executeCommand('setContext', 'mozart.conductorState', connection.state.phase);

  /** The jobs view is open: start a conductor when allowed, so it shows something useful. */
  const wantConductor = () => {
    const phase = connection.state.phase;
    // While a first look is under way this widens it: spawn if it finds nothing.
    if (settings.autoStart && vscode.workspace.isTrusted && (phase === 'stopped' || phase === 'lost' || phase === 'starting')) connection.start({ spawn: true });
  };


  context.subscriptions.push(
    conductorLog,
    output,
    view,
    tree,
    ...tree.watch(view),
    { dispose: () => store.refreshes.dispose() },
    logs,
    diagnose,
    plans,
    lenses,
    new ConductorStatusBar(connection, store, t),
    vscode.languages.registerCodeLensProvider([{ scheme: 'file', language: 'yaml' }], lenses),
    ...registerCommands(services),
    ...registerPatternsView(connection, t),
    ...registerJobAttention(connection, t),
    followRememberedJobs(services),
    registerTerminalCli(context, () => resolveSocketPath(settings, process.env), t, (line) => conductorLog.warn(line)),
    registerMcpProvider(vscode, context, () => resolveSocketPath(settings, process.env), t('Mozart jobs'), (line) => conductorLog.warn(line)),
    view.onDidChangeVisibility((e) => {
      if (e.visible) wantConductor();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (view.visible) wantConductor();
    }),
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (!change.affectsConfiguration('mozart')) return;
      settings = readSettings();
      const before = connection.socketPath;
      connection.reconfigure(connectionOptions(settings));
      if (connection.socketPath !== before) {
        conductorLog.info(`Conductor socket is now ${connection.socketPath}.`);
        connection.start({ spawn: false });
      }
      lenses.refresh();
    }),
    { dispose: () => tail.close() },
  );

  // After activate() returns: the language server (its client library is loaded only now), the
  // conductor log, and a first look for a running conductor (never spawning one from here).
  setTimeout(() => {
    void import('./language-client.js')
      .then((m) => m.startLanguageClient(context))
      .then(
        (client) => {
          stopLanguageClient = () => client.stop();
          plans.attach((params) => client.sendRequest<PlanResult>(PLAN_METHOD, params));
        },
        (error: Error) => {
          output.appendLine(t('The Mozart language server did not start: {0}', error.message));
          plans.unavailable(error.message);
        },
      );
    tail.start();
    connection.start({ spawn: false });
    if (view.visible) wantConductor();
  }, 0);
}

export async function deactivate(): Promise<void> {
  // The conductor is not stopped: it runs jobs for every window and outlives this one.
  connectionForDeactivate?.dispose();
  connectionForDeactivate = undefined;
  await stopLanguageClient?.();
}
