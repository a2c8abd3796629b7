// Silencing findings from inside the file: `# mozart-ignore V101` on the line before a finding (or
// at the end of its line) hides that id there; `# mozart-ignore-file V101` hides it in the whole
// file. Inside a prompt template, the Jinja comment `{# mozart-ignore V101 #}` does the same.
// Without ids, every finding at that place is hidden. Ids are matched case-insensitively; a
// directive naming only things that are not check ids silences nothing (a typo must not
// silence everything).
import type { Finding } from './findings.js';

const DIRECTIVE = /(?:^|\s|\{)#-?\s*mozart-ignore(-file)?\b([^#\n]*)/;

interface Directive {
  wholeFile: boolean;
  ids: Set<string> | 'all';
}

function parseDirective(line: string): Directive | undefined {
  const match = DIRECTIVE.exec(line);
  if (!match) return undefined;
  const words = (match[2] ?? '').replace(/-?\}.*$/, '').split(/[\s,]+/).filter((word) => word !== '');
  const ids = words.filter((word) => /^[A-Za-z]\d{3}$/.test(word)).map((id) => id.toUpperCase());
  return { wholeFile: match[1] === '-file', ids: words.length === 0 ? 'all' : new Set(ids) };
}

function covers(directive: Directive | undefined, id: string): boolean {
  return directive !== undefined && (directive.ids === 'all' || directive.ids.has(id));
}

/** Drops findings silenced by comments; `linesOf` returns a file's lines (or undefined). */
export function applySuppressions(findings: Finding[], linesOf: (file: string) => string[] | undefined): Finding[] {
  const fileDirectives = new Map<string, Directive[]>();
  const lineCache = new Map<string, string[] | undefined>();
  const lines = (file: string): string[] | undefined => {
    if (!lineCache.has(file)) lineCache.set(file, linesOf(file));
    return lineCache.get(file);
  };
  const wholeFile = (file: string): Directive[] => {
    let found = fileDirectives.get(file);
    if (!found) {
      found = (lines(file) ?? []).map(parseDirective).filter((d): d is Directive => d?.wholeFile === true);
      fileDirectives.set(file, found);
    }
    return found;
  };
  return findings.filter((finding) => {
    const text = lines(finding.file);
    if (!text) return true;
    if (wholeFile(finding.file).some((d) => covers(d, finding.id))) return false;
    const line = finding.range.start.line;
    const here = parseDirective(text[line] ?? '');
    const before = parseDirective(text[line - 1] ?? '');
    return !(covers(here?.wholeFile ? undefined : here, finding.id) || covers(before?.wholeFile ? undefined : before, finding.id));
  });
}
