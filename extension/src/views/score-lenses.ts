// "Run | Dry run | Show Sheet Plan | Validate" above the first line of every score.
import * as vscode from 'vscode';
import type { Translate } from '../l10n.js';
import { looksLikeScore } from '../settings-model.js';
import type { ExtensionSettings } from '../settings-model.js';

export class ScoreLenses implements vscode.CodeLensProvider {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor(
    private readonly settings: () => ExtensionSettings,
    private readonly t: Translate,
  ) {}

  /** Settings changed: the globs that make a file a score may differ. */
  refresh(): void {
    this.changeEmitter.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const claimed = this.settings().scoreFiles.some((pattern) => vscode.languages.match({ pattern, scheme: 'file' }, document) > 0);
    if (!claimed && !looksLikeScore(document.getText())) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    const args = [document.uri];
    return [
      new vscode.CodeLens(top, { title: `$(play) ${this.t('Run')}`, command: 'mozart.runScore', arguments: args, tooltip: this.t('Submit this score to the conductor and follow the job') }),
      new vscode.CodeLens(top, { title: this.t('Dry run'), command: 'mozart.dryRun', arguments: args, tooltip: this.t('Check the score and show its plan without running anything') }),
      new vscode.CodeLens(top, { title: this.t('Show Sheet Plan'), command: 'mozart.showPlan', arguments: args, tooltip: this.t("Show the score's sheets, their dependencies and validations, and each sheet's prompt, as you edit") }),
      new vscode.CodeLens(top, { title: this.t('Validate'), command: 'mozart.validate', arguments: args, tooltip: this.t('Check the score and list every finding') }),
    ];
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
