// Evaluating a parsed skip_when condition: a small interpreter over plain data. Only own fields of
// the records in the scope can be read and only the functions below can be called, so a condition
// reaches the checkpoint and nothing else (nunjucks' own evaluation would reach constructors).
import { SheetsMap, testName } from './expression.js';
import type { ExprRecord, ExprScope, ExprValue, Node, ParsedExpression } from './expression.js';

/** Functions an expression may call, as in the original's restricted builtins. */
const FUNCTIONS: Readonly<Record<string, (args: ExprValue[]) => ExprValue>> = {
  len: ([v]) => lengthOf(v),
  bool: ([v]) => truthy(v ?? null),
  int: ([v]) => toInt(v ?? null),
  str: ([v]) => display(v ?? null),
  any: ([v]) => listOf(v).some(truthy),
  all: ([v]) => listOf(v).every(truthy),
  max: (args) => extreme(args, 1),
  min: (args) => extreme(args, -1),
};
const FILTERS: Readonly<Record<string, (v: ExprValue, args: ExprValue[]) => ExprValue>> = {
  length: (v) => lengthOf(v),
  int: (v) => toInt(v),
  string: (v) => display(v),
  lower: (v) => display(v).toLowerCase(),
  upper: (v) => display(v).toUpperCase(),
  default: (v, [fallback]) => (v === null ? (fallback ?? null) : v),
};
const CONSTANTS: Readonly<Record<string, ExprValue>> = { True: true, False: false, None: null, true: true, false: false, none: null };

/** A condition could not be evaluated (a missing sheet, a field of none, a bad comparison). */
export class ExprError extends Error {}

/** Evaluates a parsed expression; true means skip. Throws ExprError when it cannot decide. */
export function evaluateExpression(expr: ParsedExpression, scope: ExprScope): boolean {
  return truthy(evaluate(expr.root, scope));
}

function evaluate(node: Node, scope: ExprScope): ExprValue {
  const ev = (n: unknown) => evaluate(n as Node, scope);
  switch (node.typename) {
    case 'Literal':
      return toValue(node.value);
    case 'Symbol': {
      const name = String(node.value);
      if (name === 'sheets') return scope.sheets;
      if (name === 'job') return scope.job as ExprRecord;
      if (Object.hasOwn(CONSTANTS, name)) return CONSTANTS[name] as ExprValue;
      throw new ExprError(`'${name}' is not known`);
    }
    case 'Group':
      return ev(node.children?.[0]);
    case 'Array':
      return (node.children ?? []).map(ev);
    case 'LookupVal':
      return lookup(ev(node.target), ev(node.val));
    case 'FunCall': {
      const args = ((node.args as Node | undefined)?.children ?? []).map(ev);
      const name = node.name as Node;
      if (name.typename === 'LookupVal') {
        const target = ev(name.target);
        if (target instanceof SheetsMap && (name.val as Node).value === 'get') return target.byNumber.get(sheetNumber(args[0] ?? null) ?? -1) ?? args[1] ?? null;
        throw new ExprError('only sheets.get(N) can be called');
      }
      const fn = Object.hasOwn(FUNCTIONS, String(name.value)) ? FUNCTIONS[String(name.value)] : undefined;
      if (!fn) throw new ExprError(`'${String(name.value)}' cannot be called`);
      return fn(args);
    }
    case 'Filter': {
      const [first, ...rest] = ((node.args as Node | undefined)?.children ?? []).map(ev);
      const filter = Object.hasOwn(FILTERS, String((node.name as Node).value)) ? FILTERS[String((node.name as Node).value)] : undefined;
      if (!filter) throw new ExprError(`the filter '${String((node.name as Node).value)}' is not available`);
      return filter(first ?? null, rest);
    }
    case 'InlineIf':
      return truthy(ev(node.cond)) ? ev(node.body) : node.else_ ? ev(node.else_) : null;
    case 'And': {
      const left = ev(node.left);
      return truthy(left) ? ev(node.right) : left;
    }
    case 'Or': {
      const left = ev(node.left);
      return truthy(left) ? left : ev(node.right);
    }
    case 'Not':
      return !truthy(ev(node.target));
    case 'In':
      return contains(ev(node.right), ev(node.left));
    case 'Is':
      return test(testName(node), ev(node.left));
    case 'Compare': {
      let left = ev(node.expr);
      for (const op of (node.ops as Node[] | undefined) ?? []) {
        const right = ev(op.expr);
        if (!compare(String(op.type), left, right)) return false;
        left = right;
      }
      return true;
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Mod':
      return arithmetic(node.typename, ev(node.left), ev(node.right));
    case 'Neg':
      return -numberOf(ev(node.target));
    case 'Pos':
      return numberOf(ev(node.target));
    default:
      throw new ExprError(`${node.typename} is not allowed`);
  }
}

function toValue(raw: unknown): ExprValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'boolean' || typeof raw === 'number' || typeof raw === 'string') return raw;
  throw new ExprError('unsupported literal');
}

