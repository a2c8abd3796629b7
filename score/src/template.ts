// Prompt templates: Jinja2 syntax rendered by nunjucks with its Jinja compatibility layer (dict
// .items(), True/False/None, slices). Parsing, rendering, finding undeclared variables, and putting
// the final prompt together (preamble, body, extensions) all live here.
import nunjucks from 'nunjucks';

nunjucks.installJinjaCompat();

/** A template problem with its zero-based position inside the template text. */
export interface TemplateProblem {
  message: string;
  line: number;
  character: number;
  /** Text to insert at the end of the template that would close an unclosed tag or brace. */
  closing?: string;
}

/** Variables every sheet's template can use, with what they mean (hover text). */
export const BUILTIN_VARIABLES: Readonly<Record<string, string>> = {
  sheet_num: 'Number of this sheet (1-based, after fan-out expansion).',
  total_sheets: 'Total number of sheets in the job.',
  start_item: 'First item this sheet covers.',
  end_item: 'Last item this sheet covers.',
  workspace: 'Absolute path of the job workspace.',
  stage: 'Logical stage of this sheet; equals sheet_num when there is no fan-out.',
  instance: "This sheet's instance within its fan-out group (1-based; 1 without fan-out).",
  fan_count: "Number of instances in this stage's fan-out group (1 without fan-out).",
  total_stages: 'Number of stages before fan-out expansion; equals total_sheets without fan-out.',
  previous_outputs: 'Output tails of earlier sheets, keyed by sheet number (set by cross_sheet.auto_capture_stdout).',
  previous_files: 'Contents of files captured between sheets, keyed by path (set by cross_sheet.capture_files).',
  stakes: 'The text of prompt.stakes, or empty.',
  thinking_method: 'The text of prompt.thinking_method, or empty.',
};

/** Names the template language itself provides. */
const LANGUAGE_GLOBALS = new Set(['range', 'cycler', 'joiner', 'dict', 'namespace', 'True', 'False', 'None', 'loop', 'caller', 'self', 'super']);

const environment = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
environment.addGlobal('dict', (...args: unknown[]) => keywordArgs(args));
environment.addGlobal('namespace', (...args: unknown[]) => keywordArgs(args));

function keywordArgs(args: unknown[]): Record<string, unknown> {
  const last = args[args.length - 1] as Record<string, unknown> | undefined;
  if (!last || typeof last !== 'object' || !('__keywords' in last)) return {};
  const { __keywords: _ignored, ...rest } = last;
  return rest;
}

/** The parser nunjucks exports but its type definitions do not declare. */
interface NunjucksInternals {
  parser: { parse(src: string, extensions: unknown[], options: object): unknown };
}

/** Minimal view of the nunjucks AST nodes we walk. */
interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  value?: unknown;
  children?: AstNode[];
  [field: string]: unknown;
}

type ParsedTemplate = Readonly<{ ast?: AstNode; problem?: TemplateProblem }>;

/**
 * Recent parses by template text. One check of a score parses each template for several checks
 * (syntax, undefined variables, …), and an editor re-checks on every keystroke while the template
 * itself rarely changes: parsing a large template is the costliest step of a check, so do it once.
 * Results are never mutated by their users.
 */
const parsed = new Map<string, ParsedTemplate>();
const PARSE_CACHE_ENTRIES = 16;

/** Parses a template; returns its AST or the first syntax problem. Never throws. */
export function parseTemplate(text: string): ParsedTemplate {
  const hit = parsed.get(text);
  if (hit) {
    parsed.delete(text); // most recently used goes last
    parsed.set(text, hit);
    return hit;
  }
  let result: ParsedTemplate;
  try {
    result = { ast: (nunjucks as unknown as NunjucksInternals).parser.parse(text, [], {}) as AstNode };
  } catch (error) {
    result = { problem: describeSyntaxError(text, error as Error & { lineno?: number; colno?: number }) };
  }
  parsed.set(text, result);
  if (parsed.size > PARSE_CACHE_ENTRIES) parsed.delete(parsed.keys().next().value as string);
  return result;
}

const BLOCK_TAGS: Record<string, string> = {
  if: 'endif',
  for: 'endfor',
  macro: 'endmacro',
  call: 'endcall',
  filter: 'endfilter',
  raw: 'endraw',
  block: 'endblock',
  set: 'endset',
};

