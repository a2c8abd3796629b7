// Reading a job's workspace for the MCP artifact tools, confined to that workspace: a path that
// leaves it (`../`, an absolute path) or a symbolic link that points out of it is refused, and a
// file is read through the descriptor that was checked, so a link swapped in afterwards changes
// nothing.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TextDecoder } from 'node:util';

/** A request the workspace rules refuse: `code` is what the tool error says. */
export class WorkspaceFileError extends Error {
  constructor(
    readonly code: 'access_denied' | 'not_found' | 'too_large' | 'not_a_file' | 'not_a_directory' | 'unknown_encoding' | 'invalid_params',
    message: string,
  ) {
    super(message);
    this.name = 'WorkspaceFileError';
  }
}

/** True when `path` is `root` or lies under it (both already resolved). */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The workspace's real path; a workspace that does not exist yet is reported plainly. */
function realRoot(workspace: string): string {
  try {
    return realpathSync(workspace);
  } catch {
    throw new WorkspaceFileError('not_found', `The workspace ${workspace} does not exist (yet): the job has not written anything.`);
  }
}

/**
 * Resolves `path` (relative to the workspace) to a real path inside it, or throws: absolute paths,
 * `..` steps that leave the workspace, and links to outside it are refused.
 */
export function confine(workspace: string, path: string): { root: string; real: string } {
  const root = realRoot(workspace);
  if (isAbsolute(path)) throw new WorkspaceFileError('access_denied', `'${path}' is an absolute path; give a path relative to the workspace ${workspace}.`);
  const wanted = resolve(root, path);
  if (!inside(root, wanted)) throw new WorkspaceFileError('access_denied', `'${path}' leads out of the workspace ${workspace}; only files inside it can be read.`);
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    throw new WorkspaceFileError('not_found', `'${path}' does not exist in the workspace ${workspace}.`);
  }
  if (!inside(root, real)) throw new WorkspaceFileError('access_denied', `'${path}' is a symbolic link to ${real}, outside the workspace ${workspace}; it is not followed.`);
  return { root, real };
}

/** On Linux the kernel names what a descriptor opened; anything else trusts the checks before. */
function openedPath(fd: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

export interface FileRead {
  /** The path relative to the workspace. */
  path: string;
  size: number;
  modified: string;
  /** The text, decoded from `encoding`; undefined for a binary file, or one that is not valid in it (`hexHead` then has its first bytes). */
  text?: string;
  hexHead?: string;
  /** The encoding the text was read with (the WHATWG name; `utf-8` unless asked otherwise). */
  encoding: string;
}

/** Python's codec spellings (the original's `encoding` argument) that are not WHATWG labels. */
const ENCODING_ALIASES: Record<string, string> = { 'latin-1': 'latin1', latin_1: 'latin1', utf_8: 'utf-8', 'utf-8-sig': 'utf-8', utf_16: 'utf-16le', 'utf-16': 'utf-16le', utf_16_le: 'utf-16le', utf_16_be: 'utf-16be', cp1252: 'windows-1252' };

/** A decoder for `encoding` (any WHATWG label, or Python's names above), or a tool error naming it. */
export function decoderFor(encoding: string): TextDecoder {
  const label = encoding.trim().toLowerCase();
  try {
    return new TextDecoder(ENCODING_ALIASES[label] ?? label, { fatal: true });
  } catch {
    throw new WorkspaceFileError('unknown_encoding', `'${encoding}' is not a text encoding this server knows (utf-8, latin-1, utf-16le, windows-1252, shift_jis, … : the WHATWG encoding labels).`);
  }
}

/** Reads one file of the workspace, at most `maxBytes` long, as text in `encoding` (UTF-8). */
export function readWorkspaceFile(workspace: string, path: string, maxBytes: number, encoding = 'utf-8'): FileRead {
  const decoder = decoderFor(encoding);
  const { root, real } = confine(workspace, path);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO in the workspace must not hang the server (it is refused below).
    fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw new WorkspaceFileError('not_found', `'${path}' cannot be opened: ${(error as Error).message}`);
  }
  try {
    const opened = openedPath(fd);
    if (opened !== undefined && !inside(root, opened)) throw new WorkspaceFileError('access_denied', `'${path}' changed into a link to outside the workspace while it was opened; it was not read.`);
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new WorkspaceFileError('not_a_file', `'${path}' is a folder; list it with mozart_artifact_list.`);
    if (!stat.isFile()) throw new WorkspaceFileError('not_a_file', `'${path}' is not a regular file.`);
    if (stat.size > maxBytes) throw new WorkspaceFileError('too_large', `'${path}' is ${stat.size} bytes, over max_size ${maxBytes}; raise max_size (up to its maximum) or read the sheet log with mozart_artifact_get_logs.`);
    const buffer = Buffer.alloc(stat.size);
    const read = stat.size > 0 ? readSync(fd, buffer, 0, stat.size, 0) : 0;
    const bytes = buffer.subarray(0, read);
    const base = { path: relative(root, real) || '.', size: stat.size, modified: stat.mtime.toISOString(), encoding: decoder.encoding };
    const text = decoded(decoder, bytes);
    return text !== undefined ? { ...base, text } : { ...base, hexHead: bytes.subarray(0, 1024).toString('hex') };
  } finally {
    closeSync(fd);
  }
}

/** The text when the bytes decode in the encoding and hold no NUL character; else undefined (binary). */
function decoded(decoder: TextDecoder, bytes: Buffer): string | undefined {
  try {
    const text = decoder.decode(bytes);
    return text.includes('\0') ? undefined : text;
  } catch {
    return undefined;
  }
}

export interface Entry {
  /** Relative to the workspace, with `/` separators. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size?: number;
  modified?: string;
}

function entryOf(root: string, dir: string, dirent: Dirent, stat: Stats | undefined): Entry {
  const path = relative(root, join(dir, dirent.name)).split(sep).join('/');
  const type = dirent.isSymbolicLink() ? 'symlink' : dirent.isDirectory() ? 'directory' : dirent.isFile() ? 'file' : 'other';
  return { path, type, ...(stat && type === 'file' ? { size: stat.size, modified: stat.mtime.toISOString() } : {}) };
}

/**
 * Lists a folder of the workspace (`recursive`: everything below it, links not followed), hidden
 * names only when asked; stops after `limit` entries and says so.
 */
export function listWorkspace(workspace: string, path: string, options: { includeHidden: boolean; recursive: boolean; limit: number }): { entries: Entry[]; truncated: boolean } {
  const { root, real } = confine(workspace, path);
  const entries: Entry[] = [];
  const pending = [real];
  let first = true;
  while (pending.length > 0) {
    const dir = pending.shift() as string;
    let dirents: Dirent[];
    try {
      dirents = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (first) throw new WorkspaceFileError('not_a_directory', `'${path}' is not a folder of the workspace (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
      continue;
    }
    first = false;
    dirents.sort((a, b) => a.name.localeCompare(b.name));
    for (const dirent of dirents) {
      if (!options.includeHidden && dirent.name.startsWith('.')) continue;
      if (entries.length >= options.limit) return { entries, truncated: true };
      let stat: Stats | undefined;
      if (dirent.isFile()) {
        try {
          stat = lstatSync(join(dir, dirent.name));
        } catch {
          stat = undefined;
        }
      }
      entries.push(entryOf(root, dir, dirent, stat));
      if (options.recursive && dirent.isDirectory()) pending.push(join(dir, dirent.name));
    }
  }
  return { entries, truncated: false };
}
