// The checks look at files (does the workspace's parent exist, what does the template file say)
// through this small view, so the language server can answer from open editor buffers instead.
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readScoreFile } from './score-file.js';

/** What the checks may ask of the file system. Implementations must never throw. */
export interface FileView {
  kind(path: string): 'file' | 'directory' | 'missing';
  readText(path: string): string | undefined;
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
  readText(path) {
    // Regular files up to the score cap only: a FIFO named as a template must not block the check.
    const read = readScoreFile(path);
    return read.ok ? read.text : undefined;
  },
};

/** Resolves a path written in a score against the score file's folder. */
export function resolveFromScore(scoreFile: string, path: string): string {
  const expanded = path.startsWith('~/') && process.env.HOME ? resolve(process.env.HOME, path.slice(2)) : path;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(dirname(scoreFile), expanded);
}
