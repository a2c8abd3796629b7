// Keeps diagnostics current: checks each open score after an edit — at once when its checks are
// fast, after the debounce when they are slow or edits come in a burst (check-timing.ts) —
// publishes the findings (also to template files they point into), and re-checks scores when a
// file they depend on changes. Checking is synchronous and reads the document's current text, so
// the result published for a version is always computed from that version's text: a stale result
// can never overtake a newer one.
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ScoreCheckResult } from '../../score/src/engine.js';
import { checkScore } from '../../score/src/engine.js';
import type { FileView } from '../../score/src/files.js';
import { diskFiles, resolveFromScore } from '../../score/src/files.js';
import type { CheckScheduler } from './check-timing.js';
import { realScheduler, waitBeforeCheck } from './check-timing.js';
import type { ClientFeatures } from './client-features.js';
import { fileUri, toDiagnostic, uriPath } from './convert.js';
import { isScoreDocument } from './score-detection.js';
import type { ServerSettings } from './settings.js';

/** The last check of one open score. */
export interface CheckedScore {
  uri: string;
  version: number;
  path: string;
  result: ScoreCheckResult;
  /** Absolute paths of files and folders whose existence or content the result depends on. */
  dependencies: Set<string>;
}

/** What the checker needs from the server around it. */
export interface CheckerHost {
  document(uri: string): TextDocument | undefined;
  openDocuments(): TextDocument[];
  settings(): ServerSettings;
  features(): ClientFeatures;
  publish(uri: string, diagnostics: Diagnostic[], version?: number): void;
  log(message: string): void;
}

export class ScoreChecker {
  private readonly checked = new Map<string, CheckedScore>();
  /** Checks waiting to run, per score: how they wait and how to cancel them. */
  private readonly pending = new Map<string, { kind: 'soon' | 'debounce'; cancel: () => void }>();
  /** What each score's last two checks cost in CPU time (the newest last). */
  private readonly durations = new Map<string, number[]>();
  /** Diagnostics in files other than scores (template files), per file, per score that found them. */
  private readonly foreign = new Map<string, Map<string, Diagnostic[]>>();
  /** How many checks ran (for tests and benchmarks: a burst of edits must cost one). */
  checksRun = 0;

  constructor(
    private readonly host: CheckerHost,
    private readonly scheduler: CheckScheduler = realScheduler,
  ) {}

  /** The last result for an open score. */
  get(uri: string): CheckedScore | undefined {
    return this.checked.get(uri);
  }

  /** Every open score's last result. */
  all(): CheckedScore[] {
    return [...this.checked.values()];
  }

