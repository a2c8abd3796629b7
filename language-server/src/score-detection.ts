// Which YAML documents are scores. Content decides (a score's top level has `sheet` next to other
// score sections); a configurable glob can claim files whatever they hold. CI workflows, compose
// files and Kubernetes manifests have none of these keys together, so they stay untouched.
import { minimatch } from 'minimatch';

const COMPANIONS = new Set(['name', 'prompt', 'backend', 'validations', 'workspace', 'retry', 'rate_limit', 'parallel', 'cross_sheet']);
const FOREIGN = new Set(['apiVersion', 'kind', 'services', 'jobs', 'on', 'steps', 'stages', 'pipeline']);
const TOP_LEVEL_KEY = /^([A-Za-z_][\w-]*)\s*:(.*)$/;
/** What may follow `sheet:` on its line in a score: nothing yet, a comment, a flow mapping, an anchor or alias. */
const SHEET_VALUE = /^\s*(?:$|#|\{|&|\*|!)/;

/** True when a document's top-level keys make it a score. */
export function looksLikeScore(text: string): boolean {
  let sheet = false;
  let companion = false;
  let foreign = false;
  let seen = 0;
  for (const line of text.split('\n')) {
    const m = TOP_LEVEL_KEY.exec(line);
    if (!m?.[1]) continue;
    seen++;
    if (m[1] === 'sheet') sheet = SHEET_VALUE.test(m[2] ?? '');
    else if (COMPANIONS.has(m[1])) companion = true;
    else if (FOREIGN.has(m[1])) foreign = true;
    if (seen > 200) break;
  }
  return sheet && companion && !foreign;
}

/** True when the path matches one of the globs the user set for scores. */
export function matchesScoreGlob(path: string, globs: readonly string[]): boolean {
  const normalised = path.replace(/\\/g, '/');
  return globs.some((glob) => minimatch(normalised, glob, { dot: true, nocase: process.platform === 'win32' }));
}

/** True for a YAML document Mozart should check. */
export function isScoreDocument(path: string, languageId: string, text: string, globs: readonly string[]): boolean {
  const yaml = languageId === 'yaml' || /\.ya?ml$/i.test(path);
  if (!yaml) return false;
  return matchesScoreGlob(path, globs) || looksLikeScore(text);
}