function describeSyntaxError(text: string, error: Error & { lineno?: number; colno?: number }): TemplateProblem {
  const raw = error.message.replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '').trim();
  const message = raw.replace(/^parse\w+: /, '');
  const unclosed = findUnclosed(text);
  if (unclosed && (error.lineno === undefined || /end of file|expected (variable|block) end/.test(message))) {
    return {
      message: `${unclosed.what} is never closed (${message})`,
      line: unclosed.line,
      character: unclosed.character,
      ...(unclosed.closing !== undefined ? { closing: unclosed.closing } : {}),
    };
  }
  if (error.lineno !== undefined) {
    // nunjucks calls an end tag that closes nothing open an "unknown block tag".
    const stray = /^unknown block tag: end(\w+)$/.exec(message);
    const explained = stray?.[1] && BLOCK_TAGS[stray[1]] ? `'{% end${stray[1]} %}' does not close an open '{% ${stray[1]} %}' (${message})` : message;
    return { message: explained, line: Math.max(0, error.lineno - 1), character: Math.max(0, (error.colno ?? 1) - 1) };
  }
  const end = positionOf(text, text.length);
  return { message, ...end };
}

/** Finds the innermost tag, expression or block that is opened and never closed. */
function findUnclosed(text: string): { what: string; closing?: string; line: number; character: number } | undefined {
  const stack: { tag: string; offset: number }[] = [];
  const tagPattern = /\{%-?\s*(\w+)|\{\{|\{#/g;
  let match: RegExpExecArray | null;
  while ((match = tagPattern.exec(text))) {
    const opener = match[0];
    const offset = match.index;
    const closer = opener.startsWith('{{') ? '}}' : opener.startsWith('{#') ? '#}' : '%}';
    const found = closer === '#}' ? { end: text.indexOf(closer, offset + 2) } : findCloser(text, offset + 2, closer);
    if (found.openQuote !== undefined) {
      const quote = text.charAt(found.openQuote);
      return { what: `The string opened by ${quote} here`, ...positionOf(text, found.openQuote) };
    }
    const end = found.end;
    if (end < 0) {
      const what = closer === '}}' ? "The expression '{{'" : closer === '#}' ? "The comment '{#'" : `The tag '{% ${match[1] ?? ''}'`;
      return { what, closing: ` ${closer}`, ...positionOf(text, offset) };
    }
    tagPattern.lastIndex = end + 2;
    const name = match[1];
    if (!name) continue;
    if (name === 'raw' && closer === '%}') {
      const endRaw = /\{%-?\s*endraw\s*-?%\}/g;
      endRaw.lastIndex = end + 2;
      const closed = endRaw.exec(text);
      if (!closed) return { what: "The block '{% raw %}'", closing: '{% endraw %}', ...positionOf(text, offset) };
      tagPattern.lastIndex = closed.index + closed[0].length;
      continue;
    }
    const body = text.slice(offset, end);
    const isBlockSet = name === 'set' && !body.includes('=');
    if (BLOCK_TAGS[name] && (name !== 'set' || isBlockSet)) stack.push({ tag: name, offset });
    else if (name.startsWith('end')) {
      const index = stack.map((s) => BLOCK_TAGS[s.tag]).lastIndexOf(name);
      if (index >= 0) stack.splice(index);
    }
  }
  const open = stack[stack.length - 1];
  if (!open) return undefined;
  const closeTag = BLOCK_TAGS[open.tag] ?? `end${open.tag}`;
  return { what: `The block '{% ${open.tag} %}'`, closing: `{% ${closeTag} %}`, ...positionOf(text, open.offset) };
}

/** Finds `closer` from `from`, skipping quoted strings (a `}}` inside "…" does not end a tag). */
function findCloser(text: string, from: number, closer: string): { end: number; openQuote?: number } {
  for (let i = from; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < text.length && text.charAt(j) !== ch) j += text.charAt(j) === '\\' ? 2 : 1;
      if (j >= text.length) return { end: -1, openQuote: i };
      i = j;
    } else if (text.startsWith(closer, i)) return { end: i };
  }
  return { end: -1 };
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: offset - lineStart };
}

/** One use of a variable that nothing in the template or its context defines. */
export interface VariableUse {
  name: string;
  line: number;
  character: number;
}

/**
 * Lists variables a template reads that neither the template (set, for, macro, import) nor
 * `known` defines. A variable guarded with `is defined` or `| default(…)` is treated as optional.
 */
export function undeclaredVariables(ast: AstNode, known: ReadonlySet<string>): VariableUse[] {
  const uses: VariableUse[] = [];
  const optional = new Set<string>();
  collectOptional(ast, optional);
  const scopes: Set<string>[] = [new Set()];
  const isDefined = (name: string): boolean =>
    known.has(name) || LANGUAGE_GLOBALS.has(name) || optional.has(name) || scopes.some((s) => s.has(name));
  const define = (target: unknown): void => {
    for (const symbol of symbolsIn(target)) scopes[scopes.length - 1]?.add(symbol);
  };

  const visit = (node: unknown): void => {
    if (!isNode(node)) return;
    switch (node.typename) {
      case 'Symbol': {
        const name = String(node.value);
        if (!isDefined(name)) uses.push({ name, line: node.lineno, character: node.colno });
        return;
      }
      case 'Set':
        visit(node.value);
        visit(node.body);
        define(node.targets);
        return;
      case 'For':
      case 'AsyncEach':
      case 'AsyncAll':
        visit(node.arr);
        scopes.push(new Set(['loop']));
        define(node.name);
        visit(node.body);
        scopes.pop();
        visit(node.else_);
        return;
      case 'Macro':
      case 'Caller': {
        define(node.name);
        const args = node.args as AstNode | undefined;
        scopes.push(new Set(['caller']));
        for (const arg of args?.children ?? []) {
          if (arg.typename === 'KeywordArgs') {
            for (const pair of arg.children ?? []) {
              visit(pair.value);
              define(pair.key);
            }
          } else define(arg);
        }
        visit(node.body);
        scopes.pop();
        return;
      }
      case 'Import':
        visit(node.template);
        define(node.target);
        return;
      case 'FromImport':
        visit(node.template);
        for (const name of (node.names as AstNode | undefined)?.children ?? []) define(name.typename === 'Pair' ? name.value : name);
        return;
      case 'LookupVal':
        visit(node.target);
        if (isNode(node.val) && node.val.typename !== 'Literal') visit(node.val);
        return;
      case 'Filter':
      case 'FilterAsync':
        visit(node.args);
        return;
      case 'Is':
        visit(node.left);
        return;
      case 'Pair':
        // Dictionary and keyword-argument keys are names, not variable reads.
        visit(node.value);
        return;
      case 'Block':
        visit(node.body);
        return;
      default:
        for (const field of node.fields ?? []) visit(node[field]);
        if (Array.isArray(node.children)) node.children.forEach(visit);
    }
  };
  visit(ast);
  return uses;
}

function collectOptional(node: unknown, into: Set<string>): void {
  if (!isNode(node)) return;
  if (node.typename === 'Is' && isNode(node.left) && node.left.typename === 'Symbol') into.add(String(node.left.value));
  if (node.typename === 'Filter' && isNode(node.name) && ['default', 'd'].includes(String(node.name.value))) {
    const first = (node.args as AstNode | undefined)?.children?.[0];
    if (first?.typename === 'Symbol') into.add(String(first.value));
  }
  for (const field of node.fields ?? []) collectOptional(node[field], into);
  if (Array.isArray(node.children)) node.children.forEach((child) => collectOptional(child, into));
}

function symbolsIn(target: unknown): string[] {
  if (Array.isArray(target)) return target.flatMap(symbolsIn);
  if (!isNode(target)) return [];
  if (target.typename === 'Symbol') return [String(target.value)];
  return (target.children ?? []).flatMap(symbolsIn);
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
}

/** A failed render, with the template position when nunjucks knows it. */
export class TemplateRenderError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

/** Renders a template with a context; undefined values are errors (like Jinja's StrictUndefined). */
export function renderTemplate(text: string, context: Readonly<Record<string, unknown>>): string {
  try {
    return environment.renderString(text, { ...context });
  } catch (error) {
    const message = (error as Error).message;
    const where = /\[Line (\d+), Column (\d+)\]/.exec(message);
    const reason = message.replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '').replace(/^Error: /, '').trim();
    const line = where ? Number(where[1]) - 1 : undefined;
    const friendly = reason.includes('output null or undefined') ? 'a variable used here has no value (it is undefined or null)' : reason;
    throw new TemplateRenderError(line === undefined ? friendly : `line ${line + 1}: ${friendly}`, line);
  }
}

/** The fixed text that opens every prompt Mozart sends, telling the agent how it is being run. */
export const PREAMBLE = [
  '<mozart-preamble>',
  'This task is one sheet of a job run by Mozart AI Compose. Work by these rules:',
  '1. Finish the whole task. Work that is left incomplete is retried.',
  '2. Put every output in the workspace directory named in the task.',
  '3. Leave no background processes running when you finish.',
  '4. The requirements listed at the end are checked automatically after you exit; meet them exactly.',
  '</mozart-preamble>',
].join('\n');

/** Puts a sheet's prompt together: preamble, rendered body, then extensions (score-wide, then per sheet). */
export function assemblePrompt(body: string, extensions: readonly string[]): string {
  const parts = [PREAMBLE, body];
  const extra = extensions.filter((e) => e.trim() !== '');
  if (extra.length) parts.push(extra.join('\n'));
  return parts.join('\n');
}
