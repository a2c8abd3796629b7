// Go to definition: from a path field (template_file, system_prompt_file, …) to the file, and from
// a template variable to its declaration under prompt.variables (read from the syntax tree).
import type { Location, Position } from 'vscode-languageserver';
import { isMap } from 'yaml';
import type { FileView } from '../../score/src/files.js';
import { resolveFromScore } from '../../score/src/files.js';
import { schemaAt } from '../../score/src/schema-index.js';
import type { ScoreSource } from '../../score/src/source.js';
import { keyString } from '../../score/src/source.js';
import type { DeclaredVariables } from './completion.js';
import { fileUri } from './convert.js';
import { wordAt } from './hover.js';
import { cursorContext } from './yaml-context.js';

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Where the thing at a position is defined, if it is a file reference or a declared variable. */
export function definitionInScore(source: ScoreSource, position: Position, files: FileView): Location | null {
  const lines = source.text.split('\n');
  const context = cursorContext(lines, position.line, position.character);
  if (context.kind === 'key') return null;
  const field = schemaAt(context.path);
  if (field?.['x-path'] && field['x-template'] !== 'format') {
    const value = source.nodeAt(context.path);
    const written = value && 'value' in value && typeof value.value === 'string' ? value.value : undefined;
    if (written) {
      const target = resolveFromScore(source.file, written);
      if (files.kind(target) === 'file') return { uri: fileUri(target), range: FILE_START };
    }
  }
  if (field?.['x-template'] === 'jinja') {
    const word = wordAt(lines[position.line] ?? '', position.character);
    if (word) return variableDeclaration(source, word.word);
  }
  return null;
}

/** The key of a variable under prompt.variables, if the score declares it. */
export function variableDeclaration(source: ScoreSource, name: string): Location | null {
  if (!source.pairAt(['prompt', 'variables', name])) return null;
  return { uri: fileUri(source.file), range: source.keyRange(['prompt', 'variables', name]) };
}

/**
 * Variables under `prompt.variables` of a score the schema did not accept or that does not parse:
 * from the same syntax tree (the YAML parser keeps what it could read of a broken document).
 */
export function declaredInTree(source: ScoreSource): DeclaredVariables {
  const names = new Map<string, unknown>();
  const variables = source.nodeAt(['prompt', 'variables']);
  if (!isMap(variables)) return names;
  for (const pair of variables.items) {
    const name = keyString(pair.key);
    const value = pair.value as { toJSON?: () => unknown } | null;
    if (!name) continue;
    // A broken value (a `<<` merge of something that is not a map) reads as empty, not as a failure.
    let read: unknown = '';
    try {
      read = typeof value?.toJSON === 'function' ? value.toJSON() : '';
    } catch {
      /* keep '' */
    }
    names.set(name, read);
  }
  return names;
}
