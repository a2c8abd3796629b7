// Words about schema fields for completion and hover, built from the schema's own descriptions.
import type { SchemaNode } from '../../score/src/schema-index.js';
import { alternatives, deref, typesOf } from '../../score/src/schema-index.js';

/** Enum values a field allows (strings and numbers), gathered across anyOf alternatives. */
export function enumValues(node: SchemaNode | undefined): unknown[] {
  const values: unknown[] = [];
  for (const alt of alternatives(node)) for (const v of alt.enum ?? []) if (!values.includes(v)) values.push(v);
  return values;
}

/** The description of a field: its own, or the one on the definition it refers to. */
export function describe(node: SchemaNode | undefined): string {
  return node?.description ?? deref(node)?.description ?? alternatives(node).find((a) => a.description)?.description ?? '';
}

/** A short type label such as `integer ≥ 1` or `"a" | "b"`. */
export function typeLabel(node: SchemaNode | undefined): string {
  const values = enumValues(node);
  if (values.length > 0) return values.map((v) => JSON.stringify(v)).join(' | ');
  const types = typesOf(node).filter((t) => t !== 'null');
  const label = types.join(' | ') || 'any';
  const alt = alternatives(node)[0];
  const bounds: string[] = [];
  if (alt?.minimum !== undefined) bounds.push(`≥ ${alt.minimum}`);
  if (alt?.exclusiveMinimum !== undefined) bounds.push(`> ${alt.exclusiveMinimum}`);
  if (alt?.maximum !== undefined) bounds.push(`≤ ${alt.maximum}`);
  return bounds.length ? `${label} ${bounds.join(', ')}` : label;
}

/** Markdown for a field: description, type, default. */
export function fieldMarkdown(name: string, node: SchemaNode | undefined): string {
  const lines = [`**${name}**: \`${typeLabel(node)}\``, '', describe(node)];
  const resolved = deref(node);
  if (resolved && 'default' in resolved && typeof resolved.default !== 'object') lines.push('', `Default: \`${JSON.stringify(resolved.default)}\``);
  const inactive = resolved?.['x-inactive'];
  if (inactive) lines.push('', `_Accepted for compatibility; it has no effect in this version${typeof inactive === 'string' ? `: ${inactive}` : ''}._`);
  return lines.join('\n');
}
