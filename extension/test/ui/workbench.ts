// A real VS Code workbench for UI tests: code-server (VS Code 1.100's workbench served to a
// browser) with the packaged extension installed from its .vsix, driven by Debian's Chromium
// through playwright-core. Every workbench gets its own user-data, extensions and Mozart home
// folders in a temp directory, so a test never touches the user's editor settings or conductor.
//
// scripts/setup-ui-tests.sh installs code-server into $MOZART_UI_DIR
// (default ~/.cache/mozart-ui/code-server); see ../shared/notes/real-vscode-and-claude.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const REPO_ROOT = resolve(__dirname, '../../..');
export const EXAMPLES = join(REPO_ROOT, 'examples');
const RESULTS = join(REPO_ROOT, 'test-results', 'ui');

const CODE_SERVER_DIR = process.env.MOZART_UI_DIR ?? join(homedir(), '.cache', 'mozart-ui', 'code-server');
const CODE_SERVER_ENTRY = join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.MOZART_UI_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** How long one UI step (a palette entry appearing, diagnostics arriving) may take. */
export const STEP_TIMEOUT_MS = 30_000;
/** How long the workbench itself may take to come up (first load compiles a lot of JavaScript). */
const STARTUP_TIMEOUT_MS = 90_000;

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

/** One row of the Problems panel. */
export interface Problem {
  severity: 'error' | 'warning' | 'info' | 'unknown';
  message: string;
  source: string;
  code: string;
  line: number;
  column: number;
}

export interface WorkbenchOptions {
  /** Names the screenshot folder: test-results/ui/<name>/. */
  name: string;
  /** A folder copied as the workspace; `prepare` may change the copy before the workbench opens. */
  workspace?: string;
  prepare?: (folder: string) => void;
  /** Workspace trust: false (default) turns the feature off; true leaves it on, so the trust dialog appears. */
  trust?: boolean;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** The conductor socket the extension is told to use (default: one in the workbench's temp folder). */
  socketPath?: string;
}

/** A running code-server with Chromium looking at it. */
export class Workbench {
  /** The workspace folder the workbench has open (a temp copy). */
  readonly folder: string;
  /** The socket the extension is told to use for its conductor. */
  readonly socketPath: string;
  private readonly root: string;
  private readonly shots: string;
  private step = 0;
  private server: ChildProcess | undefined;
  private browser: Browser | undefined;
  private pageValue: Page | undefined;
  private url = '';

  private constructor(private readonly options: WorkbenchOptions) {
    // Short on purpose: a Unix socket path must stay under 108 bytes.
    this.root = mkdtempSync(join(tmpdir(), 'mzui-'));
    liveRoots.add(this.root);
    this.folder = join(this.root, 'ws');
    this.socketPath = options.socketPath ?? join(this.root, 'c.sock');
    this.shots = join(RESULTS, slug(options.name));
  }

  /** Installs the extension, starts code-server and opens the workspace in Chromium. */
  static async start(options: WorkbenchOptions): Promise<Workbench> {
    const reason = uiUnavailableReason();
    if (reason) throw new Error(inCI() ? `${reason} (CI=true: .ci/run should have installed it)` : reason);
    const workbench = new Workbench(options);
    try {
      await workbench.launch();
    } catch (error) {
      await workbench.close();
      throw error;
    }
    return workbench;
  }

  /** The page showing the workbench. */
  get page(): Page {
    if (!this.pageValue) throw new Error('the workbench is not open');
    return this.pageValue;
  }

