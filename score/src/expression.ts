// `sheet.skip_when` expressions ("sheets[3].validation_passed and not job.status == 'paused'"),
// written in the template language's expression syntax. nunjucks only parses them: evaluation is
// our own small interpreter over plain data, so an expression can read the checkpoint and nothing
// else — no globals, no prototypes, no functions beyond the few in expression-eval.ts, no way to run code.
import nunjucks from 'nunjucks';

/** A value an expression can see or produce. */
export type ExprValue = null | boolean | number | string | readonly ExprValue[] | ExprRecord | SheetsMap;
/** A record of named fields (a sheet or the job); only its own listed fields can be read. */
export type ExprRecord = { readonly [field: string]: ExprValue };

/** What `sheets` is: sheet number → that sheet's fields. */
export class SheetsMap {
  constructor(readonly byNumber: ReadonlyMap<number, ExprRecord>) {}
}

/** The fields of `sheets[N]`, with what they mean (hover and error messages list them). */
export const SHEET_FIELDS = {
  status: "'pending', 'in_progress', 'completed', 'failed' or 'skipped'",
  validation_passed: 'true when its last validations all passed, false when one failed, none before any ran',
  attempt_count: 'attempts started (first run, retries and completion prompts)',
  retries: 'retries spent',
  completion_attempts: 'completion prompts sent',
  exit_code: "the agent's last exit code (none if it never exited)",
  error_code: 'code of the last error, such as E201 (none without one)',
  error_category: 'category of the last error, such as validation (none without one)',
  error_message: 'text of the last error (none without one)',
  passed_validations: 'descriptions of the rules that passed last time',
  failed_validations: 'descriptions of the rules that failed last time',
  cost_usd: 'what the sheet has cost so far, in USD',
  skipped: 'true when the sheet was skipped',
} as const;

/** The fields of `job`. */
export const JOB_FIELDS = {
  job_id: "the job's id",
  job_name: "the score's name",
  status: "the job's status",
  total_sheets: 'number of sheets',
  last_completed_sheet: 'highest sheet number completed so far (0 before any)',
  completed_sheets: 'sheets completed so far',
  failed_sheets: 'sheets failed so far',
  total_retry_count: 'retries spent over all sheets',
  total_estimated_cost: 'what the job has cost so far, in USD',
} as const;

export type SheetView = { readonly [K in keyof typeof SHEET_FIELDS]: ExprValue };
export type JobView = { readonly [K in keyof typeof JOB_FIELDS]: ExprValue };

/** What a skip_when expression is evaluated against. */
export interface ExprScope {
  sheets: SheetsMap;
  job: JobView;
}

/** Functions and filters a condition may use (implemented in expression-eval.ts). */
export const FUNCTION_NAMES: readonly string[] = ['len', 'bool', 'int', 'str', 'any', 'all', 'max', 'min'];
export const FILTER_NAMES: readonly string[] = ['length', 'int', 'string', 'lower', 'upper', 'default'];
/** Names that stand for constants: Python's spelling and the template language's. */
export const CONSTANT_NAMES: readonly string[] = ['True', 'False', 'None', 'true', 'false', 'none'];
const NAMES = new Set(['sheets', 'job']);

/** Longest expression accepted; a skip condition is a line, not a program. */
export const MAX_EXPRESSION_LENGTH = 2000;

/** A problem in an expression, with its place as offsets into the expression text. */
export interface ExprProblem {
  message: string;
  start: number;
  end: number;
  severity: 'error' | 'warning';
}

/** A nunjucks AST node, as far as conditions use it. */
export interface Node {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  children?: Node[];
  [field: string]: unknown;
}

interface NunjucksParser {
  parser: { parse(src: string, extensions: unknown[], options: object): Node };
}

const PREFIX = '{{ ';

/** A parsed expression, ready to evaluate. */
export interface ParsedExpression {
  readonly text: string;
  readonly root: Node;
}

