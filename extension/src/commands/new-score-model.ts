// "New Score from Example" without the editor: what an example says about itself, the file name
// to propose, the job name to give the copy, and the copy's text. Pure: names and texts in, names
// and texts out (new-score.ts asks the user and writes the files).
import type { Translate } from '../l10n.js';

/** What the Quick Pick shows for an example: its `description:` field, else its first comment. */
export function exampleSummary(fileName: string, text: string): string {
  const field = /^description:[ \t]*(.+)$/m.exec(text)?.[1];
  if (field) return unquote(field.trim());
  const comment = /^#[ \t]*(\S.*)$/m.exec(text)?.[1]?.trim() ?? '';
  // "# hello-world.yaml — the smallest complete job": the file's own name adds nothing.
  const withoutName = comment.startsWith(fileName) ? comment.slice(fileName.length).replace(/^[\s:—–-]+/, '') : comment;
  return withoutName.charAt(0).toUpperCase() + withoutName.slice(1);
}

function unquote(value: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(value);
  return quoted ? (quoted[2] ?? '') : value;
}

/** A job name from a file name: `My Review.score.yaml` → `my-review`. Job names are job ids and folder names. */
export function jobNameFromFile(fileName: string): string {
  const base = fileName
    .replace(/^.*[\\/]/, '')
    .replace(/\.ya?ml$/i, '')
    .replace(/\.score$/i, '');
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return name || 'my-score';
}

/** `base`, or `base-2`, `base-3`, … : the first that `taken` does not hold. */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken(candidate)) return candidate;
  }
}

/** `hello-world.yaml`, or `hello-world-2.yaml`, … : the first file name `exists` says is free. */
export function uniqueFileName(fileName: string, exists: (fileName: string) => boolean): string {
  const match = /^(.*?)((?:\.score)?\.ya?ml)$/i.exec(fileName);
  const stem = match?.[1] ?? fileName;
  const extension = match?.[2] ?? '';
  if (!exists(fileName)) return fileName;
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}${extension}`;
    if (!exists(candidate)) return candidate;
  }
}

/**
 * Why a name typed into the input box cannot be used, or undefined when it can: a YAML file name,
 * relative to the folder and inside it, that does not exist yet.
 */
export function fileNameProblem(value: string, exists: (fileName: string) => boolean, t: Translate): string | undefined {
  const name = value.trim();
  if (!name) return t('Give the score a file name, e.g. my-score.yaml.');
  if (!/\.ya?ml$/i.test(name)) return t('A score is a YAML file: end the name with .yaml ({0}.yaml).', name);
  if (/^[\\/]|^[a-z]:/i.test(name) || name.split(/[\\/]/).some((part) => part === '..' || part === '' || part === '.')) return t('The name is relative to the folder and stays inside it (no leading /, no . or ..).');
  if (exists(name)) return t('{0} exists already and is never overwritten: use {1} or another name.', name, uniqueFileName(name, exists));
  return undefined;
}

/** The top-level `name:` of a score's text, when it has one on a line of its own. */
export function topLevelName(text: string): string | undefined {
  const value = /^name:[ \t]*(.+?)[ \t]*(?:#.*)?$/m.exec(text)?.[1];
  return value ? unquote(value) : undefined;
}

/**
 * The example's text for its new file: the job named `name` (a `name:` line added at the top of
 * the YAML when the example has none), and a `./workspace-…` workspace renamed after the job, so
 * two copies of one example never share a workspace.
 */
export function exampleCopy(text: string, name: string): string {
  let out = /^name:.*$/m.test(text) ? text.replace(/^name:.*$/m, `name: ${name}`) : insertFirst(text, `name: ${name}`);
  out = out.replace(/^workspace:[ \t]*(['"]?)\.\/workspace-[^\s'"#]*\1([ \t]*(?:#.*)?)$/m, `workspace: ./workspace-${name}$2`);
  return out;
}

/** Inserts a line before the first line that is not a comment or blank. */
function insertFirst(text: string, line: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  lines.splice(at < 0 ? lines.length : at, 0, line);
  return lines.join('\n');
}

/** The `prompt.template_file` the example reads (relative to it), when it has one. */
export function templateFileOf(text: string): string | undefined {
  const value = /^[ \t]+template_file:[ \t]*(.+?)[ \t]*(?:#.*)?$/m.exec(text)?.[1];
  return value ? unquote(value) : undefined;
}

/** The copy's text with its `template_file:` pointing at `path` instead. */
export function withTemplateFile(text: string, path: string): string {
  return text.replace(/^([ \t]+template_file:[ \t]*).+?([ \t]*(?:#.*)?)$/m, `$1${path}$2`);
}
