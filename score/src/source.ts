// The score's YAML text kept together with its syntax tree, so every value can be traced back to
// the exact characters it came from (for diagnostics, quick fixes, hover and go-to-definition).
import { Composer, isAlias, isMap, isScalar, isSeq, LineCounter, Parser, parseDocument, Scalar, visit, YAMLParseError } from 'yaml';
import type { CST, Document, Node, Pair } from 'yaml';
import type { Position, Range } from './findings.js';
import { scalarOffsets, valueIndex } from './scalar-offsets.js';

/**
 * The deepest nesting of lists and mappings a score may have (Y003). Real scores stay under 10
 * levels; the cap keeps every recursive step (YAML composition, schema, checks) far from the stack limit.
 */
export const MAX_NESTING_DEPTH = 200;

/** A path into the score: map keys as strings, sequence indexes as numbers. */
export type NodePath = ReadonlyArray<string | number>;

/** A YAML syntax problem with its place in the text. */
export interface YamlProblem {
  code: string;
  message: string;
  range: Range;
}

/** Parsed score text: the document tree, plain data, and position lookups. */
export class ScoreSource {
  readonly doc: Document.Parsed;
  readonly problems: YamlProblem[];
  /** The document as plain data (map keys are strings), or undefined when it is empty. */
  readonly data: unknown;
  private readonly lineStarts: number[];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const lineCounter = new LineCounter();
    const options = {
      keepSourceTokens: true,
      // Duplicate keys are found below in linear time; the parser's own check is quadratic.
      uniqueKeys: false,
      strict: true,
      // Scores were written for PyYAML, which honours `<<: *anchor` merge keys.
      merge: true,
    } as const;
    // Tokenising is iterative; composing the tree is recursive, so depth is checked in between.
    const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
    this.lineStarts = lineCounter.lineStarts;
    const tooDeep = nestingBeyond(tokens, MAX_NESTING_DEPTH);
    if (tooDeep !== undefined) {
      this.doc = parseDocument('', options);
      this.problems = [
        {
          code: 'TOO_DEEP',
          message: `Lists and mappings are nested more than ${MAX_NESTING_DEPTH} levels deep here, the most Mozart reads. Flatten the structure`,
          range: this.rangeOf(tooDeep, tooDeep + 1),
        },
      ];
      this.data = undefined;
      return;
    }
    this.doc = composeOne(tokens, options, text.length);
    const errors: { code: string; pos: [number, number]; message: string; exact?: boolean }[] = this.doc.errors.map((e) => ({ code: e.code, pos: e.pos, message: e.message }));
    for (const pos of duplicateKeys(this.doc)) errors.push({ code: 'DUPLICATE_KEY', pos, message: 'Map keys must be unique', exact: true });
    errors.sort((a, b) => a.pos[0] - b.pos[0]);
    this.problems = errors.map((e) => {
      const [start, end] = e.exact ? e.pos : problemSpan(this.doc, e.code, e.pos, e.message);
      return { code: e.code, message: describeYamlError(e.message), range: this.rangeOf(start, Math.max(end, start)) };
    });
    this.data = undefined;
    if (this.problems.length === 0) {
      try {
        this.data = this.doc.toJS({ maxAliasCount: 1000 });
      } catch (error) {
        this.problems.push({ code: 'BAD_ALIAS', message: (error as Error).message, range: this.rangeOf(0, 0) });
      }
    }
  }

  /** Converts a character offset into a zero-based position. */
  positionAt(offset: number): Position {
    const starts = this.lineStarts;
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - (starts[lo] ?? 0) };
  }

  /** Converts a zero-based position into a character offset. */
  offsetAt(position: Position): number {
    const start = this.lineStarts[Math.min(position.line, this.lineStarts.length - 1)] ?? 0;
    return Math.min(start + position.character, this.text.length);
  }

  /** The range between two character offsets. */
  rangeOf(startOffset: number, endOffset: number): Range {
    return { start: this.positionAt(startOffset), end: this.positionAt(endOffset) };
  }

  /** The number of lines in the text. */
  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The text of one line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line] ?? this.text.length;
    const next = this.lineStarts[line + 1] ?? this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$/, '');
  }

  /** The key/value pair at a path inside maps, if the path ends at a map entry. */
  pairAt(path: NodePath): Pair<Node, Node | null> | undefined {
    if (path.length === 0) return undefined;
    const parent = resolveAlias(this.nodeAt(path.slice(0, -1)), this.doc);
    const last = path[path.length - 1];
    if (!isMap(parent) || typeof last !== 'string') return undefined;
    return findPair(parent.items as Pair<Node, Node | null>[], last, this.doc);
  }

  /** The node at a path, if it exists. */
  nodeAt(path: NodePath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      // Step through an alias to the node it names; the last node is returned as written.
      node = resolveAlias(node, this.doc);
      if (isMap(node) && typeof segment === 'string') {
        node = findPair(node.items as Pair<Node, Node | null>[], segment, this.doc)?.value ?? undefined;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        return undefined;
      }
      if (node === null || node === undefined) return undefined;
    }
    return (node as Node | null) ?? undefined;
  }

  /** Range of the key at a path (falls back to the nearest existing ancestor). */
  keyRange(path: NodePath): Range {
    const pair = this.pairAt(path);
    const key = pair?.key as Node | undefined;
    const span = this.nodeSpan(key);
    if (span) return span;
    return this.valueRange(path);
  }

  /**
   * Range of the value at a path; for a missing or empty value, its key; else the nearest
   * ancestor's key. The whole document's range is the first line of its content.
   */
  valueRange(path: NodePath): Range {
    if (path.length === 0) return this.firstContentLine();
    const span = this.nodeSpan(this.nodeAt(path));
    if (span) return span;
    const pair = this.pairAt(path);
    const keySpan = this.nodeSpan(pair?.key as Node | undefined);
    if (keySpan) return keySpan;
    return this.keyRange(path.slice(0, -1));
  }

  /** The first line of the document's content (after leading comments), for findings about the whole score. */
  firstContentLine(): Range {
    const contents = this.doc.contents as Node | null;
    const start = contents?.range ? contents.range[0] : 0;
    const line = this.positionAt(start).line;
    const end = this.offsetAt({ line, character: this.lineText(line).length });
    return this.rangeOf(start, Math.max(start, end));
  }

  /** A node's range without trailing whitespace and line breaks; undefined when it covers no text. */
  private nodeSpan(node: Node | undefined): Range | undefined {
    if (!node?.range) return undefined;
    const [start, end] = node.range;
    const trimmed = start + this.text.slice(start, end).trimEnd().length;
    if (trimmed <= start) return undefined;
    return this.rangeOf(start, trimmed);
  }

  /** Maps a position inside a scalar's parsed value to a position in the file text. */
  positionInScalar(path: NodePath, valueLine: number, valueCharacter: number): Position | undefined {
    const node = this.nodeAt(path);
    if (!isScalar(node) || !node.range) return undefined;
    const start = node.range[0];
    const raw = this.text.slice(start, node.range[1]);
    // Exact: replay how YAML turned the source characters into the value (indentation, folding,
    // quoting and escapes), keeping each value character's source offset.
    const map = typeof node.value === 'string' ? scalarOffsets(raw, String(node.type), node.value) : undefined;
    if (map) {
      const index = valueIndex(node.value as string, valueLine, valueCharacter);
      const offset = map[index];
      if (offset !== undefined) return this.positionAt(start + offset);
      const last = map[map.length - 1];
      if (index >= map.length && last !== undefined) return this.positionAt(start + last + 1);
    }
    if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) {
      const lines = raw.split('\n');
      const content = lines.slice(1);
      const firstContent = content.find((l) => l.trim() !== '') ?? '';
      const indent = firstContent.length - firstContent.trimStart().length;
      const headerLine = this.positionAt(start).line;
      const line = headerLine + 1 + Math.min(valueLine, Math.max(0, content.length - 1));
      return { line, character: indent + valueCharacter };
    }
    const quote = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
    const base = this.positionAt(start);
    if (valueLine === 0) return { line: base.line, character: base.character + quote + valueCharacter };
    // A multi-line flow scalar is folded by YAML; its lines follow the source lines closely enough.
    return { line: base.line + valueLine, character: valueCharacter };
  }
}

