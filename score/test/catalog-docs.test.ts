// docs/checks.md against the check catalog (score/src/catalog.ts), the only place a check's severity
// is stated: every id in the catalog has its row and section with the same severity, and the docs
// name no check the catalog lacks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { CHECKS } from '../src/catalog.js';

const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'checks.md'), 'utf8');
const severities = (info: { severity: string; alternative?: string }) => [info.severity, ...(info.alternative ? [info.alternative] : [])];

test('the table of checks in docs/checks.md states each severity as the catalog does', () => {
  const rows = new Map([...docs.matchAll(/^\| \[(\w+)\]\(#\w+\) \| ([^|]+) \|/gm)].map((m) => [m[1] as string, (m[2] as string).trim()]));
  assert.deepEqual([...rows.keys()].sort(), CHECKS.map((c) => c.id).sort(), 'the same ids');
  for (const info of CHECKS) assert.deepEqual((rows.get(info.id) ?? '').split(' or ').sort(), severities(info).sort(), `${info.id} in the table`);
});

test("each check's section in docs/checks.md states its severity as the catalog does", () => {
  for (const info of CHECKS) {
    const at = docs.indexOf(`\n## ${info.id} — `);
    assert.ok(at >= 0, `${info.id} has a section`);
    const line = /\*\*Severity:\*\* ([^\n]+)/.exec(docs.slice(at, at + 2000));
    assert.ok(line, `${info.id} has a severity line`);
    const named = (line[1] as string).match(/\b(error|warning|info|hint)\b/g) ?? [];
    assert.deepEqual([...new Set(named)].sort(), severities(info).sort(), `${info.id} section: '${line[1]}'`);
  }
});
