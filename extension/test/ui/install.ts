// Where the UI tests' tools are and what they test: code-server and Chromium (installed by
// scripts/setup-ui-tests.sh), the extension's manifest and its packaged .vsix.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const EXAMPLES = join(REPO_ROOT, 'examples');

const CODE_SERVER_DIR = process.env.MOZART_UI_DIR ?? join(homedir(), '.cache', 'mozart-ui', 'code-server');
export const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.MOZART_UI_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Why UI tests cannot run here, or undefined when they can. In CI a missing install is a failure
 * the caller must report, never a silent skip: `.ci/run` installs everything first.
 */
export function uiUnavailableReason(): string | undefined {
  const missing: string[] = [];
  if (!existsSync(CODE_SERVER_ENTRY)) missing.push(`code-server (expected ${CODE_SERVER_ENTRY})`);
  if (!existsSync(CHROMIUM)) missing.push(`Chromium (expected ${CHROMIUM})`);
  if (missing.length === 0) return undefined;
  return `UI tests need ${missing.join(' and ')}; install them with: bash scripts/setup-ui-tests.sh`;
}

/** True when running under CI, where a missing UI install must fail rather than skip. */
export function inCI(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * The `skip` option for a UI suite: the reason when the install is missing on a developer's
 * machine (printed loudly), undefined otherwise. In CI (CI=true) it never skips, so a missing
 * install fails the suite through Workbench.start instead.
 */
export function uiSkipReason(): string | undefined {
  const reason = uiUnavailableReason();
  if (!reason || inCI()) return undefined;
  const bar = '!'.repeat(100);
  process.stderr.write(`\n${bar}\n!! UI TESTS SKIPPED: ${reason}\n${bar}\n\n`);
  return reason;
}

/** package.json as the tests need it. */
export function manifest(): { scripts?: Record<string, string>; contributes?: { commands?: { command: string; title: string; category?: string }[] } } {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
}

/** The palette title of a contributed command ("Mozart: Run Score"), or undefined when it is not contributed. */
export function commandTitle(command: string): string | undefined {
  const entry = manifest().contributes?.commands?.find((c) => c.command === command);
  if (!entry) return undefined;
  const title = localized(entry.title);
  return entry.category ? `${localized(entry.category)}: ${title}` : title;
}

/** The title a contributed command shows in menus and tree actions ("Pause Job": no category). */
export function commandMenuTitle(command: string): string | undefined {
  const entry = manifest().contributes?.commands?.find((c) => c.command === command);
  return entry ? localized(entry.title) : undefined;
}

/** A manifest string with its `%key%` placeholder replaced from package.nls.json (English). */
function localized(text: string): string {
  const key = /^%(.+)%$/.exec(text)?.[1];
  if (!key) return text;
  const nls = join(REPO_ROOT, 'package.nls.json');
  const strings = existsSync(nls) ? (JSON.parse(readFileSync(nls, 'utf8')) as Record<string, string>) : {};
  return strings[key] ?? text;
}

let vsixPromise: Promise<string> | undefined;

/**
 * The extension's .vsix: $MOZART_UI_VSIX when set, else packaged once per test process with
 * `npm run package` (or, before that script exists, esbuild + vsce into a temp folder).
 */
export function extensionVsix(): Promise<string> {
  vsixPromise ??= Promise.resolve().then(packageVsix);
  return vsixPromise;
}

function packageVsix(): string {
  const given = process.env.MOZART_UI_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`MOZART_UI_VSIX names a missing file: ${given}`);
    return given;
  }
  const started = Date.now();
  if (manifest().scripts?.package) {
    const output = runOrThrow('npm', ['run', 'package'], 'npm run package');
    // vsce reports "Packaged: <path> (N files, size)"; fall back to the newest .vsix it left behind.
    const packaged = /Packaged: (.+?\.vsix)/.exec(output)?.[1];
    if (packaged && existsSync(resolve(REPO_ROOT, packaged))) return resolve(REPO_ROOT, packaged);
    const fresh = [REPO_ROOT, join(REPO_ROOT, 'dist')]
      .flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.vsix')).map((f) => join(dir, f)) : []))
      .filter((f) => statSync(f).mtimeMs >= started - 1000)
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (fresh[0]) return fresh[0];
    throw new Error(`npm run package succeeded but no fresh .vsix was found. Its output:\n${output}`);
  }
  runOrThrow(process.execPath, ['scripts/build.mjs'], 'node scripts/build.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'mozart-vsix-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'mozart.vsix');
  runOrThrow('npx', ['vsce', 'package', '--no-dependencies', '--no-rewrite-relative-links', '-o', out], 'vsce package');
  return out;
}

function runOrThrow(command: string, args: string[], label: string): string {
  const run = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  if (run.status !== 0) throw new Error(`${label} failed (exit ${run.status ?? run.signal}):\n${output}`);
  return output;
}

