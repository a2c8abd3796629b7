// The one way Mozart reads a score (or a file a score names) from disk. It refuses anything that
// is not a regular file before opening it — a FIFO or a device would block the reader (and a
// conductor's event loop) for ever — caps the size, and finds the first byte that is not UTF-8
// instead of letting the decoder replace it silently.
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';

/** The largest score file Mozart reads: 4 MiB. Real scores are a few kilobytes. */
export const MAX_SCORE_FILE_BYTES = 4 * 1024 * 1024;

/** Where a file stops being UTF-8: the byte, and its offset in the decoded text (UTF-16 units). */
export interface InvalidUtf8 {
  byte: number;
  byteOffset: number;
  textOffset: number;
}

export type ScoreFileRead =
  | { ok: true; text: string; invalidUtf8?: InvalidUtf8 }
  | { ok: false; reason: 'missing' | 'not-a-file' | 'too-large' | 'unreadable'; message: string };

/**
 * Reads a file as UTF-8 text, safely. Looks at what the path is first and refuses anything but a
 * regular file (or a link to one) without opening it: opening a FIFO for reading wakes a writer
 * waiting on it, and opening a device can have effects of its own. Then opens without blocking
 * (O_NONBLOCK, so even a FIFO swapped in between cannot hang the open), looks again at what was
 * opened, and reads only a regular file of at most `maxBytes`. Never throws.
 */
export function readScoreFile(path: string, maxBytes = MAX_SCORE_FILE_BYTES): ScoreFileRead {
  const before = judge(path, () => statSync(path), maxBytes);
  if ('ok' in before) return before;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    return failure(path, error);
  }
  try {
    // The path may have been swapped between the stat and the open: judge what was opened.
    const stat = judge(path, () => fstatSync(fd), maxBytes);
    if ('ok' in stat) return stat;
    // Read at most one byte past the cap, so a file that grows after fstat is still refused.
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) return tooLarge(path, maxBytes);
    const bytes = buffer.subarray(0, length);
    const text = bytes.toString('utf8');
    const bad = firstInvalidUtf8(bytes);
    if (bad < 0) return { ok: true, text };
    return { ok: true, text, invalidUtf8: { byte: bytes[bad] as number, byteOffset: bad, textOffset: bytes.subarray(0, bad).toString('utf8').length } };
  } catch (error) {
    return failure(path, error);
  } finally {
    closeSync(fd);
  }
}

type Refusal = Extract<ScoreFileRead, { ok: false }>;

/** The stat of a regular file of at most `maxBytes`, or why the file is not read. */
function judge(path: string, stat: () => Stats, maxBytes: number): Stats | Refusal {
  let info: Stats;
  try {
    info = stat();
  } catch (error) {
    return failure(path, error);
  }
  if (!info.isFile()) return { ok: false, reason: 'not-a-file', message: `${path} is ${fileKind(info)}, not a regular file; Mozart reads a score, and the files it names, only from regular files` };
  if (info.size > maxBytes) return tooLarge(path, maxBytes);
  return info;
}

function failure(path: string, error: unknown): Refusal {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', message: `${path}: no such file` };
  return { ok: false, reason: 'unreadable', message: `${path}: ${(error as Error).message}` };
}

function tooLarge(path: string, maxBytes: number): Refusal {
  return { ok: false, reason: 'too-large', message: `${path} is larger than ${mib(maxBytes)}, the most Mozart reads from a score or a file it names (docs/checks.md#limits)` };
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** What a file that is not a regular file is, as a message names it. */
function fileKind(stat: Pick<Stats, 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'>): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'something other than a file';
}

/** Where the first byte that is not UTF-8 sits in the decoded text: zero-based line and character. */
export function invalidUtf8Position(text: string, bad: InvalidUtf8): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < bad.textOffset; at = text.indexOf('\n', at + 1)) {
    line++;
    lineStart = at + 1;
  }
  return { line, character: bad.textOffset - lineStart };
}

/** What Y002 says about the byte, wherever the file is (a score, or a file it names). */
export function invalidUtf8Message(bad: InvalidUtf8): string {
  const hex = bad.byte.toString(16).toUpperCase().padStart(2, '0');
  return `The file is not valid UTF-8: byte 0x${hex} (byte ${bad.byteOffset} of the file) does not belong to a UTF-8 character.`;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  const cont = (at: number, lo = 0x80, hi = 0xbf): boolean => at < n && (bytes[at] as number) >= lo && (bytes[at] as number) <= hi;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (!cont(i + 1)) return i;
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      const ok = b === 0xe0 ? cont(i + 1, 0xa0) : b === 0xed ? cont(i + 1, 0x80, 0x9f) : cont(i + 1);
      if (!ok || !cont(i + 2)) return i;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const ok = b === 0xf0 ? cont(i + 1, 0x90) : b === 0xf4 ? cont(i + 1, 0x80, 0x8f) : cont(i + 1);
      if (!ok || !cont(i + 2) || !cont(i + 3)) return i;
      i += 4;
    } else {
      return i;
    }
  }
  return -1;
}
