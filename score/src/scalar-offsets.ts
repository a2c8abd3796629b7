// Where each character of a scalar's parsed value came from in the YAML text: a replay of how
// YAML turns source characters into a value (indentation, folding, quoting, escapes), so a
// position inside a prompt template maps back to the exact line and column of the score file.
import { Scalar } from 'yaml';

/** The index in `value` of a zero-based (line, character) position. */
export function valueIndex(value: string, line: number, character: number): number {
  let index = 0;
  for (let l = 0; l < line; l++) {
    const next = value.indexOf('\n', index);
    if (next < 0) return value.length;
    index = next + 1;
  }
  return index + character;
}

/** One source line of a scalar: its text (without the line break) and its offset in the scalar's source. */
interface SourceLine {
  text: string;
  offset: number;
}

function splitLines(raw: string, base: number): SourceLine[] {
  const lines: SourceLine[] = [];
  let offset = 0;
  for (const text of raw.split('\n')) {
    lines.push({ text: text.replace(/\r$/, ''), offset: base + offset });
    offset += text.length + 1;
  }
  return lines;
}

/**
 * For each character of a scalar's value, the offset (from the scalar's start in the source) of
 * the character it came from; a folded line break maps to the end of its line. Undefined when the
 * replay does not reproduce `value` exactly, so callers can fall back to an estimate.
 */
export function scalarOffsets(raw: string, type: string, value: string): number[] | undefined {
  const candidates = type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED ? blockCandidates(raw, type === Scalar.BLOCK_FOLDED) : [flowOffsets(raw, type)];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const text = candidate.chars.join('');
    if (text === value) return candidate.offsets;
    // Block scalars: chomping only changes trailing line breaks.
    if (text.replace(/\n+$/, '') !== value.replace(/\n+$/, '')) continue;
    const offsets = candidate.offsets.slice(0, value.length);
    const end = offsets[offsets.length - 1] ?? 0;
    while (offsets.length < value.length) offsets.push(end);
    return offsets;
  }
  return undefined;
}

interface Replay {
  chars: string[];
  offsets: number[];
}

function* blockCandidates(raw: string, folded: boolean): Generator<Replay> {
  const lines = splitLines(raw, 0).slice(1);
  // Trailing lines that are blank belong to chomping, not content.
  while (lines.length > 0 && (lines[lines.length - 1]?.text.trim() ?? '') === '') lines.pop();
  const first = lines.find((l) => l.text.trim() !== '');
  if (!first) return;
  const auto = first.text.length - first.text.trimStart().length;
  // An explicit indentation indicator (`|2`) can make the indentation smaller than the first line's.
  for (let indent = auto; indent >= 0; indent--) yield blockReplay(lines, indent, folded);
}

function blockReplay(lines: SourceLine[], indent: number, folded: boolean): Replay {
  const chars: string[] = [];
  const offsets: number[] = [];
  const body = lines.map((l) => ({ text: l.text.slice(Math.min(indent, l.text.length)), offset: l.offset + Math.min(indent, l.text.length) }));
  const isText = (l: SourceLine | undefined): boolean => l !== undefined && l.text.trim() !== '' && !/^[ \t]/.test(l.text);
  let previousText: SourceLine | undefined;
  let pendingBreak: number | undefined;
  let emptyRun: number[] = [];
  body.forEach((line, i) => {
    const empty = line.text === '';
    if (i > 0 && empty) {
      emptyRun.push(line.offset - 1);
      return;
    }
    if (i > 0 && pendingBreak !== undefined) {
      if (folded && isText(previousText) && isText(line)) {
        if (emptyRun.length === 0) {
          chars.push(' ');
          offsets.push(pendingBreak);
        }
      } else {
        chars.push('\n');
        offsets.push(pendingBreak);
      }
      for (const at of emptyRun) {
        chars.push('\n');
        offsets.push(at);
      }
    } else if (i > 0) {
      for (const at of emptyRun) {
        chars.push('\n');
        offsets.push(at);
      }
    }
    emptyRun = [];
    if (i === 0 && empty) {
      chars.push('\n');
      offsets.push(line.offset + line.text.length);
      return;
    }
    for (let c = 0; c < line.text.length; c++) {
      chars.push(line.text.charAt(c));
      offsets.push(line.offset + c);
    }
    previousText = line;
    pendingBreak = line.offset + line.text.length;
  });
  if (pendingBreak !== undefined) {
    chars.push('\n');
    offsets.push(pendingBreak);
  }
  return { chars, offsets };
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

function flowOffsets(raw: string, type: string): Replay | undefined {
  const quoted = type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE;
  const lines = splitLines(quoted ? raw.slice(1, -1) : raw, quoted ? 1 : 0);
  const chars: string[] = [];
  const offsets: number[] = [];
  let emptyRun: number[] = [];
  let joinWithout = false;
  let pendingBreak: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as SourceLine;
    let text = line.text;
    let offset = line.offset;
    if (i > 0) {
      const lead = text.length - text.replace(/^[ \t]+/, '').length;
      text = text.slice(lead);
      offset += lead;
    }
    const last = i === lines.length - 1;
    if (!last) text = text.replace(/[ \t]+$/, '');
    if (i > 0 && !last && text === '') {
      emptyRun.push(line.offset - 1);
      continue;
    }
    if (i > 0 && !joinWithout && pendingBreak !== undefined) {
      if (emptyRun.length === 0) {
        chars.push(' ');
        offsets.push(pendingBreak);
      }
      for (const at of emptyRun) {
        chars.push('\n');
        offsets.push(at);
      }
    }
    emptyRun = [];
    joinWithout = false;
    let c = 0;
    while (c < text.length) {
      const ch = text.charAt(c);
      if (type === Scalar.QUOTE_SINGLE && ch === "'" && text.charAt(c + 1) === "'") {
        chars.push("'");
        offsets.push(offset + c);
        c += 2;
      } else if (type === Scalar.QUOTE_DOUBLE && ch === '\\') {
        const code = text.charAt(c + 1);
        if (code === '') {
          joinWithout = true;
          c += 1;
          continue;
        }
        const hex = HEX_ESCAPES[code];
        if (hex !== undefined) {
          const digits = text.slice(c + 2, c + 2 + hex);
          if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return undefined;
          for (const unit of String.fromCodePoint(parseInt(digits, 16)).split('')) {
            chars.push(unit);
            offsets.push(offset + c);
          }
          c += 2 + hex;
        } else {
          const decoded = ESCAPES[code];
          if (decoded === undefined) return undefined;
          chars.push(decoded);
          offsets.push(offset + c);
          c += 2;
        }
      } else {
        chars.push(ch);
        offsets.push(offset + c);
        c += 1;
      }
    }
    pendingBreak = offset + text.length;
  }
  return { chars, offsets };
}
