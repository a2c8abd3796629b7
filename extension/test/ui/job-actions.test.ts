// In a real workbench, the actions on a job in the Mozart view: a job started from the command palette
// whose agent waits for a go-file (so the test decides when sheet 1 finishes) shows in the status
// bar as running; a window reload finds it again, still on its first attempt; Pause from the job's inline action pauses it once the running sheet finishes;
// Resume from the tree runs it to completion; Diagnose from its context menu opens the diagnose
// panel, a webview with the job's summary.
//
// Synchronisation is on what the workbench shows, never on time: every step waits for a DOM
// condition (a tree row's text, a status bar entry, an editor line, a tab, the webview's content).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { EXAMPLES, STEP_TIMEOUT_MS, Workbench, commandMenuTitle, uiSkipReason } from './workbench.js';

const SCORE = 'go-wait.score.yaml';
const JOB = 'go-wait';
const GO_FILE = 'go';

/** A menu or inline-action title from the manifest; a test cannot run without the command. */
function title(command: string): string {
  const found = commandMenuTitle(command);
  assert.ok(found, `package.json contributes ${command}`);
  return found;
}

/**
 * hello-world renamed, with an agent that first waits for the go-file in the workspace folder: the
 * job stays on sheet 1 until the test writes it. A long time limit, since the test holds sheet 1
 * for several steps.
 */
function prepare(folder: string): void {
  const text = readFileSync(join(EXAMPLES, 'hello-world.yaml'), 'utf8');
  const goFile = join(folder, GO_FILE);
  const waiting = text
    .replace(/^name: hello-world$/m, `name: ${JOB}`)
    .replace(/^workspace: .*$/m, 'workspace: ./workspace-go-wait')
    .replace(/^ {2}command: >-\n/m, `  command: >-\n    while [ ! -e '${goFile}' ]; do sleep 0.1; done &&\n`)
    .replace(/^ {2}timeout_seconds: 60$/m, '  timeout_seconds: 600');
  assert.match(waiting, new RegExp(`^name: ${JOB}$`, 'm'));
  assert.match(waiting, /while \[ ! -e '.*\/go' \]/);
  assert.match(waiting, /timeout_seconds: 600/);
  writeFileSync(join(folder, SCORE), waiting);
}

// Each test is skipped (loudly, and never in CI) when code-server or Chromium is not installed.
const skip = uiSkipReason();

