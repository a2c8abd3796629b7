// Nothing silent: every field of the schema is either acted on (named in docs/fields.md with the
// module that acts on it) or marked x-inactive (reported by S009). A new field must pick a side.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { walkSchema } from '../src/schema-index.js';

const ROOT = resolve(__dirname, '../..');
const doc = readFileSync(resolve(ROOT, 'docs/fields.md'), 'utf8');
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

/** Every field path, and whether it (or a section above it) is x-inactive. */
function fields(): { path: string; inactive: boolean; ownInactive: boolean }[] {
  const out: { path: string; inactive: boolean; ownInactive: boolean }[] = [];
  const inactive: string[] = [];
  walkSchema((segments, node) => {
    const path = segments.join('.').replace(/\.\[\]/g, '[]').replace(/\.\{\}/g, '.*');
    const ownInactive = Boolean(node['x-inactive']);
    const underInactive = inactive.some((p) => path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
    if (ownInactive) inactive.push(path);
    out.push({ path, inactive: ownInactive || underInactive, ownInactive });
  });
  return out;
}

/** Rows of the tables in docs/fields.md: `path` → the rest of the row. */
function rows(section: string): Map<string, string> {
  const start = doc.indexOf(section);
  assert.ok(start >= 0, `docs/fields.md has a section '${section}'`);
  const end = doc.indexOf('\n## ', start + 1);
  const out = new Map<string, string>();
  for (const line of doc.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\| `([^`]+)` \| (.*) \|$/.exec(line);
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

test('every field is acted on (docs/fields.md names the module) or marked x-inactive', () => {
  const active = rows('## Fields this version acts on');
  const unaccounted = fields().filter((f) => !f.inactive && !active.has(f.path)).map((f) => f.path);
  assert.deepEqual(unaccounted, [], 'add each to the table in docs/fields.md with the module that acts on it, or mark it x-inactive in the schema');
});

test('the tables name no field the schema lacks, and an inactive field is not listed as active', () => {
  const all = new Map(fields().map((f) => [f.path, f]));
  for (const path of rows('## Fields this version acts on').keys()) {
    assert.ok(all.has(path), `docs/fields.md lists ${path}, which the schema does not have`);
    assert.ok(!all.get(path)?.inactive, `${path} is x-inactive but listed as acted on`);
  }
  const listedInactive = rows('## Fields this version does not act on');
  for (const f of fields().filter((x) => x.ownInactive)) assert.ok(listedInactive.has(f.path), `${f.path} is x-inactive: list it under 'does not act on' in docs/fields.md`);
  for (const path of listedInactive.keys()) assert.ok(all.get(path)?.ownInactive, `${path} is listed as inactive but the schema does not mark it`);
});

test('every module named in docs/fields.md exists', () => {
  for (const module of doc.matchAll(/`((?:score|conductor|protocol|extension|cli|language-server)\/src\/[^`]+)`/g)) {
    assert.ok(existsSync(resolve(ROOT, module[1] as string)), `${module[1]} does not exist`);
  }
});

test('the README lists every field that has no effect', () => {
  for (const f of fields().filter((x) => x.ownInactive)) assert.ok(readme.includes(`\`${f.path}\``), `README.md does not mention ${f.path}`);
});
