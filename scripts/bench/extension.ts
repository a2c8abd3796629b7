// The extension's own figures: how long loading and activating its bundle takes, and how big the
// bundle and the .vsix are. Activation is measured in fresh child processes (a warm module cache
// would hide the load cost), each loading the production bundle — minified, as the .vsix ships
// it, built in memory here — under a stub of the `vscode` module
// (extension/test/support/activate-under-stub.ts and vscode-stub.ts). Figures are printed next
// to their goals, never asserted: they depend on the machine.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activateOnce, buildExtension, prepareStub, REPO_ROOT } from '../../extension/test/support/activate-under-stub.js';
import type { Activation, StubFolder } from '../../extension/test/support/activate-under-stub.js';
import { median } from '../lib/stats.js';

const VSIX = join(REPO_ROOT, 'dist/mozart-ai-compose.vsix');
const DIST_BUNDLE = join(REPO_ROOT, 'dist/extension.js');
/** Fresh processes per bundle; the median is reported. */
const LOADS = 15;
const ACTIVATION_GOAL_MS = 50;
const BUNDLE_GOAL_BYTES = 1024 * 1024;

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function verdict(ok: boolean): string {
  return ok ? 'ok' : 'OVER GOAL';
}

function row(label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(40)}${value.padStart(14)}  ${note}`.trimEnd());
}

function measure(label: string, bundle: string, stub: StubFolder): void {
  const loads: Activation[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(activateOnce(bundle, stub));
  const requireMs = median(loads.map((l) => l.requireMs));
  const activateMs = median(loads.map((l) => l.activateMs));
  const total = median(loads.map((l) => l.requireMs + l.activateMs));
  const first = loads[0] as Activation;
  console.log(`${label}, ${kib(statSync(bundle).size)}: median of ${LOADS} fresh processes (${first.commands.length} commands, ${first.subscriptions} subscriptions registered)`);
  row('  require(extension.js)', `${requireMs.toFixed(1)} ms`);
  row('  activate()', `${activateMs.toFixed(1)} ms`);
  row('  require + activate', `${total.toFixed(1)} ms`, `goal < ${ACTIVATION_GOAL_MS} ms: ${verdict(total < ACTIVATION_GOAL_MS)}`);
}

export async function benchExtension(): Promise<void> {
  console.log('\nExtension: activation under a vscode stub, bundle and package size');
  const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-ext-'));
  try {
    const stub = await prepareStub(dir);
    const production = await buildExtension(dir, true);
    measure('Production bundle (minified, as packaged)', production.file, stub);
    if (existsSync(DIST_BUNDLE)) {
      // `npm run build` leaves a development bundle there, `npm run package` a production one.
      const kind = statSync(DIST_BUNDLE).size === production.bytes ? 'production build' : 'development build, not minified';
      measure(`dist/extension.js (as last built: ${kind})`, DIST_BUNDLE, stub);
    }
    console.log('Sizes');
    row('  extension.js, minified', kib(production.bytes), `goal < ${kib(BUNDLE_GOAL_BYTES)}: ${verdict(production.bytes < BUNDLE_GOAL_BYTES)}`);
    if (existsSync(VSIX)) {
      const { size, mtime } = statSync(VSIX);
      row('  dist/mozart-ai-compose.vsix', kib(size), `built ${mtime.toISOString()}`);
    } else {
      row('  dist/mozart-ai-compose.vsix', 'not built', 'run `npm run package` to build it, then bench again');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