/**
 * Where to report a YAML error. The parser gives one character (or the end of the file) for some
 * errors; widen a duplicate or misaligned key to the whole key, and point a missing closing quote
 * at the quote that opened the string.
 */
function problemSpan(doc: Document.Parsed, code: string, pos: [number, number], message: string): [number, number] {
  if (code !== 'DUPLICATE_KEY' && code !== 'BAD_INDENT' && !(code === 'MISSING_CHAR' && /quote/.test(message))) return pos;
  let span: [number, number] = pos;
  visit(doc, {
    Scalar(_key, node) {
      const range = node.range;
      if (!range) return undefined;
      if (code === 'DUPLICATE_KEY' && range[0] === pos[0]) span = [range[0], range[1]];
      // A misaligned item: the parser marks its indentation; the item's key is what to move.
      else if (code === 'BAD_INDENT' && range[0] === pos[1]) span = [range[0], range[1]];
      else if (code === 'MISSING_CHAR' && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) && range[0] < pos[0] && range[1] >= pos[0]) {
        span = [range[0], range[0] + 1];
      }
      return undefined;
    },
  });
  return span;
}

/** Composes the first document of the tokens, as parseDocument does. */
function composeOne(tokens: CST.Token[], options: ConstructorParameters<typeof Composer>[0], length: number): Document.Parsed {
  let doc: Document.Parsed | undefined;
  for (const next of new Composer(options).compose(tokens, true, length)) {
    if (!doc) {
      doc = next;
    } else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; a score is one YAML document'));
      break;
    }
  }
  return doc ?? parseDocument('', options);
}

