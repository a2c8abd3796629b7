// Runs every `*.test.ts` under the component test folders with Node's built-in test runner
// (Node 20 has no glob support for --test, so this script finds the files); the UI tests last.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['scripts/lint', 'score/test', 'protocol/test', 'conductor/test', 'language-server/test', 'extension/test', 'cli/test'];
const filter = process.argv.slice(2);

function find(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

// Tests spawn dist/cli.js and dist/conductor.js: build them from the sources first (esbuild takes a
// second), so a test never runs against bundles older than the code it checks.
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) {
  console.error('the build failed; no test was run');
  process.exit(1);
}

const files = roots.flatMap(find).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// The UI tests install the packaged extension, and packaging rebuilds dist/ (production bundles).
// They run after every other test — which spawn dist/cli.js and dist/conductor.js — from one .vsix
// built once here, so no test ever reads a bundle while it is being rewritten.
const isUi = (f) => f.includes(`${join('test', 'ui')}`);
const plain = files.filter((f) => !isUi(f));
const ui = files.filter(isUi);
const run = (list, env = process.env) => (list.length === 0 ? 0 : (spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...list], { stdio: 'inherit', env }).status ?? 1));
let status = run(plain);
if (ui.length > 0) {
  let vsix = process.env.MOZART_UI_VSIX;
  if (!vsix) {
    const packaged = spawnSync('npm', ['run', 'package'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (packaged.status !== 0) {
      process.stdout.write(packaged.stdout ?? '');
      console.error('npm run package failed; the UI tests cannot run');
      process.exit(1);
    }
    vsix = join(process.cwd(), 'dist', 'mozart-ai-compose.vsix');
  }
  status = run(ui, { ...process.env, MOZART_UI_VSIX: vsix }) || status;
}
process.exit(status);
