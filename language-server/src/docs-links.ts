// Where a check's documentation link points. A web address takes the section's anchor; a file on
// disk (docs/checks.md beside the bundle) takes the line of the section's heading, `#L<line>`, the
// fragment editors open a file at — an HTML anchor in a local file would open it at line 1.
import { readFileSync } from 'node:fs';
import { checkAnchor } from '../../score/src/catalog.js';
import { URI } from 'vscode-uri';

const headingLines = new Map<string, Map<string, number>>();

/** 1-based line of each `<a id="…">` section's heading in the file, read once per file. */
function linesOf(path: string): Map<string, number> {
  let lines = headingLines.get(path);
  if (lines) return lines;
  lines = new Map();
  try {
    const text = readFileSync(path, 'utf8').split('\n');
    text.forEach((line, index) => {
      const anchor = /^<a id="([^"]+)"><\/a>\s*$/.exec(line);
      if (anchor) lines?.set(anchor[1] as string, text[index + 1]?.startsWith('#') ? index + 2 : index + 1);
    });
  } catch {
    // Unreadable docs: links open the file at its start.
  }
  headingLines.set(path, lines);
  return lines;
}

/** The link for check `id` under `docsUrl` (docs/checks.md as a file: or web address). */
export function checkDocLink(docsUrl: string, id: string): string {
  const anchor = checkAnchor(id);
  if (!docsUrl.startsWith('file:')) return `${docsUrl}#${anchor}`;
  const line = linesOf(URI.parse(docsUrl).fsPath).get(anchor);
  return line === undefined ? docsUrl : `${docsUrl}#L${line}`;
}