function sheetNumber(key: ExprValue): number | undefined {
  if (typeof key === 'number' && Number.isInteger(key)) return key;
  if (typeof key === 'string' && /^\d+$/.test(key)) return Number(key);
  return undefined;
}

function lookup(target: ExprValue, key: ExprValue): ExprValue {
  if (target instanceof SheetsMap) {
    const num = sheetNumber(key);
    const sheet = num === undefined ? undefined : target.byNumber.get(num);
    if (!sheet) throw new ExprError(`there is no sheet ${display(key)}`);
    return sheet;
  }
  if (Array.isArray(target)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) throw new ExprError('a list is indexed by a whole number');
    const item = (target as readonly ExprValue[])[key < 0 ? target.length + key : key];
    if (item === undefined) throw new ExprError(`index ${key} is out of range`);
    return item;
  }
  if (target !== null && typeof target === 'object' && typeof key === 'string') {
    // Own fields only: nothing of Object.prototype (constructor, __proto__, …) is reachable.
    if (!Object.hasOwn(target, key)) throw new ExprError(`there is no field '${key}'`);
    return (target as ExprRecord)[key] as ExprValue;
  }
  throw new ExprError(`cannot read ${display(key)} of ${display(target)}`);
}

export function truthy(value: ExprValue): boolean {
  if (value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof SheetsMap) return value.byNumber.size > 0;
  return true;
}

function lengthOf(value: ExprValue | undefined): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value instanceof SheetsMap) return value.byNumber.size;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  throw new ExprError(`${display(value ?? null)} has no length`);
}

function listOf(value: ExprValue | undefined): readonly ExprValue[] {
  if (Array.isArray(value)) return value;
  if (value instanceof SheetsMap) return [...value.byNumber.values()];
  throw new ExprError(`${display(value ?? null)} is not a list`);
}

function numberOf(value: ExprValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new ExprError(`${display(value)} is not a number`);
}

function toInt(value: ExprValue): number {
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return Math.trunc(numberOf(value));
}

function extreme(args: ExprValue[], sign: 1 | -1): ExprValue {
  const items = args.length === 1 ? listOf(args[0]) : args;
  if (items.length === 0) throw new ExprError('max() and min() need at least one value');
  return items.map(numberOf).reduce((a, b) => (sign * (b - a) > 0 ? b : a));
}

function contains(container: ExprValue, item: ExprValue): boolean {
  if (typeof container === 'string') return typeof item === 'string' && container.includes(item);
  if (Array.isArray(container)) return container.some((c) => equal(c, item));
  if (container instanceof SheetsMap) return sheetNumber(item) !== undefined && container.byNumber.has(sheetNumber(item) as number);
  if (container !== null && typeof container === 'object') return typeof item === 'string' && Object.hasOwn(container, item);
  throw new ExprError(`cannot look for a value in ${display(container)}`);
}

function test(name: string, value: ExprValue): boolean {
  switch (name) {
    case 'defined':
      return value !== null;
    case 'undefined':
    case 'none':
      return value === null;
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'true':
      return value === true;
    case 'false':
      return value === false;
    default:
      throw new ExprError(`unknown test 'is ${name}'`);
  }
}

function equal(a: ExprValue, b: ExprValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i] ?? null));
  return a === b;
}

function compare(op: string, a: ExprValue, b: ExprValue): boolean {
  if (op === '==' || op === '===') return equal(a, b);
  if (op === '!=' || op === '!==') return !equal(a, b);
  const bothNumbers = (typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean');
  const bothStrings = typeof a === 'string' && typeof b === 'string';
  if (!bothNumbers && !bothStrings) throw new ExprError(`cannot compare ${display(a)} ${op} ${display(b)}`);
  const [x, y] = bothNumbers ? [numberOf(a), numberOf(b)] : [a as string, b as string];
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    case '>=':
      return x >= y;
    default:
      throw new ExprError(`unknown comparison ${op}`);
  }
}

function arithmetic(op: string, a: ExprValue, b: ExprValue): ExprValue {
  if (op === 'Add' && typeof a === 'string' && typeof b === 'string') return a + b;
  const x = numberOf(a);
  const y = numberOf(b);
  if ((op === 'Div' || op === 'Mod') && y === 0) throw new ExprError('division by zero');
  return op === 'Add' ? x + y : op === 'Sub' ? x - y : op === 'Mul' ? x * y : op === 'Div' ? x / y : x - y * Math.floor(x / y);
}

/** How a value reads in a message. */
function display(value: ExprValue): string {
  if (value === null) return 'none';
  if (value instanceof SheetsMap) return 'sheets';
  if (typeof value === 'object') return Array.isArray(value) ? `[${value.map(display).join(', ')}]` : 'a record';
  return String(value);
}
