// The list of check ids with a one-line title each: hover text, documentation links and the
// language server's settings all read it. The full explanation of each lives in docs/checks.md,
// under an anchor that is the lower-case id.
import type { Severity } from './findings.js';

/** What one check id is about. */
export interface CheckInfo {
  id: string;
  title: string;
  /** The severity the engine reports it with: the only place it is stated (checks ask severityOf). */
  severity: Severity;
  /** The other severity a few checks report in some cases (docs/checks.md: "error or warning"). */
  alternative?: Severity;
}

const ENTRIES: readonly CheckInfo[] = [
  { id: 'Y001', severity: 'error', title: 'YAML syntax error' },
  { id: 'Y002', severity: 'error', title: 'The file is not valid UTF-8' },
  { id: 'Y003', severity: 'error', title: 'Lists and mappings nested more than 200 levels deep' },
  { id: 'S000', severity: 'error', title: 'Internal error while checking' },
  { id: 'S001', severity: 'warning', title: 'Unknown key' },
  { id: 'S002', severity: 'error', title: 'Wrong type' },
  { id: 'S003', severity: 'error', title: 'Missing required field' },
  { id: 'S004', severity: 'error', title: 'Mutually exclusive fields' },
  { id: 'S005', severity: 'error', title: 'Value not allowed' },
  { id: 'S006', severity: 'error', title: 'Inconsistent settings' },
  { id: 'S007', severity: 'warning', title: 'Setting for another backend' },
  { id: 'S008', severity: 'error', title: 'Backend cannot run' },
  { id: 'S009', severity: 'info', title: 'Field has no effect in this version' },
  { id: 'D001', severity: 'error', title: 'Dependency cycle' },
  { id: 'D002', severity: 'error', title: 'Sheet depends on itself' },
  { id: 'D003', severity: 'error', title: 'Dependency out of range' },
  { id: 'V001', severity: 'error', title: 'Template syntax error' },
  { id: 'V002', severity: 'error', title: "Workspace's parent directory missing" },
  { id: 'V003', severity: 'error', title: 'Template file missing' },
  { id: 'V004', severity: 'error', title: 'System prompt file missing' },
  { id: 'V005', severity: 'error', title: 'Working directory missing' },
  { id: 'V007', severity: 'error', title: 'Invalid regular expression' },
  { id: 'V008', severity: 'error', title: 'Validation missing a field its type needs' },
  { id: 'V009', severity: 'error', alternative: 'warning', title: "Path points at a previous version's workspace" },
  { id: 'V101', severity: 'warning', title: 'Undefined template variable' },
  { id: 'V103', severity: 'warning', title: 'Backend timeout very short' },
  { id: 'V104', severity: 'info', title: 'Backend timeout very long' },
  { id: 'V106', severity: 'warning', title: 'Empty validation pattern' },
  { id: 'V107', severity: 'warning', title: 'File named in a validation command missing' },
  { id: 'V110', severity: 'error', alternative: 'warning', title: 'skip_when condition cannot be evaluated' },
  { id: 'V111', severity: 'warning', alternative: 'error', title: 'Template syntax inside a prompt variable' },
];

/** Every check id, in documentation order. */
export const CHECKS: readonly CheckInfo[] = ENTRIES;

const BY_ID = new Map(ENTRIES.map((entry) => [entry.id, entry]));

/** The catalog entry for an id, if there is one. */
export function checkInfo(id: string): CheckInfo | undefined {
  return BY_ID.get(id.toUpperCase());
}

/** The severity a check reports (or its alternative one); an id the catalog lacks is a bug here. */
export function severityOf(id: string, which: 'usual' | 'alternative' = 'usual'): Severity {
  const info = BY_ID.get(id);
  const severity = which === 'usual' ? info?.severity : info?.alternative;
  if (!severity) throw new Error(`check ${id} has no ${which} severity in score/src/catalog.ts`);
  return severity;
}

/** The anchor of a check's section in docs/checks.md. */
export function checkAnchor(id: string): string {
  return id.toLowerCase();
}