/** Offset of the first collection nested deeper than `max`, or undefined. Iterative. */
function nestingBeyond(tokens: CST.Token[], max: number): number | undefined {
  const stack: [CST.Token, number][] = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop() as [CST.Token, number];
    if (token.type === 'document') {
      if (token.value) stack.push([token.value, depth]);
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > max) return token.offset;
      for (const item of token.items as CST.CollectionItem[]) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/** The spans of keys that repeat an earlier key of the same mapping, in one pass over the tree. */
function duplicateKeys(doc: Document.Parsed): [number, number][] {
  const found: [number, number][] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items as Pair<Node, Node | null>[]) {
        const key = pair.key;
        if (isScalar(key)) {
          if (seen.has(key.value) && key.range) found.push([key.range[0], key.range[1]]);
          seen.add(key.value);
        }
        stack.push(key, pair.value);
      }
    } else if (isSeq(node)) {
      stack.push(...node.items);
    }
  }
  return found;
}

/** Per mapping: each key's pair (the last one, as in the parsed data), built once per mapping. */
const pairIndex = new WeakMap<object, Map<string, Pair<Node, Node | null>>>();

function findPair(items: Pair<Node, Node | null>[], key: string, doc: Document.Parsed, depth = 0): Pair<Node, Node | null> | undefined {
  // Last one wins, as in the parsed data (duplicate keys are reported separately).
  let index = pairIndex.get(items);
  if (!index) {
    index = new Map();
    for (const pair of items) {
      const name = keyString(pair.key);
      if (name !== undefined) index.set(name, pair);
    }
    pairIndex.set(items, index);
  }
  const own = index.get(key);
  if (own) return own;
  // Not written here: it may come from a merge key (`<<: *base` or `<<: [*a, *b]`, first wins).
  if (depth > 8) return undefined;
  for (const pair of items) {
    if (!isMergeKey(pair.key)) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const target = resolveAlias(source, doc);
      if (!isMap(target)) continue;
      const found = findPair(target.items as Pair<Node, Node | null>[], key, doc, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** True for the `<<` key of a merge (the parser gives it a symbol value). */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  return key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<');
}

/** The node an alias points at (or the node itself). */
function resolveAlias(node: unknown, doc: Document.Parsed): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The string form of a map key node, as it appears in the plain data. */
export function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return undefined;
  return String(key);
}

function describeYamlError(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}
