// Tests that run inside a real desktop VS Code (Electron), started by ./run.ts through
// @vscode/test-electron. The extension host loads the bundled copy of this file and calls run().
// No test framework: each test is an async function using node:assert, run one after another;
// any failure makes run() reject, which VS Code reports as a failed test run.
//
// Nothing here sleeps to synchronise: tests wait for events (diagnostics changing, the
// conductor's event stream), each under a deadline so a broken build fails instead of hanging.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ConductorClient } from '../../../protocol/src/client.js';
import { socketPath } from '../../../protocol/src/paths.js';

const EXTENSION_ID = 'mozart-ai-compose.mozart-ai-compose';
const STEP_TIMEOUT_MS = 60_000;

type Test = { name: string; body: () => Promise<void> };
const tests: Test[] = [];
function test(name: string, body: () => Promise<void>): void {
  tests.push({ name, body });
}

/** Rejects when `promise` has not settled within `ms`. */
function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'VS Code was started with the test workspace open');
  return vscode.Uri.joinPath(folder.uri, name);
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  const { code } = diagnostic;
  return typeof code === 'object' ? String(code.value) : String(code ?? '');
}

/** Resolves with the document's diagnostics once `accept` holds for them (now or after a change). */
function diagnosticsWhen(uri: vscode.Uri, accept: (found: readonly vscode.Diagnostic[]) => boolean): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const found = vscode.languages.getDiagnostics(uri);
      if (!accept(found)) return false;
      resolve(found);
      return true;
    };
    if (check()) return;
    const listener = vscode.languages.onDidChangeDiagnostics((change) => {
      if (change.uris.some((u) => u.toString() === uri.toString()) && check()) listener.dispose();
    });
  });
}

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is installed in the test instance`);
  return found;
}

test('the extension activates', async () => {
  const ext = extension();
  await ext.activate();
  assert.equal(ext.isActive, true);
});

test('every contributed command is registered', async () => {
  const manifest = extension().packageJSON as { contributes?: { commands?: { command: string }[] } };
  const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
  assert.ok(contributed.length > 0, 'the manifest contributes commands');
  const registered = new Set(await vscode.commands.getCommands(true));
  assert.deepEqual(
    contributed.filter((c) => !registered.has(c)),
    [],
    'contributed commands that activation did not register',
  );
});

test('a score with an error gets a V002 diagnostic from the language server', async () => {
  const uri = workspaceFile('broken.yaml');
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  const found = await deadline(
    diagnosticsWhen(uri, (all) => all.some((d) => codeOf(d) === 'V002')),
    STEP_TIMEOUT_MS,
    'a V002 diagnostic on broken.yaml',
  );
  const v002 = found.find((d) => codeOf(d) === 'V002');
  assert.equal(v002?.severity, vscode.DiagnosticSeverity.Error);
  assert.equal(v002?.range.start.line, 18, 'on the workspace: line (line 19)');
});

test('Run Score starts a conductor under Electron (ELECTRON_RUN_AS_NODE) and the job completes', async () => {
  const score = workspaceFile('hello-world.yaml');
  await vscode.commands.executeCommand('mozart.runScore', score);
  // The command returns once the job is submitted, so the conductor is up by now.
  const socket = socketPath(undefined, process.env);
  assert.ok(existsSync(socket), `the conductor listens on ${socket}`);
  const client = await ConductorClient.connect(socket);
  try {
    const completed = new Promise<void>((resolve, reject) => {
      client.onEvent = (event) => {
        if (event.jobId !== 'hello-world') return;
        if (event.type === 'job.completed') resolve();
        if (event.type === 'job.failed' || event.type === 'job.cancelled') reject(new Error(`the job ended ${event.type}`));
      };
    });
    await client.request('events.subscribe', { jobId: 'hello-world' });
    // It may have finished before the subscription: the checkpoint says so.
    const state = await client.request('job.status', { jobId: 'hello-world' });
    if (state.status !== 'completed') await deadline(completed, STEP_TIMEOUT_MS, "job 'hello-world' completing");
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    for (const n of [1, 2, 3]) assert.ok(existsSync(join(folder, 'workspace-hello', `greeting-${n}.md`)), `sheet ${n} wrote its greeting`);
  } finally {
    client.close();
  }
});

/** Called by VS Code's test runner in the extension host. */
export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const { name, body } of tests) {
    const started = Date.now();
    try {
      await deadline(body(), STEP_TIMEOUT_MS * 2, `test '${name}'`);
      console.log(`✔ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(name);
      console.error(`✖ ${name} (${Date.now() - started} ms)\n${(error as Error).stack ?? String(error)}`);
    }
  }
  console.log(`${tests.length - failures.length} of ${tests.length} passed`);
  if (failures.length) throw new Error(`${failures.length} of ${tests.length} tests failed: ${failures.join('; ')}`);
}