  private async launch(): Promise<void> {
    const { root } = this;
    const userData = join(root, 'user-data');
    const extensions = join(root, 'extensions');
    const mozartHome = join(root, 'home');
    for (const dir of [userData, join(userData, 'User'), extensions, mozartHome, this.folder]) mkdirSync(dir, { recursive: true });
    rmSync(this.shots, { recursive: true, force: true });
    mkdirSync(this.shots, { recursive: true });
    if (this.options.workspace) cpSync(this.options.workspace, this.folder, { recursive: true });
    this.options.prepare?.(this.folder);

    const settings = {
      'security.workspace.trust.enabled': this.options.trust ?? false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'git.enabled': false,
      'files.autoSave': 'off',
      'mozart.conductor.socketPath': this.socketPath,
      ...this.options.settings,
    };
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
    // Without --config code-server writes ~/.config/code-server/config.yaml.
    const config = join(root, 'code-server.yaml');
    writeFileSync(config, 'auth: none\ncert: false\n');

    const vsix = await extensionVsix();
    // XDG folders too: code-server keeps logs and a heartbeat under ~/.local/share otherwise.
    const env = {
      ...process.env,
      MOZART_HOME: mozartHome,
      MOZART_SOCKET: this.socketPath,
      XDG_DATA_HOME: join(root, 'xdg-data'),
      XDG_CONFIG_HOME: join(root, 'xdg-config'),
      XDG_CACHE_HOME: join(root, 'xdg-cache'),
    };
    const base = [CODE_SERVER_ENTRY, '--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
    const install = spawnSync(process.execPath, [...base, '--install-extension', vsix], { encoding: 'utf8', env });
    if (install.status !== 0 || !/successfully installed/i.test(install.stdout)) {
      throw new Error(`installing ${vsix} into code-server failed:\n${install.stdout}${install.stderr}`);
    }

    const logPath = join(root, 'code-server.log');
    const log = openSync(logPath, 'w');
    this.server = spawn(process.execPath, [...base, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check', this.folder], {
      env,
      detached: true, // its own process group, so teardown reaches the extension host and its children
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    liveServers.add(this.server);
    const port = await waitForLog(logPath, /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/, this.server, STARTUP_TIMEOUT_MS);
    this.url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.folder)}`;

    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 } });
    this.pageValue = await context.newPage();
    this.pageValue.setDefaultTimeout(STEP_TIMEOUT_MS);
    await this.pageValue.goto(this.url);
    await this.pageValue.locator('.monaco-workbench').waitFor({ timeout: STARTUP_TIMEOUT_MS });
    // The status bar is the last part laid out; once it is there the workbench takes input.
    await this.pageValue.locator('#workbench\\.parts\\.statusbar').waitFor({ timeout: STARTUP_TIMEOUT_MS });
  }

  /** Saves a PNG of the whole window as test-results/ui/<test>/<nn>-<step>.png and returns its path. */
  async screenshot(step: string): Promise<string> {
    this.step++;
    const path = join(this.shots, `${String(this.step).padStart(2, '0')}-${slug(step)}.png`);
    // Finish CSS transitions first, so a toast that is fading in is captured fully drawn.
    await this.page.screenshot({ path, animations: 'disabled' });
    return path;
  }

  /** Runs a command by its palette title ("Mozart: Run Score") through F1. */
  async runCommand(title: string): Promise<void> {
    const input = await this.openQuickInput('F1');
    await input.fill(`>${title}`);
    const row = this.quickInputRow(title);
    // Without a match the palette says so, or lists "similar commands" after the real matches.
    const none = this.page.locator('.quick-input-list .monaco-list-row', { hasText: /^No matching commands$|similar commands/ });
    const notOffered = new Error(`the command palette offers no command titled '${title}'`);
    await row
      .or(none)
      .first()
      .waitFor()
      .catch(() => {
        throw notOffered;
      });
    if (!(await row.isVisible())) throw notOffered;
    await row.click();
    await this.waitForPaletteToLeave();
  }

  /**
   * Waits until the command palette is gone. A command that asks for input (Preview Prompt's
   * sheet number, New Score's example) reopens the same widget at once, so "hidden" may never
   * be seen; the palette has also left when the widget holds a box that is not the palette's.
   */
  private async waitForPaletteToLeave(): Promise<void> {
    await this.page.waitForFunction(PALETTE_LEFT);
  }

  /** Puts the cursor at the start of a line of the active editor (Go to Line), focusing the editor. */
  async goToLine(line: number): Promise<void> {
    const input = await this.openQuickInput('Control+P');
    await input.fill(`:${line}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await this.page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: new RegExp(`Ln ${line}, Col 1\\b`) }).first().waitFor();
  }

  /** Expands a tree row unless it is already open (running jobs open by themselves; a click would close them). */
  async expandRow(row: Locator): Promise<void> {
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  }

