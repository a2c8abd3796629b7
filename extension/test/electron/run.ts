// `npm run test:electron`: the extension inside a real desktop VS Code. @vscode/test-electron
// downloads VS Code (once, into ~/.cache/mozart-vscode-test, outside the checkout) and starts it with this checkout as the extension
// under development and ./suite.ts, bundled, as its tests. Not part of `npm test`: it needs the
// internet for the download (the default UI tests use code-server from the npm registry instead,
// see ../ui/workbench.ts) and, on Linux without a display, an X server: `xvfb-run -a npm run test:electron`.
//
//   MOZART_VSCODE_VERSION   the VS Code to test against (default 'stable'; e.g. 1.100.3, 'insiders')
//   MOZART_VSCODE_CACHE     where downloaded VS Code builds are kept (default ~/.cache/mozart-vscode-test)
//   MOZART_ELECTRON_KEEP    keep the temporary folder (user data, logs, workspace) for a look afterwards
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const BUNDLE = join(ROOT, 'dist', 'extension.js');
const CLI = join(ROOT, 'dist', 'cli.js');

/** The test workspace: hello-world as it is, and broken.yaml, whose workspace's parent folder is missing (V002). */
function prepareWorkspace(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const hello = join(ROOT, 'examples', 'hello-world.yaml');
  copyFileSync(hello, join(folder, 'hello-world.yaml'));
  const text = readFileSync(hello, 'utf8');
  const broken = text.replace(/^workspace: .*$/m, 'workspace: ./missing/workspace-hello');
  if (broken === text) throw new Error('examples/hello-world.yaml no longer has a top-level workspace: line');
  writeFileSync(join(folder, 'broken.yaml'), broken);
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'git.enabled': false, 'files.autoSave': 'off' }, null, 2));
}

async function main(): Promise<number> {
  if (!existsSync(BUNDLE) || !existsSync(CLI)) {
    console.error(`${BUNDLE} is missing: run \`npm run build\` first (npm run test:electron does).`);
    return 1;
  }
  // Short: the conductor's socket lives under MOZART_HOME and a socket path must stay under 108 bytes.
  const root = mkdtempSync(join(tmpdir(), 'mzel-'));
  const home = join(root, 'home');
  const workspace = join(root, 'ws');
  mkdirSync(home, { recursive: true });
  prepareWorkspace(workspace);
  const suite = join(root, 'suite.js');
  await esbuild.build({
    entryPoints: [join(__dirname, 'suite.ts')],
    outfile: suite,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
  });
  try {
    await runTests({
      version: process.env.MOZART_VSCODE_VERSION ?? 'stable',
      cachePath: process.env.MOZART_VSCODE_CACHE ?? join(homedir(), '.cache', 'mozart-vscode-test'),
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      // A conductor started by the extension keeps its socket, log and registry in this folder.
      extensionTestsEnv: { MOZART_HOME: home },
      launchArgs: [
        workspace,
        '--disable-extensions', // only the extension under development
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        '--user-data-dir',
        join(root, 'user-data'),
        '--extensions-dir',
        join(root, 'extensions'),
      ],
    });
    return 0;
  } catch (error) {
    console.error(`VS Code tests failed: ${(error as Error).message}`);
    return 1;
  } finally {
    // The conductor outlives the window on purpose; this one belongs to the test, so stop it.
    spawnSync(process.execPath, [CLI, 'stop'], { env: { ...process.env, MOZART_HOME: home }, stdio: 'ignore', timeout: 30_000 });
    if (process.env.MOZART_ELECTRON_KEEP) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
