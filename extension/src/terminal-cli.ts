// `mozart` in the integrated terminal without setup: a small launcher for the bundled CLI in the
// extension's storage, put at the front of PATH through the terminals' environment variable
// collection — in trusted workspaces only (in an untrusted one nothing of ours runs, so the
// collection is emptied). The launcher runs dist/cli.js with the editor's own runtime, as the
// conductor is run, and points it at the socket the extension uses.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import type { Translate } from './l10n.js';
import { cliLauncher } from './terminal-launcher.js';

/** Keeps the terminals' PATH (and MOZART_SOCKET) in step with trust and the socket setting. */
export function registerTerminalCli(context: vscode.ExtensionContext, socketPath: () => string, t: Translate, log: (line: string) => void): vscode.Disposable {
  const collection = context.environmentVariableCollection;
  collection.description = t('Puts the bundled mozart command on the PATH of new terminals.');
  const apply = async (): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      collection.clear();
      return;
    }
    const dir = join(context.globalStorageUri.fsPath, 'bin');
    const launcher = cliLauncher(process.platform, process.execPath, vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath);
    const file = join(dir, launcher.name);
    try {
      await mkdir(dir, { recursive: true });
      const current = await readFile(file, 'utf8').catch(() => '');
      if (current !== launcher.text) await writeFile(file, launcher.text, { mode: 0o755 });
      await chmod(file, 0o755);
    } catch (error) {
      log(`Could not write the terminal launcher ${file}: ${(error as Error).message}`);
      collection.clear();
      return;
    }
    collection.prepend('PATH', `${dir}${delimiter}`);
    collection.replace('MOZART_SOCKET', socketPath());
  };
  void apply();
  return vscode.Disposable.from(
    vscode.workspace.onDidGrantWorkspaceTrust(() => void apply()),
    vscode.workspace.onDidChangeConfiguration((change) => {
      // After the extension's own listener has read the new settings.
      if (change.affectsConfiguration('mozart.conductor.socketPath')) setImmediate(() => void apply());
    }),
  );
}
