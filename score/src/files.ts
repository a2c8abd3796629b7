// The checks look at files (does the workspace's parent exist, what does the template file say)
// through this small view, so the language server can answer from open editor buffers instead.
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readScoreFile } from './score-file.js';
import type { ScoreFileRead } from './score-file.js';

/** What the checks may ask of the file system. Implementations must never throw. */
export interface FileView {
  kind(path: string): 'file' | 'directory' | 'missing';
  /**
   * A file's text as the safe reader gives it (score-file.ts): refused when it is not a regular
   * file or too large, and with `invalidUtf8` when its bytes are not all UTF-8, so a check can say
   * so instead of reading replacement characters.
   */
  read(path: string): ScoreFileRead;
}

/** The real file system. */
export const diskFiles: FileView = {
  kind(path) {
    try {
      return statSync(path).isDirectory() ? 'directory' : 'file';
    } catch {
      return 'missing';
    }
  },
  read(path) {
    // Regular files up to the score cap only: a FIFO named as a template must not block the check.
    return readScoreFile(path);
  },
};

/** Resolves a path written in a score against the score file's folder. */
export function resolveFromScore(scoreFile: string, path: string): string {
  const expanded = path.startsWith('~/') && process.env.HOME ? resolve(process.env.HOME, path.slice(2)) : path;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(dirname(scoreFile), expanded);
}
