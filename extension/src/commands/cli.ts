// Validate uses the bundled CLI (dist/cli.js) — the same checks as the language server
// and the conductor — and show its report in the "Mozart" output channel.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { MozartServices } from './services.js';

/** Runs `mozart <args>` with the extension's runtime; resolves with its exit code. */
export function runCli(services: MozartServices, args: string[], cwd: string): Promise<number> {
  const { output } = services;
  const cli = vscode.Uri.joinPath(services.extension.extensionUri, 'dist', 'cli.js').fsPath;
  output.appendLine(`$ mozart ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.append(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.append(chunk.toString()));
    child.on('error', (error) => {
      output.appendLine(error.message);
      resolve(2);
    });
    child.on('close', (code) => {
      output.appendLine('');
      resolve(code ?? 2);
    });
  });
}

/** `mozart validate` on a score, with a notification of the verdict (Dry Run opens the plan panel instead). */
export async function checkScoreWithCli(services: MozartServices, file: vscode.Uri, mode: 'validate'): Promise<void> {
  const { t, output } = services;
  output.show(true);
  const code = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: t('Validating the score…') }, () => runCli(services, [mode, file.fsPath], dirname(file.fsPath)));
  const name = vscode.workspace.asRelativePath(file);
  if (code === 0) void vscode.window.showInformationMessage(t('{0} is a valid score.', name));
  else if (code === 1) void vscode.window.showWarningMessage(t('{0} has errors; see the Mozart output and the Problems panel.', name));
  else void vscode.window.showErrorMessage(t('Could not check {0}; see the Mozart output.', name));
}
