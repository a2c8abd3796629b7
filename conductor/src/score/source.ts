// The score's YAML text kept together with its syntax tree, so every value can be traced back to
// the exact characters it came from (for diagnostics, quick fixes, hover and go-to-definition).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { Position, Range } from './findings.js';

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
    this.doc = parseDocument(text, {
      lineCounter,
      keepSourceTokens: true,
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
    });
    this.lineStarts = lineCounter.lineStarts;
    this.problems = this.doc.errors.map((e) => ({
      code: e.code,
      message: describeYamlError(e.message),
      range: this.rangeOf(e.pos[0], Math.max(e.pos[1], e.pos[0])),
    }));
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
    const parent = this.nodeAt(path.slice(0, -1));
    const last = path[path.length - 1];
    if (!isMap(parent) || typeof last !== 'string') return undefined;
    return findPair(parent.items as Pair<Node, Node | null>[], last);
  }

  /** The node at a path, if it exists. */
  nodeAt(path: NodePath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      if (isMap(node) && typeof segment === 'string') {
        node = findPair(node.items as Pair<Node, Node | null>[], segment)?.value ?? undefined;
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
    if (key?.range) return this.rangeOf(key.range[0], key.range[1]);
    return this.valueRange(path);
  }

  /** Range of the value at a path; for a missing value, its key; else the nearest ancestor's key. */
  valueRange(path: NodePath): Range {
    const node = this.nodeAt(path);
    if (node?.range) return this.rangeOf(node.range[0], node.range[1]);
    const pair = this.pairAt(path);
    const key = pair?.key as Node | undefined;
    if (key?.range) return this.rangeOf(key.range[0], key.range[1]);
    if (path.length === 0) return this.rangeOf(0, Math.min(this.text.length, this.lineText(0).length));
    return this.keyRange(path.slice(0, -1));
  }

  /** Maps a position inside a scalar's parsed value to a position in the file text. */
  positionInScalar(path: NodePath, valueLine: number, valueCharacter: number): Position | undefined {
    const node = this.nodeAt(path);
    if (!isScalar(node) || !node.range) return undefined;
    const start = node.range[0];
    const raw = this.text.slice(start, node.range[1]);
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

function findPair(items: Pair<Node, Node | null>[], key: string): Pair<Node, Node | null> | undefined {
  // Last one wins, as in the parsed data (duplicate keys are reported separately).
  for (let i = items.length - 1; i >= 0; i--) {
    const pair = items[i];
    if (pair && keyString(pair.key) === key) return pair;
  }
  return undefined;
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
