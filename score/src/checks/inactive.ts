// S009: a field this version accepts but does not act on (`x-inactive` in the schema). The score
// still runs; the finding says plainly that the field has no effect, so nobody waits for it to work.
// Fields of a backend that is not selected are S007's, and an unsupported backend is S008's.
import type { Finding } from '../findings.js';
import type { SchemaNode } from '../schema-index.js';
import { childSchema, scoreSchema } from '../schema-index.js';
import type { NodePath } from '../source.js';
import type { CheckContext } from './context.js';
import { findingAt } from './context.js';

export function checkInactiveFields(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const backendType = ctx.score.backend.type;
  const visit = (value: unknown, node: SchemaNode | undefined, path: NodePath): void => {
    if (value === null || typeof value !== 'object') return;
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value as Record<string, unknown>);
    for (const [key, child] of entries) {
      const schema = childSchema(node, key);
      if (!schema) continue;
      const here = [...path, key];
      if (schema['x-backend'] && (schema['x-backend'] !== backendType || backendType === 'recursive_light')) continue;
      const reason = schema['x-inactive'];
      if (reason && child !== undefined && child !== null) {
        findings.push(findingAt(ctx, 'S009', here, `${label(here)} has no effect in this version${typeof reason === 'string' ? `: ${reason}` : ''}. It is accepted so scores written for the original keep validating; remove it or leave it, the job runs the same.`, { atKey: true }));
        continue;
      }
      visit(child, schema, here);
    }
  };
  visit(ctx.raw, scoreSchema, []);
  return findings;
}

function label(path: NodePath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
