// Starts the score language server (dist/language-server.js) over Node IPC and keeps it told of
// the `mozart` settings. Loaded lazily after activation returns, so opening a YAML file stays fast.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

/** YAML scores, and the Jinja templates they read (an open template's unsaved text is what the score is checked against). */
export const SCORE_DOCUMENTS = [
  { scheme: 'file', language: 'yaml' },
  { scheme: 'file', language: 'jinja' },
  { scheme: 'file', pattern: '**/*.{j2,jinja,jinja2}' },
];

/** Starts the client; resolves once the server is running (failures are shown in its output channel). */
export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'language-server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: SCORE_DOCUMENTS,
    // The server also pulls `mozart` with workspace/configuration; this pushes changes as they happen.
    synchronize: { configurationSection: 'mozart' },
    initializationOptions: { settings: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('mozart'))) as unknown },
  };
  const client = new LanguageClient('mozart', vscode.l10n.t('Mozart Language Server'), serverOptions, clientOptions);
  await client.start();
  return client;
}
