// Where the cursor is in a score, worked out from indentation alone. Completion and hover run on
// half-typed documents that often do not parse, so this reads the lines above the cursor the way
// a person would: each less-indented `key:` line above is a parent, each `- ` is a list item.

/** A path into the score: keys as strings, list items as numbers (always 0: the schema is the same). */
export type CursorPath = Array<string | number>;

/** What sits at a position. */
export type CursorContext =
  | { kind: 'key'; parent: CursorPath; prefix: string; start: number; siblings: string[] }
  | { kind: 'value'; path: CursorPath; prefix: string; start: number }
  | { kind: 'inside'; path: CursorPath };

interface LineShape {
  /** Columns of leading spaces. */
  indent: number;
  /** True when the line starts with a `- ` list marker (after the indent). */
  dash: boolean;
  /** Column where the line's content starts, after any list marker. */
  content: number;
  /** The mapping key the line opens, if it has one. */
  key?: string;
  /** Column where the key starts. */
  keyStart: number;
  /** Text after `key:`, trimmed; '' when the value continues on the next lines. */
  rest: string;
}

const LINE = /^( *)(- +)?(?:("[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?)\s*:(?:\s+(.*)|$))?/;

function shapeOf(line: string): LineShape | undefined {
  if (line.trim() === '' || line.trimStart().startsWith('#')) return undefined;
  const m = LINE.exec(line);
  const indent = m?.[1]?.length ?? 0;
  const dash = Boolean(m?.[2]);
  const content = indent + (m?.[2]?.length ?? 0);
  const rawKey = m?.[3];
  const key = rawKey?.replace(/^["']|["']$/g, '');
  return { indent, dash, content, keyStart: content, rest: (m?.[4] ?? '').replace(/\s+#.*$/, '').trim(), ...(key !== undefined ? { key } : {}) };
}

/** True when a `key:` line's value continues below it (a nested map, list or block scalar). */
function opensBlock(shape: LineShape): boolean {
  return shape.key !== undefined && (shape.rest === '' || /^[|>][-+0-9]*$/.test(shape.rest));
}

/**
 * The path of the container that holds content starting at column `column` on line `lineNo`.
 * With `inItem`, `column` is the column of a list marker and the result is the list's own path.
 */
function containerPath(lines: readonly string[], lineNo: number, column: number, inItem = false): CursorPath {
  const path: CursorPath = [];
  let current = column;
  let afterDash = inItem; // the last step was a list item: its parent key may share the dash's column
  for (let l = lineNo - 1; l >= 0 && (current > 0 || afterDash); l--) {
    const shape = shapeOf(lines[l] ?? '');
    if (!shape) continue;
    if (shape.dash && shape.content === current && !afterDash) {
      // Content of this list item (a sibling key of the item's first line).
      path.unshift(0);
      current = shape.indent;
      afterDash = true;
      continue;
    }
    if (afterDash && shape.dash && shape.indent === current) continue; // an earlier item of the same list
    const encloses = shape.content < current || (afterDash && !shape.dash && shape.content === current);
    if (!encloses) continue;
    if (!opensBlock(shape)) {
      if (shape.dash && shape.content < current) {
        path.unshift(0);
        current = shape.indent;
        afterDash = true;
      }
      continue;
    }
    path.unshift(shape.key ?? '');
    if (shape.dash) {
      path.unshift(0);
      current = shape.indent;
      afterDash = true;
    } else {
      current = shape.content;
      afterDash = false;
    }
  }
  return path;
}

/** Keys already written in the mapping that holds content at `column` around line `lineNo`. */
function siblingKeys(lines: readonly string[], lineNo: number, column: number): string[] {
  const keys: string[] = [];
  const scan = (from: number, step: number): void => {
    for (let l = from; l >= 0 && l < lines.length; l += step) {
      const shape = shapeOf(lines[l] ?? '');
      if (!shape) continue;
      if (shape.content < column) break;
      if (shape.content !== column) continue;
      if (shape.dash && step > 0) break; // the next list item starts a new mapping
      if (shape.key !== undefined) keys.push(shape.key);
      if (shape.dash) break; // this list item's first line: the mapping starts here
    }
  };
  scan(lineNo - 1, -1);
  scan(lineNo + 1, 1);
  return keys;
}

/**
 * The key whose block scalar (`key: |` or `key: >`) holds the line, if any. Every less-indented
 * line above is an ancestor; a block-scalar opener among them means the line is text, not YAML.
 */
function enclosingBlockScalar(lines: readonly string[], line: number, character: number): CursorPath | undefined {
  const own = lines[line] ?? '';
  let current = own.trim() === '' ? character : own.length - own.trimStart().length;
  for (let l = line - 1; l >= 0 && current > 0; l--) {
    const text = lines[l] ?? '';
    if (text.trim() === '' || text.trimStart().startsWith('#')) continue;
    const indent = text.length - text.trimStart().length;
    if (indent >= current) continue;
    const shape = shapeOf(text);
    if (shape?.key !== undefined && /^[|>][-+0-9]*$/.test(shape.rest)) return keyOnLine(lines, l)?.path;
    current = indent;
  }
  return undefined;
}

/** Works out what the cursor at (line, character) is on. */
export function cursorContext(lines: readonly string[], line: number, character: number): CursorContext {
  const text = lines[line] ?? '';
  const block = enclosingBlockScalar(lines, line, character);
  if (block) return { kind: 'inside', path: block };
  const before = text.slice(0, character);
  const keyTyping = /^( *)(- +)?([\w.-]*)$/.exec(before);
  if (keyTyping) {
    const indent = keyTyping[1]?.length ?? 0;
    const column = indent + (keyTyping[2]?.length ?? 0);
    const parent = keyTyping[2] ? [...containerPath(lines, line, indent, true), 0] : containerPath(lines, line, column);
    const siblings = keyTyping[2] ? [] : siblingKeys(lines, line, column);
    return { kind: 'key', parent, prefix: keyTyping[3] ?? '', start: column, siblings };
  }
  const valueTyping = /^( *)(- +)?("[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?)\s*:\s+(.*)$/.exec(before);
  if (valueTyping && !/^[|>]/.test(valueTyping[4] ?? '')) {
    const indent = valueTyping[1]?.length ?? 0;
    const parent = valueTyping[2] ? [...containerPath(lines, line, indent, true), 0] : containerPath(lines, line, indent);
    const key = (valueTyping[3] ?? '').replace(/^["']|["']$/g, '');
    const value = valueTyping[4] ?? '';
    return { kind: 'value', path: [...parent, key], prefix: value.replace(/^["']/, ''), start: character - value.replace(/^["']/, '').length };
  }
  const listValue = /^( *)- +(.*)$/.exec(before);
  if (listValue) {
    const parent = containerPath(lines, line, listValue[1]?.length ?? 0, true);
    const value = listValue[2] ?? '';
    return { kind: 'value', path: [...parent, 0], prefix: value, start: character - value.length };
  }
  // Inside a longer value: a block scalar's lines, or a continuation.
  const indent = text.length - text.trimStart().length;
  const column = text.trim() === '' ? character : indent;
  return { kind: 'inside', path: containerPath(lines, line, Math.max(column, 1)) };
}

/** The path of the key written on a line (for hover and definition), with the key's columns. */
export function keyOnLine(lines: readonly string[], line: number): { path: CursorPath; start: number; end: number } | undefined {
  const shape = shapeOf(lines[line] ?? '');
  if (!shape || shape.key === undefined) return undefined;
  const parent = shape.dash ? [...containerPath(lines, line, shape.indent, true), 0] : containerPath(lines, line, shape.content);
  const raw = (lines[line] ?? '').slice(shape.keyStart);
  const length = raw.indexOf(':') >= 0 ? raw.slice(0, raw.indexOf(':')).trimEnd().length : shape.key.length;
  return { path: [...parent, shape.key], start: shape.keyStart, end: shape.keyStart + length };
}
