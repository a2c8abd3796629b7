// Hover: a key's schema description, a template variable's or placeholder's meaning, and the
// documentation of a check where a finding sits or a `mozart-ignore` comment names one.
import type { Hover, Position } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { checkInfo } from '../../score/src/catalog.js';
import type { Finding } from '../../score/src/findings.js';
import { FORMAT_PLACEHOLDERS } from '../../score/src/placeholders.js';
import { schemaAt } from '../../score/src/schema-index.js';
import { BUILTIN_VARIABLES } from '../../score/src/template.js';
import type { DeclaredVariables } from './completion.js';
import { checkDocLink } from './docs-links.js';
import { fieldMarkdown } from './schema-text.js';
import { cursorContext, keyOnLine } from './yaml-context.js';

/** The word (identifier) around a character of a line, with its columns. */
export function wordAt(line: string, character: number): { word: string; start: number; end: number } | undefined {
  const pattern = /[A-Za-z_][\w]*/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(line))) {
    if (match.index <= character && character <= match.index + match[0].length) {
      return { word: match[0], start: match.index, end: match.index + match[0].length };
    }
  }
  return undefined;
}

/** Markdown for a check id, with a link to its documentation. */
export function checkMarkdown(id: string, docsUrl: string): string | undefined {
  const info = checkInfo(id);
  if (!info) return undefined;
  return `**${info.id}** — ${info.title} (${info.severity})\n\n[Documentation](${checkDocLink(docsUrl, info.id)}) · silence with \`# mozart-ignore ${info.id}\``;
}

/** Hover at a position of a score. `findings` are the last check's findings in this file. */
export function hoverScore(lines: readonly string[], position: Position, declared: DeclaredVariables, findings: readonly Finding[], docsUrl: string): Hover | null {
  const text = lines[position.line] ?? '';
  const ignore = /#\s*mozart-ignore(?:-file)?\b(.*)$/.exec(text);
  if (ignore && position.character >= ignore.index) {
    const word = wordAt(text, position.character);
    const doc = word ? checkMarkdown(word.word, docsUrl) : undefined;
    if (doc && word) return hover(doc, position.line, word.start, word.end);
  }
  const key = keyOnLine(lines, position.line);
  if (key && position.character >= key.start && position.character <= key.end) {
    const node = schemaAt(key.path);
    if (node) return hover(fieldMarkdown(key.path.filter((s) => typeof s === 'string').join('.'), node), position.line, key.start, key.end);
  }
  const context = cursorContext(lines, position.line, position.character);
  const word = wordAt(text, position.character);
  if (word && context.kind !== 'key') {
    const field = schemaAt(context.path);
    if (field?.['x-template'] === 'jinja') {
      const meaning = variableMeaning(word.word, declared);
      if (meaning) return hover(meaning, position.line, word.start, word.end);
    }
    if (field?.['x-template'] === 'format' && text[word.start - 1] === '{' && text[word.end] === '}') {
      const meaning = FORMAT_PLACEHOLDERS[word.word];
      if (meaning) return hover(`\`{${word.word}}\` — ${meaning}`, position.line, word.start, word.end);
    }
  }
  const finding = findings.find((f) => contains(f.range, position));
  const doc = finding ? checkMarkdown(finding.id, docsUrl) : undefined;
  if (doc && finding) return { contents: { kind: MarkupKind.Markdown, value: doc }, range: finding.range };
  return null;
}

/** What a template variable means, for hover in prompts and template files. */
export function variableMeaning(name: string, declared: DeclaredVariables): string | undefined {
  if (declared.has(name)) {
    const value = declared.get(name);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return `\`${name}\` — declared under \`prompt.variables\`: \`${(text ?? '').slice(0, 200)}\``;
  }
  const builtin = BUILTIN_VARIABLES[name];
  return builtin ? `\`${name}\` (built-in) — ${builtin}` : undefined;
}

function contains(range: Finding['range'], position: Position): boolean {
  const after = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const before = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return after && before;
}

function hover(markdown: string, line: number, start: number, end: number): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: markdown }, range: { start: { line, character: start }, end: { line, character: end } } };
}
