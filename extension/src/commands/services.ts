// What the commands work with, built once in activate().
import type * as vscode from 'vscode';
import type { ConductorConnection } from '../conductor/connection.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Translate } from '../l10n.js';
import type { ExtensionSettings } from '../settings-model.js';
import type { DiagnosePanels } from '../views/diagnose-panel.js';
import type { JobsTree } from '../views/jobs-tree.js';
import type { LogDocuments } from '../views/log-documents.js';
import type { PlanPanels } from '../views/plan-panel.js';

export interface MozartServices {
  extension: vscode.ExtensionContext;
  connection: ConductorConnection;
  store: JobStore;
  tree: JobsTree;
  logs: LogDocuments;
  diagnose: DiagnosePanels;
  /** The sheet plan and prompt preview of scores (from the language server). */
  plans: PlanPanels;
  /** Output of `mozart validate`. */
  output: vscode.OutputChannel;
  /** The conductor's log and the connection's own messages. */
  conductorLog: vscode.LogOutputChannel;
  settings(): ExtensionSettings;
  t: Translate;
}
