// The MCP server definition the extension offers the editor: nothing where the editor lacks the
// API, nothing in an untrusted workspace, and in a trusted one a stdio server whose command line,
// started as the editor would start it, answers the MCP handshake with Mozart's tools.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type * as vscode from 'vscode';
import { MCP_PROVIDER_ID, registerMcpProvider } from '../src/mcp-provider.js';

const ROOT = resolve(__dirname, '../..');

class Definition {
  constructor(
    readonly label: string,
    readonly command: string,
    readonly args: string[],
    readonly env: Record<string, string>,
    readonly version: string,
  ) {}
}

type Provider = { provideMcpServerDefinitions(): Definition[]; resolveMcpServerDefinition(d: Definition): Definition | undefined; onDidChangeMcpServerDefinitions: unknown };

/** Just enough of the editor's API for the provider, with trust as a switch. */
function stubApi(withMcp: boolean) {
  const state = { trusted: false, registered: [] as { id: string; provider: Provider }[], fired: 0, grant: () => undefined as void };
  const api = {
    workspace: {
      get isTrusted() {
        return state.trusted;
      },
      onDidGrantWorkspaceTrust: (listener: () => void) => ((state.grant = listener), { dispose: () => undefined }),
      onDidChangeConfiguration: () => ({ dispose: () => undefined }),
    },
    Uri: { joinPath: (base: { fsPath: string }, ...parts: string[]) => ({ fsPath: resolve(base.fsPath, ...parts) }) },
    EventEmitter: class {
      event = () => ({ dispose: () => undefined });
      fire() {
        state.fired++;
      }
      dispose() {}
    },
    Disposable: { from: (...items: { dispose(): void }[]) => ({ dispose: () => items.forEach((i) => i.dispose()) }) },
    ...(withMcp
      ? {
          lm: { registerMcpServerDefinitionProvider: (id: string, provider: Provider) => (state.registered.push({ id, provider }), { dispose: () => undefined }) },
          McpStdioServerDefinition: Definition,
        }
      : { lm: {} }),
  };
  const context = { extensionUri: { fsPath: ROOT }, extension: { packageJSON: { version: '9.9.9' } } };
  return { api: api as unknown as typeof vscode, context: context as unknown as vscode.ExtensionContext, state };
}

test('an editor without the MCP API gets nothing registered, and no error', () => {
  const { api, context, state } = stubApi(false);
  const disposable = registerMcpProvider(api, context, () => '/tmp/s.sock', 'Mozart jobs');
  disposable.dispose();
  assert.equal(state.registered.length, 0);
});

test('the id is the one package.json contributes, under both names the API has had', () => {
  const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { contributes: { mcpServerDefinitionProviders: { id: string }[]; modelContextServerCollections: { id: string }[] } };
  assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders.map((p) => p.id), [MCP_PROVIDER_ID]);
  // VS Code 1.100 (the engine range's floor) reads this name and throws for an id missing from it.
  assert.deepEqual(manifest.contributes.modelContextServerCollections.map((p) => p.id), [MCP_PROVIDER_ID]);
});

test('an editor that refuses the registration gets no server, a log line says why, and nothing is thrown', () => {
  const { api, context } = stubApi(true);
  const refusing = api as unknown as { lm: { registerMcpServerDefinitionProvider: () => never } };
  refusing.lm.registerMcpServerDefinitionProvider = () => {
    throw new Error('MCP configuration providers must be registered in the contributes.modelContextServerCollections array');
  };
  const logged: string[] = [];
  const disposable = registerMcpProvider(api, context, () => '/tmp/s.sock', 'Mozart jobs', (line) => logged.push(line));
  disposable.dispose();
  assert.equal(logged.length, 1);
  assert.match(logged[0] ?? '', /refused the Mozart MCP server \(mozart\.mcp\).*modelContextServerCollections/);
});

test('untrusted: no server; trusted: `node dist/cli.js mcp` on the extension socket, which answers MCP', async () => {
  const { api, context, state } = stubApi(true);
  registerMcpProvider(api, context, () => '/tmp/mozart-test.sock', 'Mozart jobs');
  assert.equal(state.registered[0]?.id, MCP_PROVIDER_ID);
  const provider = state.registered[0]!.provider;
  assert.deepEqual(provider.provideMcpServerDefinitions(), [], 'nothing of ours runs in an untrusted workspace');

  state.trusted = true;
  state.grant();
  assert.equal(state.fired, 1, 'granting trust tells the editor the servers changed');
  const [definition] = provider.provideMcpServerDefinitions();
  assert.ok(definition);
  assert.equal(definition.command, process.execPath);
  assert.deepEqual(definition.args, [resolve(ROOT, 'dist/cli.js'), 'mcp']);
  assert.deepEqual(definition.env, { ELECTRON_RUN_AS_NODE: '1', MOZART_SOCKET: '/tmp/mozart-test.sock' });
  assert.equal(definition.version, '9.9.9');
  assert.equal(provider.resolveMcpServerDefinition(definition), definition);

  const client = new Client({ name: 'editor-stand-in', version: '1' });
  await client.connect(new StdioClientTransport({ command: definition.command, args: definition.args, env: { ...(process.env as Record<string, string>), ...definition.env }, stderr: 'ignore' }));
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((t) => t.name === 'start_job'));
  } finally {
    await client.close();
  }

  state.trusted = false;
  assert.equal(provider.resolveMcpServerDefinition(definition), undefined, 'trust taken away: the server is not started');
});
