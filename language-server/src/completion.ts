// Completion: score keys from the schema (whole sections as snippets where the client takes
// snippets, one plain line where it does not), enum values, template variables inside `{{ }}` /
// `{% %}`, and `{placeholders}` in validation paths and commands. Keys this version ignores
// (`x-inactive`) come after the active ones.
import type { CompletionItem, Position } from 'vscode-languageserver';
import { CompletionItemKind, CompletionItemTag, InsertTextFormat } from 'vscode-languageserver';
import type { ClientFeatures } from './client-features.js';
import { documentation, knownKind } from './client-features.js';
import { FORMAT_PLACEHOLDERS } from '../../score/src/placeholders.js';
import type { SchemaNode } from '../../score/src/schema-index.js';
import { alternatives, childSchema, deref, propertyNames, schemaAt, typesOf } from '../../score/src/schema-index.js';
import { BUILTIN_VARIABLES } from '../../score/src/template.js';
import { describe, enumValues, fieldMarkdown, typeLabel } from './schema-text.js';
import type { CursorPath } from './yaml-context.js';
import { cursorContext } from './yaml-context.js';

/** Variables the score declares (prompt.variables), with their values for display. */
export type DeclaredVariables = ReadonlyMap<string, unknown>;

/** Completion items at a position of a score. */
export function completeScore(lines: readonly string[], position: Position, declared: DeclaredVariables, features: ClientFeatures): CompletionItem[] {
  const context = cursorContext(lines, position.line, position.character);
  const before = (lines[position.line] ?? '').slice(0, position.character);
  const fieldPath = context.kind === 'key' ? undefined : context.path;
  if (fieldPath) {
    const field = schemaAt(fieldPath);
    if (field?.['x-template'] === 'jinja' && insideJinja(before)) return variableItems(before, position, declared, features);
    if (field?.['x-template'] === 'format' && insidePlaceholder(before)) return placeholderItems(before, position, features);
  }
  if (context.kind === 'key') return keyItems(context.parent, context.siblings, position, context.start, features);
  if (context.kind === 'value') return valueItems(context.path, position, context.start, features);
  return [];
}

/** Completion of variables inside `{{ ... }}` or `{% ... %}` in a template file (not YAML). */
export function completeTemplateFile(lineBefore: string, position: Position, declared: DeclaredVariables, features: ClientFeatures): CompletionItem[] {
  return insideJinja(lineBefore) ? variableItems(lineBefore, position, declared, features) : [];
}

function insideJinja(before: string): boolean {
  const open = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  if (open < 0) return false;
  const close = Math.max(before.lastIndexOf('}}'), before.lastIndexOf('%}'));
  return close < open;
}