describe('job actions in the Mozart view', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'job-actions', prepare });
  });

  after(async () => {
    await workbench?.close();
  });

  const rows = () => workbench.page.locator('.pane-body .monaco-list-row');
  const jobRow = () => rows().filter({ hasText: JOB }).first();
  const statusItem = () => workbench.page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: /Mozart:/ }).first();

  /** Shows the Mozart view (clicking its activity bar icon while it shows would hide the side bar). */
  const showMozartView = async () => {
    const { page } = workbench;
    const item = page.locator('.activitybar .action-item', { has: page.locator('.action-label[aria-label^="Mozart"]') }).first();
    if (!/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
    await page.locator('.part.sidebar .title-label', { hasText: /mozart/i }).first().waitFor();
  };

  /** The text of every row of the tree, whitespace collapsed, for assertion messages. */
  const rowTexts = async () => (await rows().allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());

  test('a running job shows in the status bar', { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(SCORE);
    // From the command palette this time (the jobs-view test starts its job from the CodeLens).
    await workbench.runCommand('Mozart: Run Score');
    await workbench.parkPointer();

    await showMozartView();
    await jobRow().waitFor();
    await workbench.expandRow(jobRow());
    await rows().filter({ hasText: /Sheet 1\s*running [\dhms ]+· attempt 1/ }).first().waitFor();
    await rows().filter({ hasText: new RegExp(`${JOB}\\s*running · 0/3 sheets`) }).first().waitFor();
    await workbench.screenshot('sheet 1 waits for the go-file');

    await statusItem().filter({ hasText: 'Mozart: 1 job running' }).waitFor();
    await page.locator('.activitybar .badge .badge-content', { hasText: /^1$/ }).first().waitFor();
    // The tooltip names the conductor the window is connected to.
    await statusItem().hover();
    const hover = page.locator('.workbench-hover, .monaco-hover', { hasText: /Conductor pid \d+, version \S+/ }).first();
    await hover.waitFor();
    await workbench.screenshot('status bar shows 1 job running');
    assert.match((await hover.innerText()).replace(/\s+/g, ' '), /Click for conductor actions/);
    await workbench.parkPointer();
    await hover.waitFor({ state: 'hidden' });
  });

  test('reloading the window finds the running job again: the conductor kept running it', { skip }, async () => {
    const { page } = workbench;
    await workbench.runCommand('Developer: Reload Window');
    await page.locator('#workbench\\.parts\\.statusbar').waitFor();
    // A new extension host connects to the same conductor and finds the job where it was.
    await statusItem().filter({ hasText: 'Mozart: 1 job running' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await showMozartView();
    await rows().filter({ hasText: new RegExp(`${JOB}\\s*running · 0/3 sheets`) }).first().waitFor();
    await workbench.expandRow(jobRow());
    // Attempt 1 still: the sheet was not restarted by the reload.
    await rows().filter({ hasText: /Sheet 1\s*running [\dhms ]+· attempt 1/ }).first().waitFor();
    // The window follows the job it started again: its progress notification is back (and the
    // next test's "paused" notification depends on it).
    await page.locator('.notification-toast, .notifications-center', { hasText: `Mozart: ${JOB}` }).first().waitFor();
    await workbench.screenshot('after a window reload the job is still running');
  });

  test('Pause from the tree pauses the job after its running sheet; Resume from the tree completes it', { skip }, async () => {
    const { page } = workbench;
    await showMozartView();
    await workbench.clickInlineAction(jobRow(), title('mozart.pauseJob'));

    // The conductor records the request in the job's event log; the job log shows it, so the
    // go-file is written only once the pause has certainly arrived (no race with sheet 2).
    await workbench.pickContextMenuItem(jobRow(), title('mozart.showJobLog'));
    await page.locator('.tabs-container .tab.active', { hasText: 'job.log' }).waitFor();
    const logLines = page.locator('.editor-group-container.active .view-lines');
    await logLines
      .filter({ hasText: 'job.pausing' })
      .filter({ hasText: 'Pausing at the next safe point' })
      .waitFor()
      .catch(async () => {
        throw new Error(`the job log does not show the pause request; it shows: ${JSON.stringify(await logLines.first().innerText())}`);
      });
    await workbench.screenshot('job log shows the pause request');
    // Still running: the pause waits for sheet 1's agent.
    await rows().filter({ hasText: /Sheet 1\s*running [\dhms ]+· attempt 1/ }).first().waitFor();

    writeFileSync(join(workbench.folder, GO_FILE), 'go\n');
    const paused = rows().filter({ hasText: new RegExp(`${JOB}\\s*paused · 1/3 sheets`) }).first();
    await paused.waitFor({ timeout: STEP_TIMEOUT_MS }).catch(async () => {
      throw new Error(`the tree did not show ${JOB} paused; it shows ${(await rowTexts()).join(' | ')}`);
    });
    await rows().filter({ hasText: /Sheet 1\s*completed · 1 attempt/ }).first().waitFor();
    await page.locator('.notification-toast', { hasText: `Mozart job '${JOB}' is paused at 1/3 sheets.` }).first().waitFor();
    await statusItem().filter({ hasText: 'Mozart: idle' }).waitFor();
    const whilePaused = await rowTexts();
    await workbench.screenshot('job paused after sheet 1');
    for (const n of [2, 3]) assert.ok(whilePaused.some((r) => new RegExp(`^Sheet ${n}\\s*pending$`).test(r)), `sheet ${n} still pending in ${whilePaused.join(' | ')}`);

    await workbench.clickInlineAction(paused, title('mozart.resumeJob'));
    const completed = rows().filter({ hasText: new RegExp(`${JOB}\\s*completed · 3/3 sheets`) }).first();
    await completed.waitFor({ timeout: STEP_TIMEOUT_MS }).catch(async () => {
      throw new Error(`the tree did not show ${JOB} completed; it shows ${(await rowTexts()).join(' | ')}`);
    });
    await page.locator('.notification-toast', { hasText: `Mozart job '${JOB}' completed: 3 sheets.` }).first().waitFor();
    for (const n of [1, 2, 3]) await rows().filter({ hasText: new RegExp(`Sheet ${n}\\s*completed · 1 attempt`) }).first().waitFor();
    await statusItem().filter({ hasText: 'Mozart: idle' }).waitFor();
    await workbench.screenshot('job completed after resume');
  });

  test('Diagnose from the tree opens the diagnose panel with the job summary', { skip }, async () => {
    const { page } = workbench;
    await showMozartView();
    await workbench.pickContextMenuItem(jobRow(), title('mozart.diagnose'));
    await page.locator('.tabs-container .tab.active', { hasText: `Diagnose: ${JOB}` }).waitFor();

    // A webview is an iframe holding another iframe (#active-frame) with the page itself.
    const view: FrameLocator = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const heading = view.locator('h1', { hasText: JOB });
    await heading.waitFor();
    assert.match((await heading.innerText()).replace(/\s+/g, ' '), new RegExp(`^${JOB} completed$`));
    await view.locator('.meta', { hasText: /3 of 3 sheets done, 0 failed/ }).first().waitFor();
    await view.getByText('No sheet is failing.').waitFor();
    await view.locator('h2', { hasText: 'Error history' }).waitFor();
    await workbench.screenshot('diagnose panel');
  });
});