/** Parses an expression; a syntax error comes back as a problem at its place. */
export function parseExpression(text: string): { expression?: ParsedExpression; problem?: ExprProblem } {
  if (text.trim() === '') return { problem: { message: 'The condition is empty; write an expression such as sheets[1].validation_passed.', start: 0, end: text.length, severity: 'error' } };
  if (text.length > MAX_EXPRESSION_LENGTH) return { problem: { message: `The condition is ${text.length} characters long, over ${MAX_EXPRESSION_LENGTH}; use skip_when_command for complex decisions.`, start: 0, end: text.length, severity: 'error' } };
  const delimiter = /\{\{|\}\}|\{%|%\}|\{#|#\}/.exec(text);
  if (delimiter) return { problem: { message: `'${delimiter[0]}' has no place in a condition: write the expression alone, without template tags.`, start: delimiter.index, end: delimiter.index + 2, severity: 'error' } };
  const wrapped = `${PREFIX}${text} }}`;
  let root: Node;
  try {
    root = (nunjucks as unknown as NunjucksParser).parser.parse(wrapped, [], {});
  } catch (error) {
    const e = error as Error & { lineno?: number; colno?: number };
    const offset = offsetOf(text, (e.lineno ?? 1) - 1, (e.colno ?? 1) - 1);
    const message = e.message.replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '').replace(/^parse\w+: /, '').trim();
    const atEnd = offset >= text.length;
    return { problem: { message: atEnd ? `The condition ends too early (${message}): something is missing at its end.` : `Syntax error in the condition: ${message}.`, start: atEnd ? Math.max(0, text.length - 1) : offset, end: atEnd ? text.length : offset + 1, severity: 'error' } };
  }
  const outputs = root.children ?? [];
  const expr = outputs.length === 1 && outputs[0]?.typename === 'Output' && outputs[0].children?.length === 1 ? outputs[0].children[0] : undefined;
  if (!expr) return { problem: { message: 'The condition must be one expression.', start: 0, end: text.length, severity: 'error' } };
  return { expression: { text, root: expr } };
}

/** Offset into the expression text of a (0-based) line and column of the wrapped template. */
function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < line && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
  return offset + Math.max(0, line === 0 ? column - PREFIX.length : column);
}

function nodeStart(expr: ParsedExpression, node: Node): number {
  return Math.min(expr.text.length, offsetOf(expr.text, node.lineno, node.colno));
}

