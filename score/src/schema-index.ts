// Read-only access to schemas/score.schema.json: the one list of the score's fields. Checks, hover,
// completion and the typed model all ask this module what a field is instead of naming fields again.
import scoreSchemaJson from '../../schemas/score.schema.json';
import type { NodePath } from './source.js';

/** The subset of JSON Schema the score schema uses, with the project's annotation keywords. */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  definitions?: Record<string, SchemaNode>;
  'x-backend'?: string;
  'x-path'?: boolean;
  'x-template'?: 'jinja' | 'format';
  /** Accepted but not acted on; a string says why. */
  'x-inactive'?: boolean | string;
}

/** The score schema as parsed JSON. */
export const scoreSchema = scoreSchemaJson as unknown as SchemaNode;

/** Follows a local `$ref` ("#/definitions/X") to its target. */
export function deref(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 16; hops++) {
    const name = current.$ref.replace(/^#\/definitions\//, '');
    current = scoreSchema.definitions?.[name];
  }
  return current;
}

/** The alternatives a schema node allows (itself, or the members of anyOf/oneOf), dereferenced. */
export function alternatives(node: SchemaNode | undefined): SchemaNode[] {
  const resolved = deref(node);
  if (!resolved) return [];
  const members = resolved.anyOf ?? resolved.oneOf;
  if (!members) return [resolved];
  return members.flatMap((member) => alternatives(member));
}

/** The schema for the child of `node` at `segment` (a property name or an array index). */
export function childSchema(node: SchemaNode | undefined, segment: string | number): SchemaNode | undefined {
  for (const alt of alternatives(node)) {
    if (typeof segment === 'number') {
      if (alt.items) return deref(alt.items);
      continue;
    }
    const prop = alt.properties?.[segment];
    if (prop) return deref(prop);
    if (typeof alt.additionalProperties === 'object') return deref(alt.additionalProperties);
  }
  return undefined;
}

/** The schema for the value at a path, if the path names something the schema knows. */
export function schemaAt(path: NodePath): SchemaNode | undefined {
  let node: SchemaNode | undefined = scoreSchema;
  for (const segment of path) {
    node = childSchema(node, segment);
    if (!node) return undefined;
  }
  return node;
}

/** Names of the properties an object at this schema node may have. */
export function propertyNames(node: SchemaNode | undefined): string[] {
  const names = new Set<string>();
  for (const alt of alternatives(node)) for (const name of Object.keys(alt.properties ?? {})) names.add(name);
  return [...names];
}

/** The JSON types a schema node allows. */
export function typesOf(node: SchemaNode | undefined): string[] {
  const types = new Set<string>();
  for (const alt of alternatives(node)) {
    if (Array.isArray(alt.type)) alt.type.forEach((t) => types.add(t));
    else if (alt.type) types.add(alt.type);
  }
  return [...types];
}

/** Visits every (path, schema) pair where a property is declared, depth first. Arrays use index 0. */
export function walkSchema(visit: (path: string[], node: SchemaNode) => void): void {
  const seen = new Set<SchemaNode>();
  const walk = (node: SchemaNode | undefined, path: string[]): void => {
    for (const alt of alternatives(node)) {
      if (seen.has(alt)) continue;
      seen.add(alt);
      for (const [name, child] of Object.entries(alt.properties ?? {})) {
        const resolved = deref(child);
        if (!resolved) continue;
        visit([...path, name], resolved);
        walk(resolved, [...path, name]);
      }
      if (alt.items) walk(alt.items, [...path, '[]']);
      if (typeof alt.additionalProperties === 'object') walk(alt.additionalProperties, [...path, '{}']);
      seen.delete(alt);
    }
  };
  walk(scoreSchema, []);
}
