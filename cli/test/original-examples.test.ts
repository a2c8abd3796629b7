// Every score in the original Mozart's examples/ (at 48b2f24; copies in fixtures/original-examples,
// users' data kept as written) validates with the exit code the original gives it: 0, or 1 where
// the only errors are paths that exist on its author's machine alone (V005).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const CLI = resolve(__dirname, '../../dist/cli.js');
const FIXTURES = join(__dirname, 'fixtures', 'original-examples');
/** The examples whose backend.working_directory is a folder of the author's machine. */
const AUTHOR_PATHS = new Set(['fix-deferred-issues.yaml', 'fix-observability.yaml', 'quality-continuous-daemon.yaml', 'self-improvement.yaml']);

const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort();

test('the fixtures hold all 24 examples of the original', () => assert.equal(files.length, 24));

for (const name of files) {
  test(`original example ${name}`, () => {
    const r = spawnSync(process.execPath, [CLI, 'validate', name, '--json'], { cwd: FIXTURES, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const report = JSON.parse(r.stdout) as { valid: boolean; findings: { id: string; severity: string; message: string }[] };
    const errors = report.findings.filter((f) => f.severity === 'error');
    if (AUTHOR_PATHS.has(name)) {
      assert.equal(r.status, 1, r.stdout);
      assert.deepEqual(errors.map((f) => f.id), ['V005'], 'only the missing working directory');
      assert.match(errors[0]?.message ?? '', /\/home\/emzi|\/path\/to\/your/);
    } else {
      assert.equal(r.status, 0, errors.map((f) => `${f.id} ${f.message}`).join('\n'));
      assert.equal(report.valid, true);
    }
  });
}
