// Engine findings and fixes in LSP terms: diagnostics with a link to the check's documentation,
// and code actions whose edits the editor applies (file-system steps go through a server command).
import type { CodeAction, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, WorkspaceEdit } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { checkAnchor } from '../../score/src/catalog.js';
import type { Finding, Fix, Severity } from '../../score/src/findings.js';
import type { SeverityOverride } from './settings.js';

/** The `source` every Mozart diagnostic carries. */
export const DIAGNOSTIC_SOURCE = 'mozart';
/** Server command that carries out a fix needing the file system (create a directory). */
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

/** A diagnostic for a finding, or undefined when the user turned the check off. */
export function toDiagnostic(finding: Finding, overrides: Record<string, SeverityOverride>, docsUrl: string): Diagnostic | undefined {
  const override = overrides[finding.id];
  if (override === 'off') return undefined;
  const related: DiagnosticRelatedInformation[] | undefined = finding.related?.map((r) => ({
    location: { uri: fileUri(r.file), range: r.range },
    message: r.message,
  }));
  return {
    range: finding.range,
    severity: SEVERITY[override ?? finding.severity],
    code: finding.id,
    codeDescription: { href: `${docsUrl}#${checkAnchor(finding.id)}` },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    ...(related?.length ? { relatedInformation: related } : {}),
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

/** True when the fix can be expressed as a workspace edit (no directory to create). */
export function isPureEdit(fix: Fix): boolean {
  return fix.actions.every((action) => action.kind !== 'createDirectory');
}

/** The workspace edit for a fix made of text edits and file creations. */
export function toWorkspaceEdit(fixes: readonly Fix[], versionOf: (uri: string) => number | null): WorkspaceEdit {
  const documentChanges: NonNullable<WorkspaceEdit['documentChanges']> = [];
  const editsByUri = new Map<string, { range: Finding['range']; newText: string }[]>();
  const order: string[] = [];
  for (const fix of fixes) {
    for (const action of fix.actions) {
      if (action.kind === 'createFile') {
        const uri = fileUri(action.path);
        documentChanges.push({ kind: 'create', uri, options: { ignoreIfExists: true } });
        documentChanges.push({
          textDocument: { uri, version: null },
          edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: action.content }],
        });
      } else if (action.kind === 'edit') {
        const uri = fileUri(action.file);
        if (!editsByUri.has(uri)) {
          editsByUri.set(uri, []);
          order.push(uri);
        }
        editsByUri.get(uri)?.push({ range: action.range, newText: action.newText });
      }
    }
  }
  for (const uri of order) {
    documentChanges.push({ textDocument: { uri, version: versionOf(uri) }, edits: editsByUri.get(uri) ?? [] });
  }
  return { documentChanges };
}

/** A quick-fix code action for one fix of one finding. */
export function toCodeAction(fix: Fix, diagnostic: Diagnostic, versionOf: (uri: string) => number | null, preferred: boolean): CodeAction {
  const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: preferred };
  if (isPureEdit(fix)) action.edit = toWorkspaceEdit([fix], versionOf);
  else action.command = { title: fix.title, command: APPLY_FIX_COMMAND, arguments: [fix] };
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