  /** Checks a document soon: at once or after the debounce, as check-timing.ts decides; a later call restarts a debounce. */
  schedule(uri: string): void {
    const waiting = this.pending.get(uri);
    // The cheaper of the last two checks: one costly check may be a garbage collection, not the score.
    const recent = this.durations.get(uri);
    const lastCheckMs = recent ? Math.min(...recent) : undefined;
    const wait = waitBeforeCheck({ lastCheckMs, pending: waiting?.kind ?? 'none' }, this.host.settings().debounceMs);
    waiting?.cancel();
    const run = (): void => {
      this.pending.delete(uri);
      try {
        this.checkNow(uri);
      } catch (error) {
        this.host.log(`mozart: check of ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    };
    const cancel = wait.kind === 'soon' ? this.scheduler.soon(run) : this.scheduler.after(wait.ms, run);
    this.pending.set(uri, { kind: wait.kind, cancel });
  }

  /** Checks a document now (cancelling a pending check), or drops it if it is not a score. */
  checkNow(uri: string): CheckedScore | undefined {
    this.cancelPending(uri);
    const document = this.host.document(uri);
    if (!document) {
      this.forget(uri);
      return undefined;
    }
    const path = uriPath(uri);
    if (!isScoreDocument(path, document.languageId, document.getText(), this.host.settings().scoreGlobs)) {
      if (this.checked.has(uri)) this.forget(uri, document.version);
      return undefined;
    }
    this.checksRun++;
    const started = this.scheduler.cpuMs();
    const result = checkScore(path, document.getText(), { files: this.fileView() });
    const cost = this.scheduler.cpuMs() - started;
    // A score's first check (when it opens) is not counted: it pays for code paths run for the first
    // time (JIT), so it may cost several times what its next checks will, and the first edit would wait.
    if (this.checked.has(uri)) this.durations.set(uri, [...(this.durations.get(uri) ?? []).slice(-1), cost]);
    const entry: CheckedScore = { uri, version: document.version, path, result, dependencies: dependenciesOf(path, result) };
    this.checked.set(uri, entry);
    this.publish(entry);
    return entry;
  }

  /** Stops tracking a document and clears everything published for it. */
  forget(uri: string, version?: number): void {
    this.cancelPending(uri);
    this.durations.delete(uri);
    if (this.checked.delete(uri)) this.host.publish(uri, [], version);
    for (const [other, byScore] of this.foreign) {
      if (byScore.delete(uri)) this.publishForeign(other);
    }
  }

  /** Re-checks every open score that depends on one of these paths (all of them when unsure). */
  recheckDependents(paths: readonly string[] | 'all'): void {
    for (const entry of this.all()) {
      if (paths === 'all' || paths.some((p) => dependsOn(entry, p))) this.schedule(entry.uri);
    }
  }

  /** Checks every open document again with new settings (severities or score globs may have changed). */
  republishAll(): void {
    for (const document of this.host.openDocuments()) this.checkNow(document.uri);
  }

  dispose(): void {
    for (const uri of [...this.pending.keys()]) this.cancelPending(uri);
  }

  private cancelPending(uri: string): void {
    this.pending.get(uri)?.cancel();
    this.pending.delete(uri);
  }

  private publish(entry: CheckedScore): void {
    const settings = this.host.settings();
    const own: Diagnostic[] = [];
    const elsewhere = new Map<string, Diagnostic[]>();
    for (const finding of entry.result.findings) {
      const diagnostic = toDiagnostic(finding, settings.checks, settings.docsUrl, this.host.features());
      if (!diagnostic) continue;
      if (finding.file === entry.path) own.push(diagnostic);
      else {
        const uri = fileUri(finding.file);
        elsewhere.set(uri, [...(elsewhere.get(uri) ?? []), diagnostic]);
      }
    }
    this.host.publish(entry.uri, own, entry.version);
    const touched = new Set<string>(elsewhere.keys());
    for (const [other, byScore] of this.foreign) if (byScore.has(entry.uri)) touched.add(other);
    for (const other of touched) {
      const byScore = this.foreign.get(other) ?? new Map<string, Diagnostic[]>();
      const diagnostics = elsewhere.get(other);
      if (diagnostics) byScore.set(entry.uri, diagnostics);
      else byScore.delete(entry.uri);
      this.foreign.set(other, byScore);
      this.publishForeign(other);
    }
  }

  private publishForeign(uri: string): void {
    const byScore = this.foreign.get(uri);
    const all = byScore ? [...byScore.values()].flat() : [];
    if (byScore && byScore.size === 0) this.foreign.delete(uri);
    const document = this.host.document(uri);
    this.host.publish(uri, all, document?.version);
  }

  /** Open editor buffers first (unsaved text counts), then the disk: what checks and go-to-definition read. */
  fileView(): FileView {
    const open = new Map<string, TextDocument>();
    for (const document of this.host.openDocuments()) open.set(uriPath(document.uri), document);
    return {
      kind: (path) => (open.has(path) ? 'file' : diskFiles.kind(path)),
      read: (path) => {
        const document = open.get(path);
        return document ? { ok: true, text: document.getText() } : diskFiles.read(path);
      },
    };
  }
}

function dependenciesOf(path: string, result: ScoreCheckResult): Set<string> {
  const deps = new Set<string>();
  const score = result.score;
  if (score) {
    if (typeof score.prompt.template_file === 'string') deps.add(resolveFromScore(path, score.prompt.template_file));
    if (typeof score.backend.system_prompt_file === 'string') deps.add(resolveFromScore(path, score.backend.system_prompt_file));
    if (typeof score.backend.working_directory === 'string') deps.add(resolveFromScore(path, score.backend.working_directory));
    if (result.workspace) deps.add(result.workspace);
  }
  for (const finding of result.findings) {
    if (finding.file !== path) deps.add(finding.file);
    for (const fix of finding.fixes ?? []) {
      for (const action of fix.actions) if (action.kind !== 'edit') deps.add(action.path);
    }
  }
  return deps;
}

/** True when a change at `changed` can alter the entry's result (the path, inside it, or above it). */
function dependsOn(entry: CheckedScore, changed: string): boolean {
  for (const dep of entry.dependencies) {
    if (dep === changed || dep.startsWith(`${changed}/`) || changed.startsWith(`${dep}/`)) return true;
  }
  return false;
}
