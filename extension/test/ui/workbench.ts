// A real VS Code workbench for UI tests: code-server (VS Code 1.100's workbench served to a
// browser) with the packaged extension installed from its .vsix, driven by Debian's Chromium
// through playwright-core. Every workbench gets its own user-data, extensions and Mozart home
// folders in a temp directory, so a test never touches the user's editor settings or conductor.
//
// scripts/setup-ui-tests.sh installs code-server into $MOZART_UI_DIR
// (default ~/.cache/mozart-ui/code-server); see ../shared/notes/real-vscode-and-claude.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, CODE_SERVER_ENTRY, REPO_ROOT, extensionVsix, inCI, uiUnavailableReason } from './install.js';
import { PALETTE_LEFT, READ_PROBLEMS } from './page-scripts.js';
import { copyExtensionHostLogs, describeProcess, killProcessesReferencing, liveRoots, liveServers, processesReferencing, stopGroup, waitForLog } from './processes.js';

export { EXAMPLES, REPO_ROOT, commandMenuTitle, commandTitle, extensionVsix, inCI, manifest, uiSkipReason, uiUnavailableReason } from './install.js';

const RESULTS = join(REPO_ROOT, 'test-results', 'ui');

/** How long one UI step (a palette entry appearing, diagnostics arriving) may take. */
export const STEP_TIMEOUT_MS = 30_000;
/** How long the workbench itself may take to come up (first load compiles a lot of JavaScript). */
const STARTUP_TIMEOUT_MS = 90_000;

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
  /** Open an empty window, no folder (`folder` is still made, for the test's files). */
  noFolder?: boolean;
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
    const open = this.options.noFolder ? [] : [this.folder];
    this.server = spawn(process.execPath, [...base, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check', ...open], {
      env,
      detached: true, // its own process group, so teardown reaches the extension host and its children
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    liveServers.add(this.server);
    const port = await waitForLog(logPath, /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/, this.server, STARTUP_TIMEOUT_MS);
    this.url = this.options.noFolder ? `http://127.0.0.1:${port}/?ew=true` : `http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.folder)}`;

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

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'step';
}

