// The language server: a thin adapter that feeds open score documents to the score engine and
// answers LSP requests from the result. Every handler is guarded: a failing feature logs and
// returns what it has, so no exception ever crosses the transport.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CodeAction, CodeActionParams, Connection, InitializeParams, InitializeResult } from 'vscode-languageserver';
import { CodeActionKind, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Fix } from '../../score/src/findings.js';
import { diskFiles } from '../../score/src/files.js';
import type { ScoreSource } from '../../score/src/source.js';
import type { CheckedScore } from './checker.js';
import { ScoreChecker } from './checker.js';
import type { DeclaredVariables } from './completion.js';
import { completeScore, completeTemplateFile } from './completion.js';
import { APPLY_FIX_COMMAND, DIAGNOSTIC_SOURCE, fileUri, isPureEdit, nonOverlapping, sameFinding, toCodeAction, toWorkspaceEdit, uriPath } from './convert.js';
import { definitionInScore, variableDeclaration } from './definition.js';
import { hoverScore, variableMeaning, wordAt } from './hover.js';
import type { ServerSettings } from './settings.js';
import { readSettings } from './settings.js';
import { scoreSymbols } from './symbols.js';

/** Where docs/checks.md is, for diagnostic links: next to the bundle or the source tree. */
function defaultDocsUrl(): string {
  for (const up of ['..', '../..', '../../..']) {
    const candidate = resolve(__dirname, up, 'docs', 'checks.md');
    if (existsSync(candidate)) return fileUri(candidate);
  }
  return 'https://github.com/mozart-ai-compose/mozart/blob/main/docs/checks.md';
}

