// Engine findings and fixes in LSP terms, within what the client declared: diagnostics with a link
// to the check's documentation, and code actions whose edits the editor applies (the file-system
// steps it cannot take go through a server command to score/src/fix-apply.ts).
import type { CodeAction, Command, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { CodeActionKind, DiagnosticTag } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import type { Finding, Fix, FixAction, Severity } from '../../score/src/findings.js';
import { START_OF_FILE as START } from '../../score/src/findings.js';
import type { ClientFeatures } from './client-features.js';
import { checkDocLink } from './docs-links.js';
import type { SeverityOverride } from './settings.js';

/** The `source` every Mozart diagnostic carries. */
export const DIAGNOSTIC_SOURCE = 'mozart';
/** Server command that carries out the part of a fix the editor cannot (create a folder, a file). */
export const APPLY_FIX_COMMAND = 'mozart.applyFix';

const SEVERITY: Record<Severity | Exclude<SeverityOverride, 'off'>, DiagnosticSeverity> = {
  error: 1,
  warning: 2,
  info: 3,
  information: 3,
  hint: 4,
};

export function fileUri(path: string): string {
  return URI.file(path).toString();
}

export function uriPath(uri: string): string {
  const parsed = URI.parse(uri);
  return parsed.scheme === 'file' ? parsed.fsPath : `/${parsed.scheme}/${parsed.path.replace(/^\//, '')}`;
}

/** Diagnostic tags by check id, sent only to a client that declared them: a field with no effect is faded like unused code. */
const TAGS: Readonly<Record<string, readonly DiagnosticTag[]>> = { S009: [DiagnosticTag.Unnecessary] };

/** A diagnostic for a finding, or undefined when the user turned the check off. */
export function toDiagnostic(finding: Finding, overrides: Record<string, SeverityOverride>, docsUrl: string, features: ClientFeatures): Diagnostic | undefined {
  const override = overrides[finding.id];
  if (override === 'off') return undefined;
  const related = finding.related ?? [];
  // A client without related information still gets the other places, in the message.
  const message =
    related.length > 0 && !features.relatedInformation
      ? `${finding.message}\n${related.map((r) => `${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}: ${r.message}`).join('\n')}`
      : finding.message;
  const relatedInformation: DiagnosticRelatedInformation[] = related.map((r) => ({ location: { uri: fileUri(r.file), range: r.range }, message: r.message }));
  const tags = (TAGS[finding.id] ?? []).filter((tag) => features.diagnosticTags.has(tag));
  return {
    range: finding.range,
    severity: SEVERITY[override ?? finding.severity],
    code: finding.id,
    ...(features.codeDescription ? { codeDescription: { href: checkDocLink(docsUrl, finding.id) } } : {}),
    source: DIAGNOSTIC_SOURCE,
    message,
    ...(features.relatedInformation && relatedInformation.length > 0 ? { relatedInformation } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  };
}

/** True when the finding is the one a diagnostic was made from. */
export function sameFinding(finding: Finding, diagnostic: Diagnostic): boolean {
  const a = finding.range;
  const b = diagnostic.range;
  return (
    diagnostic.code === finding.id &&
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** What the editor is asked to do for fixes: a workspace edit, and the actions only the server can take. */
export interface FixPlan {
  edit?: WorkspaceEdit;
  /** File actions for the server's executor (score/src/fix-apply.ts), run after the edit. */
  onDisk: FixAction[];
}

/** What the converter needs to know about the editor and the files. */
export interface EditTarget {
  features: ClientFeatures;
  /** The open document's version, or null for a file the editor has not opened. */
  versionOf(uri: string): number | null;
  /** Whether a file exists (open buffers count): creating an existing file leaves it as it is. */
  exists(path: string): boolean;
}

/**
 * The same action list the executor carries out, as the editor can take it: text edits as
 * `documentChanges` (versioned) or `changes`, as the client declared; a new file as a `create`
 * operation plus its text only where the client declared both and no earlier step is left for the
 * server; everything else — folders, files the client cannot create — left for the server to
 * carry out on disk, in order, after the edit. Folders and files already there are skipped, as
 * the executor would leave them.
 */
export function planFixes(fixes: readonly Fix[], target: EditTarget): FixPlan {
  const actions = fixes.flatMap((f) => f.actions);
  const creates = new Set(actions.flatMap((a) => (a.kind === 'createFile' && !target.exists(a.path) ? [a.path] : [])));
  const onDisk: FixAction[] = [];
  const documentChanges: NonNullable<WorkspaceEdit['documentChanges']> = [];
  const editsByUri = new Map<string, TextEdit[]>();
  for (const action of actions) {
    if (action.kind === 'createDirectory') {
      if (!target.exists(action.path)) onDisk.push(action); // a folder that is there: nothing to do
    } else if (action.kind === 'createFile') {
      if (!creates.has(action.path)) continue; // there already: the executor would leave it too
      // After a step left for the server, file actions stay in order there (the folder comes first).
      if (!target.features.createFiles || onDisk.length > 0) {
        onDisk.push(action);
        continue;
      }
      const uri = fileUri(action.path);
      documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
      if (action.content !== '') documentChanges.push({ textDocument: { uri, version: null }, edits: [{ range: START, newText: action.content }] });
    } else {
      const uri = fileUri(action.file);
      editsByUri.set(uri, [...(editsByUri.get(uri) ?? []), { range: action.range, newText: action.newText }]);
    }
  }
  // An edit into a file the server is to create would run before the file exists: let the server do all of it.
  if (actions.some((a) => a.kind === 'edit' && onDisk.some((d) => d.kind === 'createFile' && d.path === a.file))) return { onDisk: actions };
  if (editsByUri.size === 0 && documentChanges.length === 0) return { onDisk };
  if (!target.features.documentChanges) return { edit: { changes: Object.fromEntries(editsByUri) }, onDisk };
  for (const [uri, edits] of editsByUri) documentChanges.push({ textDocument: { uri, version: target.versionOf(uri) }, edits });
  return { edit: { documentChanges }, onDisk };
}

/** A quick fix for one fix of one finding: a CodeAction literal, or a Command for a client without them. */
export function toCodeAction(fix: Fix, diagnostic: Diagnostic, target: EditTarget, preferred: boolean): CodeAction | Command {
  return codeActionFor(fix.title, CodeActionKind.QuickFix, [fix], target, { diagnostics: [diagnostic], preferred });
}

/** A code action carrying out fixes: the edit for the editor, a server command for the rest. */
export function codeActionFor(title: string, kind: string, fixes: readonly Fix[], target: EditTarget, extra: { diagnostics?: Diagnostic[]; preferred?: boolean } = {}): CodeAction | Command {
  const all: Fix = { title, safe: fixes.every((f) => f.safe), actions: fixes.flatMap((f) => f.actions) };
  // Without literals the server carries out the whole fix (file actions itself, edits via workspace/applyEdit).
  if (!target.features.codeActionLiterals) return { title, command: APPLY_FIX_COMMAND, arguments: [all] };
  const plan = planFixes(fixes, target);
  const action: CodeAction = { title, kind, ...(extra.diagnostics ? { diagnostics: extra.diagnostics } : {}) };
  if (target.features.isPreferred && extra.preferred) action.isPreferred = true;
  if (plan.edit) action.edit = plan.edit;
  if (plan.onDisk.length > 0) action.command = { title, command: APPLY_FIX_COMMAND, arguments: [{ ...all, actions: plan.onDisk }] };
  return action;
}

/** Drops edits that overlap an earlier one, so a batch of fixes applies cleanly ("fix all"). */
export function nonOverlapping(fixes: readonly Fix[]): Fix[] {
  const taken: { file: string; start: number; end: number }[] = [];
  const key = (p: { line: number; character: number }): number => p.line * 1_000_000 + p.character;
  const out: Fix[] = [];
  for (const fix of fixes) {
    const spans = fix.actions.flatMap((a) => (a.kind === 'edit' ? [{ file: a.file, start: key(a.range.start), end: key(a.range.end) }] : []));
    const clash = spans.some((s) => taken.some((t) => t.file === s.file && s.start <= t.end && t.start <= s.end));
    if (clash) continue;
    taken.push(...spans);
    out.push(fix);
  }
  return out;
}
