// The one executor of a fix on the file system. A fix is a value (a list of actions, see
// findings.ts); self-healing in the conductor carries it out here, and so does the language server
// for the steps an editor cannot take itself (creating a folder). The language server's other half
// turns the same list into a WorkspaceEdit, so a remedy and a quick fix are one value carried out
// in two places with the same result.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Fix, FixAction, Position } from './findings.js';

/** Why an action could not be carried out: a system error code (EACCES, ENOTDIR, …) or EOVERLAP. */
export interface FixFailure {
  code: string;
  message: string;
  action: FixAction;
}

/** What carrying out a fix did. */
export interface FixOutcome {
  /** One sentence per action that ran, in order ("Created /w/reports."). */
  done: string[];
  /** The first action that failed; the actions after it were not tried (they may depend on it). */
  failure?: FixFailure;
}

/**
 * Carries out a fix's actions in order: folders are created with their parents, a file is created
 * (with its folder) only where none exists — an existing file is left as it is — and text edits
 * are applied to the file on disk, all edits of one file at once. Never throws.
 */
export function applyFixOnDisk(fix: Fix | readonly FixAction[]): FixOutcome {
  const actions = 'actions' in fix ? fix.actions : fix;
  const done: string[] = [];
  for (const step of inOrder(actions)) {
    try {
      done.push(carryOut(step));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EFIX';
      return { done, failure: { code, message: (error as Error).message, action: step.kind === 'edits' ? (step.edits[0] as FixAction) : step } };
    }
  }
  return { done };
}

type TextEdit = Extract<FixAction, { kind: 'edit' }>;
type Step = Exclude<FixAction, TextEdit> | { kind: 'edits'; file: string; edits: TextEdit[] };

/** The actions as steps: file actions where they stand, a file's text edits together where its first edit stands. */
function inOrder(actions: readonly FixAction[]): Step[] {
  const steps: Step[] = [];
  const byFile = new Map<string, TextEdit[]>();
  for (const action of actions) {
    if (action.kind !== 'edit') {
      steps.push(action);
      continue;
    }
    const edits = byFile.get(action.file);
    if (edits) edits.push(action);
    else {
      const list = [action];
      byFile.set(action.file, list);
      steps.push({ kind: 'edits', file: action.file, edits: list });
    }
  }
  return steps;
}

function carryOut(step: Step): string {
  if (step.kind === 'createDirectory') {
    mkdirSync(step.path, { recursive: true });
    return `Created ${step.path}.`;
  }
  if (step.kind === 'createFile') {
    mkdirSync(dirname(step.path), { recursive: true });
    try {
      writeFileSync(step.path, step.content, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return `Left ${step.path} as it was (it exists).`;
      throw error;
    }
    return `Created ${step.path}.`;
  }
  writeFileSync(step.file, applyTextEdits(readFileSync(step.file, 'utf8'), step.edits));
  return `Edited ${step.file} (${step.edits.length} change${step.edits.length === 1 ? '' : 's'}).`;
}

/**
 * Text with edits applied, positions in UTF-16 code units as everywhere in findings. Edits must not
 * overlap (an LSP client refuses such an edit too); two inserts at one place keep their order.
 */
export function applyTextEdits(text: string, edits: readonly { range: { start: Position; end: Position }; newText: string }[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: Position): number => {
    if (p.line >= starts.length) return text.length;
    const lineStart = starts[p.line] ?? text.length;
    const lineEnd = p.line + 1 < starts.length ? (starts[p.line + 1] ?? text.length) - 1 : text.length;
    return Math.min(lineStart + p.character, lineEnd);
  };
  const spans = edits.map((e, index) => ({ start: offset(e.range.start), end: offset(e.range.end), newText: e.newText, index })).sort((a, b) => a.start - b.start || a.end - b.end || a.index - b.index);
  for (let i = 1; i < spans.length; i++) {
    const [before, after] = [spans[i - 1], spans[i]];
    if (before && after && after.start < before.end) throw Object.assign(new Error('two edits of the fix overlap; nothing was changed in this file'), { code: 'EOVERLAP' });
  }
  let out = text;
  for (const span of [...spans].reverse()) out = out.slice(0, span.start) + span.newText + out.slice(span.end);
  return out;
}
