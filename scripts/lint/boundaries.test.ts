// The architecture's import edges are enforced: for every folder, an import it must not make fails
// lint and one it may make passes, through ESLint's own API and the project's eslint.config.mjs.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';
import { EDGES } from './boundaries.mjs';

const ROOT = resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });
const FOLDERS = Object.keys(EDGES) as (keyof typeof EDGES)[];

/** Boundary messages ESLint reports for `code` placed at `file` (a path that need not exist). */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'mozart/boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  for (const folder of FOLDERS) {
    const { allow, denyPackages } = EDGES[folder];
    const forbidden = FOLDERS.find((other) => !allow.includes(other));
    test(`${folder}/src may not import from ${forbidden}/, and may import from ${allow.join(', ')}`, async () => {
      assert.ok(forbidden, `${folder} may import everything: the rule would prove nothing`);
      const file = `${folder}/src/deep/probe.ts`;
      const bad = await boundaryErrors(file, `import { x } from '../../../${forbidden}/src/anything.js';\nexport const y = x;\n`);
      assert.equal(bad.length, 1, `a forbidden import is reported: ${JSON.stringify(bad)}`);
      assert.match(bad[0] as string, new RegExp(`${folder}/ may not import from ${forbidden}/`));
      const typeOnly = await boundaryErrors(file, `import type { X } from '../../../${forbidden}/src/anything.js';\nexport type Y = X;\n`);
      assert.equal(typeOnly.length, 1, 'a type-only import across a forbidden edge is reported too');
      for (const allowed of allow) {
        const good = await boundaryErrors(file, `import { x } from '../../../${allowed}/src/anything.js';\nexport const y = x;\n`);
        assert.deepEqual(good, [], `${folder} → ${allowed} is allowed`);
      }
      const pkg = denyPackages[0]?.replace('*', '');
      if (pkg) assert.equal((await boundaryErrors(file, `import * as p from '${pkg}';\nexport const q = p;\n`)).length, 1, `the package ${pkg} is refused`);
    });
  }

  test('a subfolder named like a top-level folder is not taken for it', async () => {
    // extension/src/conductor/ is the extension's own code, not the conductor's.
    assert.deepEqual(await boundaryErrors('extension/src/views/probe.ts', "import { x } from '../conductor/connection.js';\nexport const y = x;\n"), []);
    assert.equal((await boundaryErrors('extension/src/views/probe.ts', "import { x } from '../../../conductor/src/runner/job-runner.js';\nexport const y = x;\n")).length, 1);
  });
});