export class ScoreLanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly checker: ScoreChecker;
  private current: ServerSettings;
  private canPullConfiguration = false;

  constructor(private readonly connection: Connection) {
    this.current = readSettings(undefined, defaultDocsUrl());
    this.checker = new ScoreChecker({
      document: (uri) => this.documents.get(uri),
      openDocuments: () => this.documents.all(),
      settings: () => this.current,
      publish: (uri, diagnostics, version) => void connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined ? { version } : {}) }),
      log: (message) => connection.console.log(message),
    });
    this.wire();
    this.documents.listen(connection);
  }

  /** Number of checks run so far (a burst of edits should cost one). */
  get checksRun(): number {
    return this.checker.checksRun;
  }

  private wire(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onInitialized(() => void this.afterInitialized());
    c.onShutdown(() => this.checker.dispose());
    c.onDidChangeConfiguration((change) => void this.reloadSettings(change.settings));
    c.onDidChangeWatchedFiles(this.guard('watched files', undefined, () => this.checker.recheckDependents('all')));

    this.documents.onDidOpen(this.guard('open', undefined, (event) => this.onOpenOrChange(event.document.uri, true)));
    this.documents.onDidChangeContent(this.guard('change', undefined, (event) => this.onOpenOrChange(event.document.uri, false)));
    this.documents.onDidClose(
      this.guard('close', undefined, (event) => {
        this.checker.forget(event.document.uri);
        this.checker.recheckDependents([uriPath(event.document.uri)]);
      }),
    );

    c.onCompletion(
      this.guard('completion', [], (params) => {
        const document = this.documents.get(params.textDocument.uri);
        if (!document) return [];
        const lines = document.getText().split('\n').map((l) => l.replace(/\r$/, ''));
        const checked = this.checker.get(document.uri);
        if (checked) return completeScore(lines, params.position, this.declaredIn(checked));
        const owner = this.scoreUsingTemplate(uriPath(document.uri));
        if (!owner) return [];
        return completeTemplateFile((lines[params.position.line] ?? '').slice(0, params.position.character), params.position, this.declaredIn(owner));
      }),
    );

    c.onHover(
      this.guard('hover', null, (params) => {
        const document = this.documents.get(params.textDocument.uri);
        if (!document) return null;
        const lines = document.getText().split('\n').map((l) => l.replace(/\r$/, ''));
        const checked = this.checker.get(document.uri);
        if (checked) {
          const own = checked.result.findings.filter((f) => f.file === checked.path);
          return hoverScore(lines, params.position, this.declaredIn(checked), own, this.current.docsUrl);
        }
        const owner = this.scoreUsingTemplate(uriPath(document.uri));
        const word = wordAt(lines[params.position.line] ?? '', params.position.character);
        const meaning = owner && word ? variableMeaning(word.word, this.declaredIn(owner)) : undefined;
        return meaning && word
          ? { contents: { kind: 'markdown', value: meaning }, range: { start: { line: params.position.line, character: word.start }, end: { line: params.position.line, character: word.end } } }
          : null;
      }),
    );

    c.onDocumentSymbol(
      this.guard('symbols', [], (params) => {
        const checked = this.checker.get(params.textDocument.uri);
        return checked ? scoreSymbols(checked.result.source, checked.result.plan) : [];
      }),
    );

    c.onDefinition(
      this.guard('definition', null, (params) => {
        const checked = this.checker.get(params.textDocument.uri);
        if (checked) return definitionInScore(checked.result.source, params.position, diskFiles);
        const document = this.documents.get(params.textDocument.uri);
        const owner = document ? this.scoreUsingTemplate(uriPath(document.uri)) : undefined;
        const word = document ? wordAt(document.getText().split('\n')[params.position.line] ?? '', params.position.character) : undefined;
        return owner && word ? variableDeclaration(owner.result.source, word.word) : null;
      }),
    );

    c.onCodeAction(this.guard('code actions', [], (params) => this.codeActions(params)));
    c.onExecuteCommand(
      this.guard('command', undefined, async (params) => {
        if (params.command !== APPLY_FIX_COMMAND) return;
        const fix = params.arguments?.[0] as Fix | undefined;
        if (fix && Array.isArray(fix.actions)) await this.applyFix(fix);
      }),
    );
  }

  private initialize(params: InitializeParams): InitializeResult {
    const workspace = params.capabilities.workspace;
    this.canPullConfiguration = Boolean(workspace?.configuration);
    const options = params.initializationOptions as { settings?: unknown } | undefined;
    this.current = readSettings(options?.settings ?? options, this.current.docsUrl);
    this.watchDynamically = Boolean(workspace?.didChangeWatchedFiles?.dynamicRegistration);
    this.configurationDynamically = Boolean(workspace?.didChangeConfiguration?.dynamicRegistration);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['{', ' ', '-'], resolveProvider: false },
        hoverProvider: true,
        documentSymbolProvider: true,
        definitionProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] },
        executeCommandProvider: { commands: [APPLY_FIX_COMMAND] },
      },
      serverInfo: { name: 'mozart-language-server', version: '0.1.0' },
    };
  }

  private watchDynamically = false;
  private configurationDynamically = false;

  private async afterInitialized(): Promise<void> {
    try {
      if (this.configurationDynamically) await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'mozart' });
      if (this.watchDynamically) {
        await this.connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] });
      }
      await this.reloadSettings(undefined);
    } catch (error) {
      this.connection.console.error(`mozart: setup after initialize failed: ${(error as Error).message}`);
    }
  }

  private async reloadSettings(pushed: unknown): Promise<void> {
    try {
      let raw: unknown = (pushed as { mozart?: unknown } | undefined)?.mozart;
      if (this.canPullConfiguration) raw = (await this.connection.workspace.getConfiguration('mozart')) as unknown;
      if (raw === undefined || raw === null) return;
      const previous = this.current;
      this.current = readSettings(raw, previous.docsUrl);
      // Only what changes the published result warrants a re-check (a new debounce does not);
      // re-checking for nothing would also publish out of step with a burst of edits.
      const outcome = (s: ServerSettings): string => JSON.stringify([s.scoreGlobs, s.checks, s.docsUrl]);
      if (outcome(previous) !== outcome(this.current)) this.checker.republishAll();
    } catch (error) {
      this.connection.console.error(`mozart: could not read settings: ${(error as Error).message}`);
    }
  }

  private onOpenOrChange(uri: string, opened: boolean): void {
    const document = this.documents.get(uri);
    if (!document) return;
    const known = this.checker.get(uri);
    if (opened) this.checker.checkNow(uri);
    else if (known?.version !== document.version) this.checker.schedule(uri);
    // A template or other file open in the editor: scores that read it see the buffer's text.
    if (!this.checker.get(uri)) this.checker.recheckDependents([uriPath(uri)]);
  }

  private codeActions(params: CodeActionParams): CodeAction[] {
    const checked = this.checker.get(params.textDocument.uri);
    if (!checked) return [];
    const versionOf = (uri: string): number | null => this.documents.get(uri)?.version ?? null;
    const only = params.context.only;
    const ours = params.context.diagnostics.some((d) => d.source === DIAGNOSTIC_SOURCE);
    // Asked for source actions (menu, on save): offer "fix all". Asked for everything (the editor's
    // lightbulb at the cursor): only where one of our findings is — a lightbulb on every line of a
    // score with a fixable problem somewhere, or lingering after the fix, helps nobody.
    const wantsFixAll = only ? only.some((kind) => kind === CodeActionKind.SourceFixAll || kind.startsWith(`${CodeActionKind.SourceFixAll}.`) || kind === CodeActionKind.Source) : ours;
    const wantsQuickFix = !only || only.some((kind) => kind === CodeActionKind.QuickFix);
    const actions: CodeAction[] = [];
    if (wantsQuickFix) {
      for (const diagnostic of params.context.diagnostics) {
        if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
        const finding = checked.result.findings.find((f) => f.file === checked.path && sameFinding(f, diagnostic));
        finding?.fixes?.forEach((fix, index) => actions.push(toCodeAction(fix, diagnostic, versionOf, index === 0 && fix.safe)));
      }
    }
    if (wantsFixAll) {
      const safe = nonOverlapping(
        checked.result.findings.filter((f) => f.file === checked.path && this.current.checks[f.id] !== 'off').flatMap((f) => (f.fixes ?? []).filter((fix) => fix.safe)).slice(0, 500),
      );
      if (safe.length > 0) {
        const title = `Fix all safe problems in this score (${safe.length})`;
        const kind = only?.includes(CodeActionKind.QuickFix) && !only.includes(CodeActionKind.SourceFixAll) ? CodeActionKind.QuickFix : CodeActionKind.SourceFixAll;
        if (safe.every(isPureEdit)) actions.push({ title, kind, edit: toWorkspaceEdit(safe, versionOf) });
        else actions.push({ title, kind, command: { title, command: APPLY_FIX_COMMAND, arguments: [{ title, safe: true, actions: safe.flatMap((f) => f.actions) }] } });
      }
    }
    return actions;
  }

  /** Carries out a fix that needs the file system, then re-checks. */
  private async applyFix(fix: Fix): Promise<void> {
    const edits: Fix['actions'] = [];
    for (const action of fix.actions) {
      if (action.kind === 'createDirectory') mkdirSync(action.path, { recursive: true });
      else if (action.kind === 'createFile') {
        mkdirSync(dirname(action.path), { recursive: true });
        if (!existsSync(action.path)) writeFileSync(action.path, action.content, { flag: 'wx' });
      } else edits.push(action);
    }
    if (edits.length > 0) {
      const versionOf = (uri: string): number | null => this.documents.get(uri)?.version ?? null;
      const result = await this.connection.workspace.applyEdit({ label: fix.title, edit: toWorkspaceEdit([{ ...fix, actions: edits }], versionOf) });
      if (!result.applied) this.connection.console.warn(`mozart: the editor did not apply "${fix.title}": ${result.failureReason ?? 'no reason given'}`);
    }
    for (const entry of this.checker.all()) this.checker.checkNow(entry.uri);
  }

  private declaredIn(checked: CheckedScore): DeclaredVariables {
    const fromScore = checked.result.score?.prompt.variables;
    if (fromScore && typeof fromScore === 'object') return new Map(Object.entries(fromScore));
    const source = checked.result.source;
    const raw = source.data as { prompt?: { variables?: unknown } } | undefined;
    const variables = raw?.prompt?.variables;
    if (variables && typeof variables === 'object') return new Map(Object.entries(variables as Record<string, unknown>));
    return declaredByIndentation(source);
  }

  private scoreUsingTemplate(path: string): CheckedScore | undefined {
    return this.checker.all().find((entry) => entry.dependencies.has(path));
  }

  private guard<A extends unknown[], R>(feature: string, fallback: R, handler: (...args: A) => R): (...args: A) => R {
    return (...args: A): R => {
      try {
        const result = handler(...args);
        if (result instanceof Promise) {
          return result.catch((error: unknown) => {
            this.report(feature, error);
            return fallback;
          }) as R;
        }
        return result;
      } catch (error) {
        this.report(feature, error);
        return fallback;
      }
    };
  }

  private report(feature: string, error: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.connection.console.error(`mozart: ${feature} failed: ${detail}`);
  }
}

/** Variable names under `prompt.variables` read from lines, for documents that do not parse. */
function declaredByIndentation(source: ScoreSource): DeclaredVariables {
  const names = new Map<string, unknown>();
  const lines = source.text.split('\n');
  const at = lines.findIndex((l) => /^\s+variables\s*:\s*$/.test(l));
  if (at < 0) return names;
  const indent = /^\s*/.exec(lines[at + 1] ?? '')?.[0].length ?? 0;
  for (const line of lines.slice(at + 1)) {
    const m = /^(\s*)([A-Za-z_]\w*)\s*:/.exec(line);
    if (!m || (m[1]?.length ?? 0) < indent) break;
    if ((m[1]?.length ?? 0) === indent && m[2]) names.set(m[2], '');
  }
  return names;
}

