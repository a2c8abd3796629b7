// V001 (template syntax) and V101 (undefined template variables), for the inline template and the
// template file. Positions are inside the template: the line and column of the block scalar's
// content, or of the template file itself.
import type { Finding, Fix, Position, Range } from '../findings.js';
import { resolveFromScore } from '../files.js';
import { closestName } from '../suggest.js';
import { BUILTIN_VARIABLES, parseTemplate, undeclaredVariables } from '../template.js';
import type { CheckContext } from './context.js';
import { isSet } from './context.js';
import { severityOf } from '../catalog.js';

/** One template to check and how to map positions inside it back to a file. */
interface TemplateSite {
  text: string;
  file: string;
  label: string;
  toPosition(line: number, character: number): Position;
}

function templateSites(ctx: CheckContext): TemplateSite[] {
  const sites: TemplateSite[] = [];
  const { prompt } = ctx.score;
  if (typeof prompt.template === 'string') {
    const path = ['prompt', 'template'];
    sites.push({
      text: prompt.template,
      file: ctx.source.file,
      label: 'prompt.template',
      toPosition: (line, character) => ctx.source.positionInScalar(path, line, character) ?? ctx.source.valueRange(path).start,
    });
  }
  if (typeof prompt.template_file === 'string' && isSet(ctx, ['prompt', 'template_file'])) {
    const file = resolveFromScore(ctx.source.file, prompt.template_file);
    // A file that cannot be read, or is not UTF-8, is V003 or Y002 (paths.ts), not checked here.
    const read = ctx.files.read(file);
    if (read.ok && !read.invalidUtf8) sites.push({ text: read.text, file, label: `template file ${prompt.template_file}`, toPosition: (line, character) => ({ line, character }) });
  }
  return sites;
}

function pointRange(start: Position, length: number): Range {
  return { start, end: { line: start.line, character: start.character + Math.max(1, length) } };
}

/** V001: the template does not parse. */
export function checkTemplateSyntax(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const site of templateSites(ctx)) {
    const { problem } = parseTemplate(site.text);
    if (!problem) continue;
    const start = site.toPosition(problem.line, problem.character);
    const fixes: Fix[] = [];
    if (problem.closing) {
      const endOfTemplate = endInsertPosition(site);
      fixes.push({
        title: `Close it: insert '${problem.closing.trim()}' at the end of the template`,
        safe: false,
        actions: [{ kind: 'edit', file: site.file, range: { start: endOfTemplate, end: endOfTemplate }, newText: problem.closing }],
      });
    }
    findings.push({
      id: 'V001',
      severity: severityOf('V001'),
      message: `Template syntax error in ${site.label}: ${problem.message}.${problem.closing ? ` Add '${problem.closing.trim()}' where it should end.` : ' Fix the Jinja syntax at this position.'}`,
      file: site.file,
      range: pointRange(start, tokenLength(site.text, problem.line, problem.character)),
      ...(fixes.length ? { fixes } : {}),
    });
  }
  return findings;
}

/** Length of the template token at a position: a name, a tag delimiter, or one character. */
function tokenLength(text: string, line: number, character: number): number {
  const rest = (text.split('\n')[line] ?? '').slice(character);
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (name) return name[0].length;
  if (/^(\{\{|\{%|\{#|\}\}|%\}|#\})/.test(rest)) return 2;
  return 1;
}

/** Where text appended to the template lands: after its last non-empty line's content. */
function endInsertPosition(site: TemplateSite): Position {
  const lines = site.text.split('\n');
  let last = lines.length - 1;
  while (last > 0 && (lines[last] ?? '').trim() === '') last--;
  return site.toPosition(last, (lines[last] ?? '').length);
}

/** V101: the template reads a variable that nothing defines. */
export function checkUndefinedVariables(ctx: CheckContext): Finding[] {
  const declared = Object.keys(ctx.score.prompt.variables ?? {});
  const known = new Set([...Object.keys(BUILTIN_VARIABLES), ...declared]);
  const findings: Finding[] = [];
  for (const site of templateSites(ctx)) {
    const { ast } = parseTemplate(site.text);
    if (!ast) continue;
    const reported = new Set<string>();
    for (const use of undeclaredVariables(ast, known)) {
      const key = `${use.name}:${use.line}:${use.character}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const start = site.toPosition(use.line, use.character);
      const range = pointRange(start, use.name.length);
      const suggestion = closestName(use.name, known);
      const fixes: Fix[] = [];
      if (suggestion) {
        fixes.push({ title: `Change to '${suggestion}'`, safe: false, actions: [{ kind: 'edit', file: site.file, range, newText: suggestion }] });
      }
      const declare = declareVariableFix(ctx, use.name);
      if (declare) fixes.push(declare);
      findings.push({
        id: 'V101',
        severity: severityOf('V101'),
        message: `Undefined template variable '${use.name}' in ${site.label}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Declare it under prompt.variables or use a built-in variable; rendering fails on undefined values.`,
        file: site.file,
        range,
        ...(fixes.length ? { fixes } : {}),
      });
    }
  }
  return findings;
}

/** A fix that adds `name: ""` under prompt.variables (creating the mapping when needed). */
function declareVariableFix(ctx: CheckContext, name: string): Fix | undefined {
  const { source } = ctx;
  const variablesNode = source.nodeAt(['prompt', 'variables']);
  const promptPair = source.pairAt(['prompt']);
  if (!promptPair) return undefined;
  const title = `Declare '${name}' under prompt.variables`;
  const file = source.file;
  if (variablesNode && variablesNode.range && isBlockMapping(source.text, variablesNode.range[0])) {
    // Insert a new line before the first existing entry, with the same indentation.
    const first = source.positionAt(variablesNode.range[0]);
    const at = { line: first.line, character: 0 };
    return { title, safe: false, actions: [{ kind: 'edit', file, range: { start: at, end: at }, newText: `${' '.repeat(first.character)}${name}: ""\n` }] };
  }
  if (variablesNode) return undefined; // flow mapping or scalar: leave it to the user
  const promptKey = promptPair.key as { range?: [number, number, number] } | null;
  const promptValue = promptPair.value as { range?: [number, number, number] } | null;
  if (!promptKey?.range || !promptValue?.range || !isBlockMapping(source.text, promptValue.range[0])) return undefined;
  const firstChild = source.positionAt(promptValue.range[0]);
  const at = { line: firstChild.line, character: 0 };
  const indent = ' '.repeat(firstChild.character);
  return {
    title,
    safe: false,
    actions: [{ kind: 'edit', file, range: { start: at, end: at }, newText: `${indent}variables:\n${indent}  ${name}: ""\n` }],
  };
}

function isBlockMapping(text: string, offset: number): boolean {
  return text[offset] !== '{' && text[offset] !== '[';
}