/** Static problems: unknown names, fields and functions, and sheets that cannot be read. */
export function checkExpression(expr: ParsedExpression, options: { sheetCount?: number; ownSheet?: number } = {}): ExprProblem[] {
  const problems: ExprProblem[] = [];
  const at = (node: Node, length: number, message: string, severity: ExprProblem['severity'] = 'error') => {
    const start = nodeStart(expr, node);
    problems.push({ message, start, end: Math.min(expr.text.length, start + Math.max(1, length)), severity });
  };
  const visit = (node: Node): void => {
    switch (node.typename) {
      case 'Symbol': {
        const name = String(node.value);
        if (!NAMES.has(name) && !CONSTANT_NAMES.includes(name)) at(node, name.length, `'${name}' is not known here. A condition reads sheets[N].<field> and job.<field> (fields: ${Object.keys(SHEET_FIELDS).join(', ')}).`);
        return;
      }
      case 'LookupVal': {
        const target = node.target as Node;
        const val = node.val as Node;
        visit(target);
        if (val.typename !== 'Literal') visit(val);
        const key = val.typename === 'Literal' ? val.value : undefined;
        if (isSheetsSymbol(target)) {
          const num = typeof key === 'number' ? key : typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : undefined;
          if (typeof key === 'string' && num === undefined) at(val, key.length, `'sheets' has no field '${key}'; pick one sheet first: sheets[N].${key}.`);
          else if (num !== undefined && options.sheetCount !== undefined && (num < 1 || num > options.sheetCount)) at(val, String(num).length, `The job has no sheet ${num} (it has ${options.sheetCount}); reading it fails, and a failing condition skips the sheet.`);
          else if (num !== undefined && num === options.ownSheet) at(val, String(num).length, `Sheet ${num}'s own state is always pending when its skip_when is decided; refer to an earlier sheet.`, 'warning');
        } else if (typeof key === 'string' && isSheetLookup(target)) {
          if (!Object.hasOwn(SHEET_FIELDS, key)) at(val, key.length, `A sheet has no field '${key}'. Its fields: ${Object.keys(SHEET_FIELDS).join(', ')}.`);
        } else if (typeof key === 'string' && isJobSymbol(target)) {
          if (!Object.hasOwn(JOB_FIELDS, key)) at(val, key.length, `The job has no field '${key}'. Its fields: ${Object.keys(JOB_FIELDS).join(', ')}.`);
        } else if (typeof key === 'string' && target.typename === 'LookupVal' && (isSheetLookup(target.target as Node) || isJobSymbol(target.target as Node))) {
          at(val, key.length, `A field's value (a text, number or list) has no '${key}'; use filters such as | length instead.`);
        }
        return;
      }
      case 'FunCall': {
        const name = node.name as Node;
        if (name.typename === 'Symbol') {
          if (!FUNCTION_NAMES.includes(String(name.value))) at(name, String(name.value).length, `'${String(name.value)}' cannot be called here; the functions are ${FUNCTION_NAMES.join(', ')}.`);
        } else if (name.typename === 'LookupVal' && isSheetsSymbol(name.target as Node) && (name.val as Node).value === 'get') {
          /* sheets.get(N): allowed */
        } else {
          const start = leftmost(expr, name);
          const end = (node.args as Node | undefined) ? nodeStart(expr, node.args as Node) : start + 1;
          problems.push({ message: 'Only sheets.get(N) and the functions len, bool, int, str, any, all, max and min can be called in a condition.', start, end: Math.max(start + 1, end), severity: 'error' });
        }
        for (const arg of (node.args as Node | undefined)?.children ?? []) visit(arg);
        return;
      }
      case 'Filter': {
        const name = node.name as Node;
        if (!FILTER_NAMES.includes(String(name.value))) at(name, String(name.value).length, `The filter '${String(name.value)}' is not available in a condition; use ${FILTER_NAMES.join(', ')}.`);
        for (const arg of (node.args as Node | undefined)?.children ?? []) visit(arg);
        return;
      }
      case 'Is':
        visit(node.left as Node);
        if (!TESTS.has(testName(node))) at(node.right as Node, testName(node).length, `'is ${testName(node)}' is not a test a condition knows; use ${[...TESTS].join(', ')}.`);
        return;
      default:
        if (!EVALUATED.has(node.typename)) {
          at(node, 1, `This kind of expression (${node.typename}) is not allowed in a condition.`);
          return;
        }
        for (const child of childrenOf(node)) visit(child);
    }
  };
  visit(expr.root);
  return problems;
}

/** Where a subtree's text begins (a lookup's own position is its dot, not its target). */
function leftmost(expr: ParsedExpression, node: Node): number {
  return Math.min(nodeStart(expr, node), ...childrenOf(node).map((child) => leftmost(expr, child)));
}

const isSheetsSymbol = (n: Node) => n.typename === 'Symbol' && n.value === 'sheets';
const isJobSymbol = (n: Node) => n.typename === 'Symbol' && n.value === 'job';
const isSheetLookup = (n: Node) =>
  (n.typename === 'LookupVal' && isSheetsSymbol(n.target as Node)) ||
  (n.typename === 'FunCall' && (n.name as Node).typename === 'LookupVal' && isSheetsSymbol((n.name as Node).target as Node));

const EVALUATED = new Set(['CompareOperand', 'Literal', 'Symbol', 'Group', 'Array', 'LookupVal', 'FunCall', 'Filter', 'InlineIf', 'And', 'Or', 'Not', 'In', 'Is', 'Compare', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Neg', 'Pos', 'NodeList']);
/** The name of an `is` test: `is none`, `is true` and `is false` parse as literals. */
export function testName(node: Node): string {
  const value = (node.right as Node).value;
  return value === null ? 'none' : String(value);
}

const TESTS = new Set(['defined', 'undefined', 'none', 'number', 'string', 'true', 'false']);

function childrenOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const value of Object.values(node)) {
    if (isNode(value)) out.push(value);
    else if (Array.isArray(value)) for (const v of value) if (isNode(v)) out.push(v);
  }
  return out;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).typename === 'string';
}