function insidePlaceholder(before: string): boolean {
  const m = /\{([A-Za-z_]\w*)?$/.exec(before);
  return Boolean(m) && !before.slice(0, m?.index).endsWith('{');
}

function wordStart(before: string): number {
  const m = /[A-Za-z_]\w*$/.exec(before);
  return m ? m.index : before.length;
}

function variableItems(before: string, position: Position, declared: DeclaredVariables, features: ClientFeatures): CompletionItem[] {
  const start = wordStart(before);
  const range = { start: { line: position.line, character: start }, end: position };
  const kind = knownKind(features.completionKinds, CompletionItemKind.Variable, CompletionItemKind.Text);
  const items: CompletionItem[] = Object.entries(BUILTIN_VARIABLES).map(([name, meaning]) => ({
    label: name,
    kind,
    detail: 'built-in',
    documentation: documentation(meaning, features.completionDocs),
    textEdit: { range, newText: name },
    sortText: `1${name}`,
  }));
  for (const [name, value] of declared) {
    items.push({
      label: name,
      kind,
      detail: 'prompt.variables',
      documentation: documentation(`Declared under \`prompt.variables\`: \`${preview(value)}\``, features.completionDocs),
      textEdit: { range, newText: name },
      sortText: `0${name}`,
    });
  }
  return items;
}

function placeholderItems(before: string, position: Position, features: ClientFeatures): CompletionItem[] {
  const start = wordStart(before);
  const range = { start: { line: position.line, character: start }, end: position };
  return Object.entries(FORMAT_PLACEHOLDERS).map(([name, meaning]) => ({
    label: name,
    kind: knownKind(features.completionKinds, CompletionItemKind.Variable, CompletionItemKind.Text),
    detail: 'placeholder',
    documentation: documentation(meaning, features.completionDocs),
    textEdit: { range, newText: before.slice(start - 1, start) === '{' && !before.endsWith('}') ? `${name}}` : name },
  }));
}

function keyItems(parent: CursorPath, siblings: readonly string[], position: Position, start: number, features: ClientFeatures): CompletionItem[] {
  const node = schemaAt(parent);
  if (!node) return [];
  const range = { start: { line: position.line, character: start }, end: position };
  const taken = new Set(siblings);
  return propertyNames(node)
    .filter((name) => !taken.has(name))
    .map((name) => {
      const child = childSchema(node, name);
      const inactive = Boolean(child?.['x-inactive'] ?? deref(child)?.['x-inactive']);
      const item: CompletionItem = {
        label: name,
        kind: isSection(child) ? knownKind(features.completionKinds, CompletionItemKind.Module, CompletionItemKind.Text) : knownKind(features.completionKinds, CompletionItemKind.Property, CompletionItemKind.Text),
        detail: inactive ? `${typeLabel(child)} — no effect in this version` : typeLabel(child),
        documentation: documentation(fieldMarkdown(name, child), features.completionDocs),
        // Active keys first (alphabetical within each group): an ignored key is never the first offer.
        sortText: `${inactive ? 1 : 0}${name}`,
        textEdit: { range, newText: features.snippets ? keySnippet(name, child) : keyText(name, child) },
      };
      if (features.snippets) item.insertTextFormat = InsertTextFormat.Snippet;
      if (inactive && features.completionTags.has(CompletionItemTag.Deprecated)) item.tags = [CompletionItemTag.Deprecated];
      else if (inactive && features.completionDeprecated) item.deprecated = true;
      return item;
    });
}

function valueItems(path: CursorPath, position: Position, start: number, features: ClientFeatures): CompletionItem[] {
  const node = schemaAt(path);
  const range = { start: { line: position.line, character: start }, end: position };
  const values = enumValues(node);
  if (values.length === 0 && typesOf(node).includes('boolean')) values.push(true, false);
  const fallback = deref(node)?.default;
  return values.map((value) => ({
    label: String(value),
    kind: knownKind(features.completionKinds, CompletionItemKind.EnumMember, CompletionItemKind.Value),
    detail: value === fallback ? 'default' : undefined,
    documentation: documentation(describe(node), features.completionDocs),
    textEdit: { range, newText: String(value) },
  }));
}

function isSection(node: SchemaNode | undefined): boolean {
  return alternatives(node).some((alt) => alt.properties !== undefined || (alt.items !== undefined && deref(alt.items)?.properties !== undefined));
}

/** Snippet text for a key: whole sections get their required fields, enums a choice. */
function keySnippet(name: string, node: SchemaNode | undefined): string {
  const alt = alternatives(node).find((a) => a.properties) ?? alternatives(node).find((a) => a.items);
  const resolved = deref(node);
  if (resolved?.['x-template'] === 'jinja' && typesOf(node).includes('string')) return `${name}: |\n  $0`;
  if (alt?.properties) {
    const required = alt.required ?? [];
    if (required.length === 0) return `${name}:\n  $0`;
    return `${name}:\n${required.map((field, i) => `  ${field}: ${valuePlaceholder(childSchema(alt, field), i + 1)}`).join('\n')}$0`;
  }
  const item = alt?.items ? deref(alt.items) : undefined;
  if (item?.properties) {
    const first = item.required?.[0] ?? Object.keys(item.properties)[0] ?? '';
    return `${name}:\n  - ${first}: ${valuePlaceholder(childSchema(item, first), 1)}$0`;
  }
  if (alt?.items) return `${name}:\n  - $0`;
  if (typesOf(node).includes('object')) return `${name}:\n  $0`;
  return `${name}: ${valuePlaceholder(node, 1)}$0`;
}

/**
 * Plain text for a key, for a client without snippets: one line (a client may insert a line break
 * in plain completion text as a NUL byte), the value left for the user — `key: ` for a scalar,
 * `key:` for a section, `key: |` for prompt text.
 */
function keyText(name: string, node: SchemaNode | undefined): string {
  if (deref(node)?.['x-template'] === 'jinja' && typesOf(node).includes('string')) return `${name}: |`;
  if (isSection(node) || alternatives(node).some((a) => a.items !== undefined) || (typesOf(node).includes('object') && typesOf(node).length === 1)) return `${name}:`;
  return `${name}: `;
}

function valuePlaceholder(node: SchemaNode | undefined, index: number): string {
  const values = enumValues(node);
  if (values.length > 0) return `\${${index}|${values.map((v) => String(v).replace(/[,|]/g, '\\$&')).join(',')}|}`;
  if (typesOf(node).includes('boolean') && typesOf(node).length === 1) return `\${${index}|true,false|}`;
  const fallback = deref(node)?.default;
  if (fallback !== undefined && fallback !== null && typeof fallback !== 'object') return `\${${index}:${String(fallback).replace(/[$}\\]/g, '\\$&')}}`;
  return `\${${index}}`;
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
