// The language server: a thin adapter that feeds open score documents to the score engine and
// answers LSP requests from the result. Every handler is guarded: a failing feature logs and
// returns what it has, so no exception ever crosses the transport.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CodeAction, CodeActionParams, Command, Connection, Hover, InitializeParams, InitializeResult } from 'vscode-languageserver';
import { CodeActionKind, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Fix } from '../../score/src/findings.js';
import type { CheckedScore } from './checker.js';
import { ScoreChecker } from './checker.js';
import type { ClientFeatures } from './client-features.js';
import { BASELINE_FEATURES, clientFeatures, documentation } from './client-features.js';
import { runFix, scoreCodeActions } from './code-actions.js';
import type { DeclaredVariables } from './completion.js';
import { completeScore, completeTemplateFile } from './completion.js';
import type { EditTarget } from './convert.js';
import { APPLY_FIX_COMMAND, fileUri, uriPath } from './convert.js';
import { declaredInTree, definitionInScore, variableDeclaration } from './definition.js';
import { hoverScore, variableMeaning, wordAt } from './hover.js';
import type { ServerSettings } from './settings.js';
import { readSettings } from './settings.js';
import { flatSymbols, scoreSymbols } from './symbols.js';
import type { PlanParams, PlanResult } from '../../protocol/src/plan.js';
import { PLAN_METHOD } from '../../protocol/src/plan.js';
import { noPlan, planAnswer } from './plan-request.js';

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
  /** What the client declared in `initialize`; nothing is used that it did not declare. */
  private features: ClientFeatures = BASELINE_FEATURES;

  constructor(private readonly connection: Connection) {
    this.current = readSettings(undefined, defaultDocsUrl());
    this.checker = new ScoreChecker({
      document: (uri) => this.documents.get(uri),
      openDocuments: () => this.documents.all(),
      settings: () => this.current,
      features: () => this.features,
      publish: (uri, diagnostics, version) => void connection.sendDiagnostics({ uri, diagnostics, ...(version !== undefined && this.features.diagnosticVersion ? { version } : {}) }),
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
        if (checked) return completeScore(lines, params.position, this.declaredIn(checked), this.features);
        const owner = this.scoreUsingTemplate(uriPath(document.uri));
        if (!owner) return [];
        return completeTemplateFile((lines[params.position.line] ?? '').slice(0, params.position.character), params.position, this.declaredIn(owner), this.features);
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
          return this.asDeclared(hoverScore(lines, params.position, this.declaredIn(checked), own, this.current.docsUrl));
        }
        const owner = this.scoreUsingTemplate(uriPath(document.uri));
        const word = wordAt(lines[params.position.line] ?? '', params.position.character);
        const meaning = owner && word ? variableMeaning(word.word, this.declaredIn(owner)) : undefined;
        return meaning && word
          ? this.asDeclared({ contents: { kind: 'markdown', value: meaning }, range: { start: { line: params.position.line, character: word.start }, end: { line: params.position.line, character: word.end } } })
          : null;
      }),
    );

    c.onDocumentSymbol(
      this.guard('symbols', [], (params) => {
        const checked = this.checker.get(params.textDocument.uri);
        if (!checked) return [];
        const symbols = scoreSymbols(checked.result.source, checked.result.plan, this.features.symbolKinds);
        return this.features.hierarchicalSymbols ? symbols : flatSymbols(symbols, params.textDocument.uri);
      }),
    );

    c.onDefinition(
      this.guard('definition', null, (params) => {
        const checked = this.checker.get(params.textDocument.uri);
        if (checked) return definitionInScore(checked.result.source, params.position, this.checker.fileView());
        const document = this.documents.get(params.textDocument.uri);
        const owner = document ? this.scoreUsingTemplate(uriPath(document.uri)) : undefined;
        const word = document ? wordAt(document.getText().split('\n')[params.position.line] ?? '', params.position.character) : undefined;
        return owner && word ? variableDeclaration(owner.result.source, word.word) : null;
      }),
    );

    c.onCodeAction(this.guard('code actions', [], (params) => this.codeActions(params)));
    c.onRequest(PLAN_METHOD, this.guard('plan', noPlan('', 'the plan could not be built (see the language server log)'), (params: PlanParams) => this.plan(params)));
    c.onExecuteCommand(
      this.guard('command', undefined, async (params) => {
        if (params.command !== APPLY_FIX_COMMAND) return;
        const fix = params.arguments?.[0] as Fix | undefined;
        if (fix && typeof fix.title === 'string' && Array.isArray(fix.actions)) await this.applyFix(fix);
      }),
    );
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.features = clientFeatures(params.capabilities);
    const options = params.initializationOptions as { settings?: unknown } | undefined;
    this.current = readSettings(options?.settings ?? options, this.current.docsUrl);
    return {
      capabilities: {
        // Every position the server sends or reads counts UTF-16 code units, the protocol's default.
        ...(this.features.announcePositionEncoding ? { positionEncoding: 'utf-16' } : {}),
        textDocumentSync: TextDocumentSyncKind.Incremental,
        completionProvider: { triggerCharacters: ['{', ' ', '-'], resolveProvider: false },
        hoverProvider: true,
        documentSymbolProvider: true,
        definitionProvider: true,
        // CodeActionOptions may only be sent to a client that declared code action literals.
        codeActionProvider: this.features.codeActionLiterals ? { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] } : true,
        executeCommandProvider: { commands: [APPLY_FIX_COMMAND] },
      },
      serverInfo: { name: 'mozart-language-server', version: '0.1.0' },
    };
  }

  private async afterInitialized(): Promise<void> {
    try {
      if (this.features.configurationDynamically) await this.connection.client.register(DidChangeConfigurationNotification.type, { section: 'mozart' });
      if (this.features.watchDynamically) {
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
      if (this.features.configuration) raw = (await this.connection.workspace.getConfiguration('mozart')) as unknown;
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

  /** `mozart/plan`, from the open document's current text (checked now if its last check is older). */
  private plan(params: PlanParams): PlanResult {
    const document = this.documents.get(params.uri);
    if (!document) return noPlan(params.uri, 'the score is not open in the editor');
    let checked = this.checker.get(params.uri);
    if (!checked || checked.version !== document.version) checked = this.checker.checkNow(params.uri);
    if (!checked) return noPlan(params.uri, 'the file is not a Mozart score');
    return planAnswer(params.uri, checked.version, checked.path, checked.result, params.promptSheet);
  }

  private codeActions(params: CodeActionParams): (CodeAction | Command)[] {
    const checked = this.checker.get(params.textDocument.uri);
    return checked ? scoreCodeActions(params, checked, this.editTarget(), this.current.checks) : [];
  }

  private editTarget(): EditTarget {
    const files = this.checker.fileView();
    return { features: this.features, versionOf: (uri) => this.documents.get(uri)?.version ?? null, exists: (path) => files.kind(path) !== 'missing' };
  }

  /** Carries out what the editor could not (see code-actions.ts), then re-checks. */
  private async applyFix(fix: Fix): Promise<void> {
    const { outcome, refused } = await runFix(fix, {
      ...this.editTarget(),
      applyEdit: (label, edit) => this.connection.workspace.applyEdit({ label, edit }),
    });
    if (refused) this.connection.console.warn(`mozart: ${refused}`);
    if (outcome.failure) this.connection.window.showErrorMessage(`Mozart could not finish "${fix.title}": ${outcome.failure.message} (${outcome.failure.code}).`);
    for (const entry of this.checker.all()) this.checker.checkNow(entry.uri);
  }

  /** A hover in the markup the client declared. */
  private asDeclared(hover: Hover | null): Hover | null {
    if (!hover) return null;
    const contents = hover.contents;
    const markdown = typeof contents === 'object' && 'kind' in contents ? contents.value : undefined;
    return markdown === undefined ? hover : { ...hover, contents: documentation(markdown, this.features.hoverDocs) };
  }

  private declaredIn(checked: CheckedScore): DeclaredVariables {
    const fromScore = checked.result.score?.prompt.variables;
    if (fromScore && typeof fromScore === 'object') return new Map(Object.entries(fromScore));
    return declaredInTree(checked.result.source);
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