  /** Opens a workspace file through quick open (Ctrl+P) and waits until its editor is active. */
  async openFile(relativePath: string): Promise<void> {
    const input = await this.openQuickInput('Control+P');
    await input.fill(relativePath);
    const name = basename(relativePath);
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exactly(name) }) }).first();
    await row.waitFor();
    await row.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    // Park the pointer on the empty part of the activity bar: left over the title bar's search
    // box it raises a tooltip, over the editor a hover, and either would cover screenshots.
    await this.page.mouse.move(24, 600);
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().waitFor();
  }

  /** Opens the Problems panel and reads its rows (file headers and related information left out). */
  async problems(): Promise<Problem[]> {
    await this.showProblems();
    return (await this.page.evaluate(READ_PROBLEMS)) as Problem[];
  }

  /** Waits until the Problems panel shows a finding with this code (e.g. 'V101') and returns it. */
  async waitForProblem(code: string, timeout = STEP_TIMEOUT_MS): Promise<Problem> {
    await this.showProblems();
    await this.page
      .locator('.markers-panel .marker-code', { hasText: exactly(code) })
      .first()
      .waitFor({ timeout })
      .catch(async () => {
        const shown = (await this.problems()).map((p) => `${p.code || '(no code)'} ${p.message}`);
        throw new Error(`the Problems panel showed no ${code} within ${timeout} ms; it shows ${shown.length ? shown.join(' | ') : 'nothing'}`);
      });
    const found = (await this.problems()).find((p) => p.code === code);
    if (!found) throw new Error(`the Problems panel showed ${code} and then lost it`);
    return found;
  }

  /** Clicks the Problems row with this code, which opens its file and selects the finding's range. */
  async goToProblem(code: string): Promise<void> {
    await this.showProblems();
    const row = this.page.locator('.markers-panel .monaco-list-row').filter({ has: this.page.locator('.marker-code', { hasText: exactly(code) }) }).first();
    await row.click();
  }

  /** Waits until the Problems panel has no rows at all. */
  async waitForNoProblems(timeout = STEP_TIMEOUT_MS): Promise<void> {
    await this.showProblems();
    await this.page
      .locator('.markers-panel .monaco-list-row')
      .first()
      .waitFor({ state: 'detached', timeout })
      .catch(async () => {
        const shown = (await this.problems()).map((p) => `${p.code} ${p.message}`);
        throw new Error(`the Problems panel still shows ${shown.join(' | ')} after ${timeout} ms`);
      });
  }

  /** The text of every status bar entry, left to right. */
  async statusBarText(): Promise<string[]> {
    const items = this.page.locator('#workbench\\.parts\\.statusbar .statusbar-item');
    return (await items.allInnerTexts()).map((t) => t.trim()).filter((t) => t.length > 0);
  }

  /** The notification toasts currently shown (their messages). */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts()).map((t) => t.trim());
  }

  /** Closes Chromium, then stops code-server and everything it started, including conductors. */
  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    this.browser = undefined;
    if (this.server) {
      await stopGroup(this.server);
      liveServers.delete(this.server);
      this.server = undefined;
    }
    // A conductor is detached into its own session, so it is found by the folder it was given.
    await killProcessesReferencing(this.root);
    const log = join(this.root, 'code-server.log');
    if (existsSync(log) && existsSync(this.shots)) cpSync(log, join(this.shots, 'code-server.log'));
    copyExtensionHostLogs(join(this.root, 'user-data', 'logs'), this.shots);
    const survivors = processesReferencing(this.root);
    if (!process.env.MOZART_UI_KEEP) rmSync(this.root, { recursive: true, force: true });
    liveRoots.delete(this.root);
    if (survivors.length > 0) throw new Error(`processes outlived the workbench: ${survivors.map(describeProcess).join('; ')}`);
  }

  /**
   * Clicks one of a tree row's inline actions (the icons a row shows while hovered), by its title
   * ("Pause Job"). The row is hovered first: VS Code renders those icons only then.
   */
  async clickInlineAction(row: Locator, title: string): Promise<void> {
    await row.hover();
    const action = row.locator('.actions').getByRole('button', { name: title, exact: true });
    await action.waitFor();
    await action.click();
    await this.parkPointer();
  }

  /** Opens a tree row's context menu and picks the entry with this title ("Diagnose Job"). */
  async pickContextMenuItem(row: Locator, title: string): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu').first();
    // The menu lives in a shadow root under .context-view; Playwright's CSS engine pierces it.
    const item = this.page.locator('.context-view .monaco-menu .action-item .action-label', { hasText: exactly(title) }).first();
    // VS Code's menus ignore a mouse-up that comes too soon after they open (it would be the
    // right-click's own), so a fast click can be dropped. Pointing at the entry focuses it and
    // Enter runs it, which no such guard stops. The menu closing is the sign the pick landed; a
    // live tree re-rendering under the menu can still close it early, so allow a few tries.
    for (let attempt = 1; ; attempt++) {
      await row.click({ button: 'right' });
      await item.waitFor();
      await item.hover();
      await this.page.locator('.context-view .monaco-menu .action-item.focused', { hasText: exactly(title) }).first().waitFor();
      await this.page.keyboard.press('Enter');
      const closed = await menu.waitFor({ state: 'detached', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (closed) break;
      if (attempt === 3) throw new Error(`the context menu entry '${title}' did not take after ${attempt} tries`);
      await this.page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
    }
    await this.parkPointer();
  }

  /**
   * Moves the pointer to the empty part of the activity bar: left over the title bar's search box
   * it raises a tooltip, over the editor or a tree a hover, and either would cover screenshots.
   */
  async parkPointer(): Promise<void> {
    await this.page.mouse.move(24, 600);
  }

  private async openQuickInput(key: string): Promise<Locator> {
    // Focus must be inside the workbench for its keybindings to fire.
    await this.page.locator('.monaco-workbench').focus().catch(() => undefined);
    await this.page.keyboard.press(key);
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    return input;
  }

  private quickInputRow(label: string): Locator {
    return this.page.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) }).first();
  }

  private async showProblems(): Promise<void> {
    const panel = this.page.locator('.markers-panel');
    if (await panel.isVisible()) return;
    await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor();
  }
}

