// A real LSP client for tests: starts dist/language-server.js over stdio, keeps the documents it
// opened in sync, applies the edits the server asks for, and lets a test wait for the next
// diagnostics of a document (an event, never a sleep).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  ApplyWorkspaceEditParams,
  ClientCapabilities,
  CodeAction,
  Command,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  Hover,
  InitializeResult,
  Location,
  ProtocolConnection,
  PublishDiagnosticsParams,
  SymbolInformation,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import {
  ApplyWorkspaceEditRequest,
  CodeActionRequest,
  CompletionRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DefinitionRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DocumentSymbolRequest,
  ExecuteCommandRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';

import { TEST_CAPABILITIES } from './client-capabilities.js';

const SERVER = resolve(__dirname, '../../dist/language-server.js');

export const uriOf = (path: string): string => URI.file(path).toString();

interface Waiter {
  uri: string;
  accept: (params: PublishDiagnosticsParams) => boolean;
  resolve: (params: PublishDiagnosticsParams) => void;
}

const WATCHDOG_MS = 30_000;

export class TestClient {
  readonly connection: ProtocolConnection;
  readonly documents = new Map<string, TextDocument>();
  /** Every diagnostics notification, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private waiters: Waiter[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  settings: Record<string, unknown> = {};
  exited: Promise<number | null>;

  constructor(
    settings: Record<string, unknown> = {},
    private readonly capabilities: ClientCapabilities = TEST_CAPABILITIES,
  ) {
    this.settings = settings;
    this.child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: 'pipe' });
    this.child.stderr.on('data', (chunk: Buffer) => this.logs.push(chunk.toString()));
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code)));
    this.connection = createProtocolConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      this.latest.set(params.uri, params);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== params.uri || !w.accept(params)) return true;
        w.resolve(params);
        return false;
      });
    });
    this.connection.onNotification('window/logMessage', (params: { message: string }) => this.logs.push(params.message));
    this.connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => this.settings));
    this.connection.onRequest(RegistrationRequest.type, () => null);
    this.connection.onRequest(ApplyWorkspaceEditRequest.type, (params: ApplyWorkspaceEditParams) => {
      this.applyWorkspaceEdit(params.edit);
      return { applied: true };
    });
    this.connection.listen();
  }

  async initialize(rootPath: string): Promise<InitializeResult> {
    const result = await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: uriOf(rootPath),
      workspaceFolders: [{ uri: uriOf(rootPath), name: 'test' }],
      capabilities: this.capabilities,
      initializationOptions: { settings: this.settings },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
    return result;
  }

  /** The next diagnostics for a document that satisfy `accept` (by default: any). */
  nextDiagnostics(uri: string, accept: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    // The watchdog only turns a missing notification into a readable failure instead of a hung run.
    return new Promise((resolve, reject) => {
      const watchdog = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        const seen = this.published.filter((p) => p.uri === uri).map((p) => `v${String(p.version)}:${p.diagnostics.length}`);
        reject(new Error(`no matching diagnostics for ${uri} within ${WATCHDOG_MS} ms; published: ${seen.slice(-5).join(' ') || 'none'}`));
      }, WATCHDOG_MS);
      const done = (params: PublishDiagnosticsParams): void => {
        clearTimeout(watchdog);
        resolve(params);
      };
      this.waiters.push({ uri, accept, resolve: done });
    });
  }

  /** Opens a file (its text from disk unless given) and returns its first diagnostics. */
  async open(path: string, text = readFileSync(path, 'utf8'), languageId = 'yaml'): Promise<Diagnostic[]> {
    const uri = uriOf(path);
    const document = TextDocument.create(uri, languageId, 1, text);
    this.documents.set(uri, document);
    const next = this.nextDiagnostics(uri, (p) => p.version === 1 || p.version === undefined);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    return (await next).diagnostics;
  }

  /** Opens a document without waiting for diagnostics (for documents that must get none). */
  async openQuietly(path: string, text: string, languageId = 'yaml'): Promise<void> {
    const uri = uriOf(path);
    this.documents.set(uri, TextDocument.create(uri, languageId, 1, text));
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  async close(path: string): Promise<void> {
    const uri = uriOf(path);
    this.documents.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  /** Replaces a document's text; returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`not open: ${uri}`);
    const version = document.version + 1;
    this.documents.set(uri, TextDocument.create(uri, document.languageId, version, text));
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /**
   * Replaces a document's text several times in one write to the server's input, so all the edits
   * arrive together as a fast burst does (each `change` would wait for its own write). Returns the
   * last version. Call it only when no other message is being written.
   */
  changeBurst(uri: string, texts: readonly string[]): Promise<number> {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`not open: ${uri}`);
    let version = document.version;
    const frames = texts.map((text) => {
      version++;
      const body = JSON.stringify({ jsonrpc: '2.0', method: DidChangeTextDocumentNotification.method, params: { textDocument: { uri, version }, contentChanges: [{ text }] } });
      return `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`;
    });
    this.documents.set(uri, TextDocument.create(uri, document.languageId, version, texts[texts.length - 1] ?? document.getText()));
    return new Promise((done, fail) => this.child.stdin.write(frames.join(''), (error) => (error ? fail(error) : done(version))));
  }

  /** Sends edits to an open document (incremental sync, as VS Code does); returns the new version. */
  async edit(uri: string, edits: TextEdit[]): Promise<number> {
    const document = this.documents.get(uri);
    if (!document) throw new Error(`not open: ${uri}`);
    const version = document.version + 1;
    const text = TextDocument.applyEdits(document, edits);
    this.documents.set(uri, TextDocument.create(uri, document.languageId, version, text));
    // Later edits first, so each range refers to the text the server still has.
    const ordered = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: ordered.map((e) => ({ range: e.range, text: e.newText })),
    });
    return version;
  }

  text(uri: string): string {
    return this.documents.get(uri)?.getText() ?? '';
  }

  /** Applies a workspace edit: open documents through didChange, other files on disk. */
  applyWorkspaceEdit(edit: WorkspaceEdit): void {
    this.edits.push(edit);
    for (const change of edit.documentChanges ?? []) {
      if ('kind' in change) {
        if (change.kind === 'create') {
          const path = URI.parse(change.uri).fsPath;
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, '', { flag: change.options?.ignoreIfExists ? 'a' : 'w' });
        }
        continue;
      }
      this.editFile(change.textDocument.uri, change.edits as TextEdit[]);
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) this.editFile(uri, edits);
  }

  /** Every workspace edit the client was given (by a code action or workspace/applyEdit), in order. */
  readonly edits: WorkspaceEdit[] = [];

  private editFile(uri: string, edits: TextEdit[]): void {
    if (this.documents.has(uri)) {
      void this.edit(uri, edits);
      return;
    }
    const path = URI.parse(uri).fsPath;
    const document = TextDocument.create(uri, 'plaintext', 0, readFileSync(path, 'utf8'));
    writeFileSync(path, TextDocument.applyEdits(document, edits));
  }

  /** Carries out a code action the way an editor does: its edit, then its command (or a bare Command). */
  async apply(action: CodeAction | Command): Promise<void> {
    if (typeof action.command === 'string') {
      await this.connection.sendRequest(ExecuteCommandRequest.type, { command: action.command, arguments: (action as Command).arguments ?? [] });
      return;
    }
    const literal = action as CodeAction;
    if (literal.edit) this.applyWorkspaceEdit(literal.edit);
    if (literal.command) await this.connection.sendRequest(ExecuteCommandRequest.type, { command: literal.command.command, arguments: literal.command.arguments ?? [] });
  }

  codeActions(uri: string, diagnostics: Diagnostic[], only?: string[]): Promise<(CodeAction | Command)[] | null> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } });
  }

  async completion(uri: string, line: number, character: number): Promise<CompletionItem[]> {
    const result = (await this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line, character } })) as CompletionItem[] | CompletionList | null;
    return Array.isArray(result) ? result : (result?.items ?? []);
  }

  hover(uri: string, line: number, character: number): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line, character } });
  }

  symbols(uri: string): Promise<DocumentSymbol[]> {
    return this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }) as Promise<DocumentSymbol[]>;
  }

  /** The outline as a client without hierarchical symbols gets it. */
  flatSymbols(uri: string): Promise<SymbolInformation[]> {
    return this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } }) as Promise<SymbolInformation[]>;
  }

  async definition(uri: string, line: number, character: number): Promise<Location | null> {
    const result = await this.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line, character } });
    return (Array.isArray(result) ? result[0] : result) as Location | null;
  }

  watchedFileChanged(path: string, type: 1 | 2 | 3): Promise<void> {
    return this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(path), type }] });
  }

  async stop(): Promise<number | null> {
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await this.exited;
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** The position of the first occurrence of `needle` in `text` (plus an offset into it). */
export function positionOf(text: string, needle: string, offset = 0): { line: number; character: number } {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`not found: ${needle}`);
  const before = text.slice(0, index + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}
