// What a check reports: an id, a severity, a message that says what to do, the exact place, and
// optionally fixes. Positions are zero-based (line, character) like LSP; the CLI adds one on output.

/** How bad a finding is. */
export type Severity = 'error' | 'warning' | 'info';

/** A zero-based position in a text file (character = UTF-16 code unit, as in LSP). */
export interface Position {
  line: number;
  character: number;
}

/** A half-open range between two positions. */
export interface Range {
  start: Position;
  end: Position;
}

/** One step of a fix: a text edit, or a file-system action. */
export type FixAction =
  | { kind: 'edit'; file: string; range: Range; newText: string }
  | { kind: 'createDirectory'; path: string }
  | { kind: 'createFile'; path: string; content: string };

/** A way to resolve a finding. `safe` fixes may be applied in bulk ("fix all"). */
export interface Fix {
  title: string;
  safe: boolean;
  actions: FixAction[];
}

/** Another place that explains a finding (e.g. the other members of a dependency cycle). */
export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

/** One problem found in a score. */
export interface Finding {
  /** Check id: Y001, S001…, D001…, V001… */
  id: string;
  severity: Severity;
  message: string;
  /** Absolute path of the file the range is in: the score, or its template file. */
  file: string;
  range: Range;
  related?: RelatedLocation[];
  fixes?: Fix[];
}

/** The zero range at the start of a file, for findings about the file as a whole. */
export const START_OF_FILE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Orders findings by file, then position, then id, so output is stable. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