/**
 * Reads the Problems panel's marker rows in the page. A string, not a function: tsx compiles test
 * functions with esbuild's name helpers, which do not exist in the page.
 */
// Evaluated in the page (the test's TypeScript has no DOM types): true once the command palette is
// hidden or its widget holds another input box than the palette's ">" one.
const PALETTE_LEFT = `(() => {
  const widget = document.querySelector('.quick-input-widget');
  if (!widget || widget.offsetParent === null || getComputedStyle(widget).display === 'none') return true;
  const box = widget.querySelector('.quick-input-box input');
  return box !== null && !box.value.startsWith('>');
})()`;

const READ_PROBLEMS = `[...document.querySelectorAll('.markers-panel .monaco-list-row')].flatMap((row) => {
  const details = row.querySelector('.marker-message-details-container');
  if (!details) return [];
  const icon = row.querySelector('.marker-icon')?.className ?? '';
  const pick = (selector) => details.querySelector(selector)?.textContent?.trim() ?? '';
  const at = /(\\d+)\\D+(\\d+)/.exec(pick('.marker-line'));
  return [{
    severity: /\\berror\\b/.test(icon) ? 'error' : /\\bwarning\\b/.test(icon) ? 'warning' : /\\binfo\\b/.test(icon) ? 'info' : 'unknown',
    message: pick('.marker-message'),
    source: pick('.marker-source'),
    code: pick('.marker-code'),
    line: at ? Number(at[1]) : 0,
    column: at ? Number(at[2]) : 0,
  }];
})`;

/** code-servers still running; the exit hook stops them if a test dies before its teardown. */
const liveServers = new Set<ChildProcess>();
/** Temp folders of workbenches not closed yet; removed on exit too. */
const liveRoots = new Set<string>();
function killLiveServers(): void {
  for (const server of liveServers) killGroup(server.pid, 'SIGKILL');
  if (process.env.MOZART_UI_KEEP) return;
  for (const root of liveRoots) rmSync(root, { recursive: true, force: true });
}
process.on('exit', killLiveServers);
// code-server runs detached, so it would outlive a test process stopped by a signal.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killLiveServers();
    process.kill(process.pid, signal);
  });
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'step';
}

/** Resolves with the first capture group of a line the process logs, or rejects when it exits first. */
function waitForLog(path: string, pattern: RegExp, child: ChildProcess, timeout: number): Promise<string> {
  return new Promise((resolvePort, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watcher.close();
      child.off('exit', onExit);
      if (error) reject(error);
      else resolvePort(value ?? '');
    };
    const check = () => {
      const match = pattern.exec(readFileSync(path, 'utf8'));
      if (match?.[1]) finish(undefined, match[1]);
    };
    const onExit = (code: number | null) => finish(new Error(`code-server exited (${code}) before it listened:\n${readFileSync(path, 'utf8')}`));
    const timer = setTimeout(() => finish(new Error(`code-server did not listen within ${timeout} ms:\n${readFileSync(path, 'utf8')}`)), timeout);
    const watcher = watch(path, check);
    child.on('exit', onExit);
    check();
  });
}

/** SIGTERM to the child's process group, SIGKILL if it has not exited within 5 s. */
function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
      killGroup(child.pid, 'SIGKILL');
      done();
      return;
    }
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      // Whatever the server left in its group (extension host, language server) goes too.
      killGroup(child.pid, 'SIGKILL');
      done();
    });
    killGroup(child.pid, 'SIGTERM');
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is empty
  }
}

/**
 * Kills (with their process groups) the processes whose command line, environment or working
 * directory mentions `root`: conductors the extension started for this workbench's socket and
 * Mozart home. Linux only (/proc); elsewhere nothing is found.
 */
async function killProcessesReferencing(root: string): Promise<void> {
  const pids = processesReferencing(root);
  for (const pid of pids) {
    killGroup(pid, 'SIGTERM');
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  if (pids.length === 0) return;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) {
    killGroup(pid, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function processesReferencing(root: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // no access
      }
      if (cmdline.includes(root) || environ.includes(root) || cwd.startsWith(root)) found.push(pid);
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found;
}

function describeProcess(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`;
  } catch {
    return String(pid);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie waits for a parent to reap it; it runs nothing any more.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Copies the extension host's and Mozart's output channels next to the screenshots, for diagnosis. */
function copyExtensionHostLogs(logsDir: string, dest: string): void {
  if (!existsSync(logsDir) || !existsSync(dest)) return;
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  for (const file of walk(logsDir)) {
    const name = basename(file);
    if (name === 'exthost.log' || /mozart/i.test(file) || name === 'remoteexthost.log') {
      cpSync(file, join(dest, `log-${name}`));
    }
  }
}
