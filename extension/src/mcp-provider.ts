// Offers `mozart mcp` to the editor's MCP support (agent mode's tools): a stdio server that runs the
// bundled dist/cli.js with the editor's own runtime, pointed at the extension's socket — in trusted
// workspaces only. The API (vscode.lm.registerMcpServerDefinitionProvider, McpStdioServerDefinition)
// came after the editors this extension supports, so it is looked up at run time and, where it is
// missing, nothing is registered. The API object is passed in, so this file is testable without
// an editor.
import type * as vscode from 'vscode';

/**
 * The provider id, as package.json declares it twice: contributes.mcpServerDefinitionProviders (the
 * API's final name, VS Code 1.101+) and contributes.modelContextServerCollections (its name in VS
 * Code 1.100, whose registration throws for an id not declared there).
 */
export const MCP_PROVIDER_ID = 'mozart.mcp';

/** What the server definition holds: the command line and environment of `mozart mcp`. */
export interface McpServerSpec {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  version: string;
}

/** The stdio server for `cliScript`, or nothing in an untrusted workspace (nothing of ours runs there). */
export function mcpServerSpec(options: { trusted: boolean; execPath: string; cliScript: string; socketPath: string; version: string; label: string }): McpServerSpec | undefined {
  if (!options.trusted) return undefined;
  return { label: options.label, command: options.execPath, args: [options.cliScript, 'mcp'], env: { ELECTRON_RUN_AS_NODE: '1', MOZART_SOCKET: options.socketPath }, version: options.version };
}

/** The parts of the newer API used here (absent from the @types/vscode this extension builds with). */
interface McpApi {
  lm?: { registerMcpServerDefinitionProvider?: (id: string, provider: unknown) => vscode.Disposable };
  McpStdioServerDefinition?: new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => unknown;
}

/**
 * Registers the provider when the editor has the API; the definition changes with trust and the
 * socket setting. Returns a disposable either way: an editor that refuses the registration (an API
 * of another shape) gets no MCP server, `log` says why, and the rest of the extension still starts.
 */
export function registerMcpProvider(api: typeof vscode, context: vscode.ExtensionContext, socketPath: () => string, label: string, log: (line: string) => void = () => undefined): vscode.Disposable {
  const mcp = api as unknown as McpApi;
  const register = mcp.lm?.registerMcpServerDefinitionProvider;
  const Definition = mcp.McpStdioServerDefinition;
  if (typeof register !== 'function' || typeof Definition !== 'function') return { dispose: () => undefined };
  const changed = new api.EventEmitter<void>();
  const spec = () =>
    mcpServerSpec({
      trusted: api.workspace.isTrusted,
      execPath: process.execPath,
      cliScript: api.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath,
      socketPath: socketPath(),
      version: String((context.extension?.packageJSON as { version?: unknown } | undefined)?.version ?? '0'),
      label,
    });
  const provider = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const s = spec();
      return s ? [new Definition(s.label, s.command, s.args, s.env, s.version)] : [];
    },
    // Trust may have been taken away since the list was given: check again before starting it.
    resolveMcpServerDefinition: (server: unknown) => (api.workspace.isTrusted ? server : undefined),
  };
  let registration: vscode.Disposable;
  try {
    registration = register.call(mcp.lm, MCP_PROVIDER_ID, provider);
  } catch (error) {
    changed.dispose();
    log(`The editor refused the Mozart MCP server (${MCP_PROVIDER_ID}); agent mode will not list it: ${(error as Error).message}`);
    return { dispose: () => undefined };
  }
  return api.Disposable.from(
    registration,
    changed,
    api.workspace.onDidGrantWorkspaceTrust(() => changed.fire()),
    api.workspace.onDidChangeConfiguration((change) => {
      // After the extension's own listener has read the new settings.
      if (change.affectsConfiguration('mozart.conductor.socketPath')) setImmediate(() => changed.fire());
    }),
  );
}
