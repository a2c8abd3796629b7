// Loading and activating the extension's bundle under plain Node, with ./vscode-stub.ts standing
// in for the `vscode` module (bundled into a temporary node_modules/vscode found through
// NODE_PATH). Each activation runs in a fresh child process, so module caches never carry over;
// the child times require() and activate() separately and reports what activation registered.
// Used by the activation unit test and by `npm run bench` (scripts/bench/extension.ts).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ESM build script without types
import { buildOptions } from '../../../scripts/build-options.mjs';

export const REPO_ROOT = resolve(__dirname, '../../..');
const STUB = join(__dirname, 'vscode-stub.ts');

/** One child's report. */
export interface Activation {
  requireMs: number;
  activateMs: number;
  commands: string[];
  treeViews: string[];
  statusBarItems: string[];
  contentProviders: string[];
  subscriptions: number;
}

/**
 * What a child runs: `vscode` (the stub) is loaded first and not timed; then the bundle is
 * required and activate() called, each timed on its own. The process exits at once, before the
 * work activate() leaves for the next turn of the event loop (language server, conductor look-up).
 */
const CHILD = `
const { performance } = require('node:perf_hooks');
const vscode = require('vscode');
const t0 = performance.now();
const extension = require(process.argv[1]);
const t1 = performance.now();
const context = vscode.createExtensionContext(process.env.MOZART_STUB_EXTENSION_PATH);
extension.activate(context);
const t2 = performance.now();
const { commands, treeViews, statusBarItems, contentProviders } = vscode.registered;
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, commands, treeViews, statusBarItems, contentProviders, subscriptions: context.subscriptions.length }));
process.exit(0);
`;

/** A folder for one set of activations: the stub as node_modules/vscode, and a Mozart home. */
export interface StubFolder {
  nodePath: string;
  home: string;
}

/** Bundles the stub into `dir`/node_modules/vscode and makes an empty Mozart home beside it. */
export async function prepareStub(dir: string): Promise<StubFolder> {
  const nodePath = join(dir, 'node_modules');
  const home = join(dir, 'home');
  mkdirSync(join(nodePath, 'vscode'), { recursive: true });
  mkdirSync(home, { recursive: true });
  await esbuild.build({ entryPoints: [STUB], outfile: join(nodePath, 'vscode', 'index.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  return { nodePath, home };
}

/** Builds the extension entry point as `npm run build` (or, with `production`, `npm run package`) does, into `dir`/extension.js. */
export async function buildExtension(dir: string, production: boolean): Promise<{ file: string; bytes: number }> {
  const options = buildOptions(production) as esbuild.BuildOptions;
  const built = await esbuild.build({ ...options, entryPoints: { extension: join(REPO_ROOT, 'extension/src/extension.ts') }, outdir: dir, absWorkingDir: REPO_ROOT, sourcemap: false, metafile: false, write: false });
  const bundle = (built.outputFiles ?? []).find((f) => f.path.endsWith('extension.js'));
  if (!bundle) throw new Error('esbuild produced no extension.js');
  const file = join(dir, 'extension.js');
  writeFileSync(file, bundle.contents);
  return { file, bytes: bundle.contents.length };
}

/** Requires and activates `bundle` in a fresh Node process under the stub. */
export function activateOnce(bundle: string, stub: StubFolder): Activation {
  const run = spawnSync(process.execPath, ['-e', CHILD, bundle], {
    cwd: stub.home,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NODE_PATH: stub.nodePath, NODE_OPTIONS: '', MOZART_HOME: stub.home, MOZART_STUB_EXTENSION_PATH: REPO_ROOT },
  });
  if (run.status !== 0) throw new Error(`activating ${bundle} failed (exit ${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout) as Activation;
}
