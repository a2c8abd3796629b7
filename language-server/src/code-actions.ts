// Quick fixes and "fix all" for a score, built from the findings' fixes within what the client
// declared (see convert.ts), and the server command that carries out what the editor cannot.
import type { CodeAction, CodeActionParams, Command, Diagnostic, WorkspaceEdit } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import { applyFixOnDisk } from '../../score/src/fix-apply.js';
import type { FixOutcome } from '../../score/src/fix-apply.js';
import type { Finding, Fix } from '../../score/src/findings.js';
import type { CheckedScore } from './checker.js';
import type { EditTarget } from './convert.js';
import { codeActionFor, DIAGNOSTIC_SOURCE, nonOverlapping, planFixes, sameFinding, toCodeAction } from './convert.js';
import type { SeverityOverride } from './settings.js';

/** The most fixes one "fix all" carries. */
const FIX_ALL_LIMIT = 500;

/** The code actions for a request on a checked score. */
export function scoreCodeActions(params: CodeActionParams, checked: CheckedScore, target: EditTarget, checks: Record<string, SeverityOverride>): (CodeAction | Command)[] {
  const only = params.context.only;
  const ours = params.context.diagnostics.some((d) => d.source === DIAGNOSTIC_SOURCE);
  // Asked for source actions (menu, on save): offer "fix all". Asked for everything (the editor's
  // lightbulb at the cursor): only where one of our findings is — a lightbulb on every line of a
  // score with a fixable problem somewhere, or lingering after the fix, helps nobody.
  const wantsFixAll = only ? only.some((kind) => kind === CodeActionKind.SourceFixAll || kind.startsWith(`${CodeActionKind.SourceFixAll}.`) || kind === CodeActionKind.Source) : ours;
  const wantsQuickFix = !only || only.some((kind) => kind === CodeActionKind.QuickFix);
  // A client with neither code action literals nor workspace/applyEdit cannot receive a text edit at all.
  const reachable = (fix: Fix): boolean => target.features.codeActionLiterals || target.features.applyEdit || fix.actions.every((a) => a.kind !== 'edit');
  const actions: (CodeAction | Command)[] = [];
  const own = checked.result.findings.filter((f) => f.file === checked.path);
  if (wantsQuickFix) {
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const finding = findingOf(own, diagnostic);
      finding?.fixes?.forEach((fix, index) => {
        if (reachable(fix)) actions.push(toCodeAction(fix, diagnostic, target, index === 0 && fix.safe));
      });
    }
  }
  if (wantsFixAll) {
    const safe = nonOverlapping(own.filter((f) => checks[f.id] !== 'off').flatMap((f) => (f.fixes ?? []).filter((fix) => fix.safe && reachable(fix))).slice(0, FIX_ALL_LIMIT));
    if (safe.length > 0) {
      const title = `Fix all safe problems in this score (${safe.length})`;
      const kind = only?.includes(CodeActionKind.QuickFix) && !only.includes(CodeActionKind.SourceFixAll) ? CodeActionKind.QuickFix : CodeActionKind.SourceFixAll;
      actions.push(codeActionFor(title, kind, safe, target));
    }
  }
  return actions;
}

/**
 * The finding a diagnostic sent back was made from: the one at exactly its range, else the only
 * one with its code on its lines — Neovim 0.7 sends diagnostics back with byte columns instead of
 * the UTF-16 ones it was given, which differ on a line with non-ASCII text.
 */
function findingOf(findings: readonly Finding[], diagnostic: Diagnostic): Finding | undefined {
  const exact = findings.find((f) => sameFinding(f, diagnostic));
  if (exact) return exact;
  const onLines = findings.filter((f) => f.id === diagnostic.code && f.range.start.line === diagnostic.range.start.line && f.range.end.line === diagnostic.range.end.line);
  return onLines.length === 1 ? onLines[0] : undefined;
}

/** How the server reaches the editor and the files while carrying out a fix. */
export interface FixRunner extends EditTarget {
  /** Asks the editor to apply an edit (workspace/applyEdit); resolves to whether it did. */
  applyEdit(label: string, edit: WorkspaceEdit): Promise<{ applied: boolean; failureReason?: string }>;
}

/**
 * Carries out a fix sent back through the server command: the text edits by the editor (it holds
 * the buffers, saved or not), then the file actions by the shared executor. Says what went wrong.
 */
export async function runFix(fix: Fix, runner: FixRunner): Promise<{ outcome: FixOutcome; refused?: string }> {
  const plan = planFixes([fix], { ...runner, features: { ...runner.features, createFiles: false } });
  if (plan.edit) {
    if (!runner.features.applyEdit) return { outcome: { done: [] }, refused: `this editor cannot apply edits the server sends (no workspace.applyEdit); nothing of "${fix.title}" was done` };
    const result = await runner.applyEdit(fix.title, plan.edit);
    if (!result.applied) return { outcome: { done: [] }, refused: `the editor did not apply "${fix.title}": ${result.failureReason ?? 'no reason given'}` };
  }
  return { outcome: applyFixOnDisk(plan.onDisk) };
}
