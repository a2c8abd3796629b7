// In a real workbench, the job-side fixes of issue #16, one screenshot per item:
//   12. opening the Mozart view with no conductor starts one and the view says so (pid, that it
//       outlives the window, how to stop it);
//   11. a running job opens by itself and its running sheet's elapsed time ticks; a failed job
//       shows its error code beside its status, visible at the default width;
//    1. Pause answers at once: "pausing…" in the tree, Pause no longer offered, the status bar says pausing;
//    4. a paused job is cancelled from the tree; Remove Job takes one job off the list; Clear
//       Finished Jobs takes failed jobs too;
//    3. Re-run on a completed job runs it again to completion;
//    7. two jobs' sheet logs open as `<job>-sheet-N.log` tabs, told apart;
//    9. times in the sheet log header, the job tooltip and the diagnose panel are local.
// The workbench runs in a zone away from UTC (Asia/Kolkata, UTC+05:30, no daylight saving), so a
// local time is told apart from a UTC one by its "UTC+05:30".
//
// Synchronisation is on what the workbench shows, never on time: every step waits for a DOM
// condition (a tree row's text, a status bar entry, an editor line, a tab, a notification).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { EXAMPLES, STEP_TIMEOUT_MS, Workbench, commandMenuTitle, commandTitle, uiSkipReason } from './workbench.js';

// Before the workbench starts: code-server, its extension host and the conductor inherit it.
process.env.TZ = 'Asia/Kolkata';
const ZONE = 'UTC+05:30';
// The editor draws spaces as no-break spaces, so patterns matched against its text use \s.
const LOCAL_TIME = /\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\sUTC\+05:30/;
const ISO_UTC = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/;

const HOLD = 'hold.score.yaml';
const HOLD_JOB = 'hold';
const GO_FILE = 'go';
const RERUN = 'rerun.score.yaml';
const RERUN_JOB = 'rerun';
const RUNS_FILE = 'rerun-runs.txt';
const NEVER = 'never-done.score.yaml';
const NEVER_JOB = 'never-done';

/** A menu or inline-action title from the manifest; a test cannot run without the command. */
function title(command: string): string {
  const found = commandMenuTitle(command);
  assert.ok(found, `package.json contributes ${command}`);
  return found;
}

function paletteTitle(command: string): string {
  const found = commandTitle(command);
  assert.ok(found, `package.json contributes ${command}`);
  return found;
}

/**
 * Three copies of hello-world: `hold`, whose agent first waits for the go-file (so the test decides
 * when sheet 1 ends); `rerun`, whose agent appends a line to a file per sheet it runs (so a second
 * run is counted); `never-done`, whose agent writes nothing (every sheet fails E201, no retry).
 */
function prepare(folder: string): void {
  const text = readFileSync(join(EXAMPLES, 'hello-world.yaml'), 'utf8');
  const hold = text
    .replace(/^name: hello-world$/m, `name: ${HOLD_JOB}`)
    .replace(/^workspace: .*$/m, 'workspace: ./workspace-hold')
    .replace(/^ {2}command: >-\n/m, `  command: >-\n    while [ ! -e '${join(folder, GO_FILE)}' ]; do sleep 0.1; done &&\n`)
    .replace(/^ {2}timeout_seconds: 60$/m, '  timeout_seconds: 600');
  assert.match(hold, /while \[ ! -e '.*\/go' \]/);
  assert.match(hold, /timeout_seconds: 600/);
  writeFileSync(join(folder, HOLD), hold);

  const rerun = text
    .replace(/^name: hello-world$/m, `name: ${RERUN_JOB}`)
    .replace(/^workspace: .*$/m, 'workspace: ./workspace-rerun')
    .replace(/^ {2}command: >-\n/m, `  command: >-\n    echo "ran sheet $MOZART_SHEET_NUM" >> '${join(folder, RUNS_FILE)}' &&\n`);
  assert.match(rerun, /rerun-runs\.txt' &&/);
  writeFileSync(join(folder, RERUN), rerun);

  const never = text
    .replace(/^name: hello-world$/m, `name: ${NEVER_JOB}`)
    .replace(/^workspace: .*$/m, 'workspace: ./workspace-never')
    .replace(/^ {2}command: >-\n(?: {4}.*\n)+/m, '  command: "echo doing nothing"\n')
    .replace(/max_retries: 2/, 'max_retries: 0');
  assert.match(never, /command: "echo doing nothing"/);
  assert.match(never, /max_retries: 0/);
  writeFileSync(join(folder, NEVER), never);
}

// Each test is skipped (loudly, and never in CI) when code-server or Chromium is not installed.
const skip = uiSkipReason();

describe('job fixes of issue #16 in the Mozart view', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'job-polish', prepare });
  });

  after(async () => {
    await workbench?.close();
  });

  const rows = () => workbench.page.locator('.pane-body .monaco-list-row');
  const labelOf = (job: string) => workbench.page.locator('.label-name', { hasText: new RegExp(`^\\s*${job}\\s*$`) });
  const jobRow = (job: string) => rows().filter({ has: labelOf(job) }).first();
  const rowWith = (text: RegExp) => rows().filter({ hasText: text }).first();
  const statusItem = () => workbench.page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: /Mozart:/ }).first();
  const toast = (text: string) => workbench.page.locator('.notification-toast', { hasText: text }).first();
  /** The text of every row of the tree, whitespace collapsed, for assertion messages. */
  const rowTexts = async () => (await rows().allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  /** Waits for a row, saying what the tree showed instead when it does not come. */
  const waitRow = async (row: Locator, what: string) =>
    row.waitFor({ timeout: STEP_TIMEOUT_MS }).catch(async () => {
      throw new Error(`the tree did not show ${what}; it shows ${(await rowTexts()).join(' | ')}`);
    });

  /** Shows the Mozart view (clicking its activity bar icon while it shows would hide the side bar). */
  const showMozartView = async () => {
    const { page } = workbench;
    const item = page.locator('.activitybar .action-item', { has: page.locator('.action-label[aria-label^="Mozart"]') }).first();
    if (!/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
    await page.locator('.part.sidebar .title-label', { hasText: /mozart/i }).first().waitFor();
  };

  /** Closes a tree row when it is open (two jobs' sheet rows read alike: one job open at a time). */
  const collapseJob = async (job: string) => {
    const row = jobRow(job);
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) === 'true') await row.click();
    await workbench.page.locator('.pane-body .monaco-list-row[aria-expanded="false"]').filter({ has: labelOf(job) }).first().waitFor();
  };

  const runScore = async (file: string) => {
    await workbench.openFile(file);
    await workbench.runCommand(paletteTitle('mozart.runScore'));
    await workbench.parkPointer();
  };

  const clearNotifications = async () => {
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.page.locator('.notification-toast').first().waitFor({ state: 'detached' });
  };

  const runsSoFar = () => readFileSync(join(workbench.folder, RUNS_FILE), 'utf8').split('\n').filter(Boolean);

  test('12. opening the Mozart view with no conductor starts one, and the view says so', { skip }, async () => {
    const { page } = workbench;
    await showMozartView();
    const message = page.locator('.part.sidebar').getByText(/started a Mozart conductor in the background/).first();
    await message.waitFor().catch(async (error: Error) => {
      await workbench.screenshot('12 FAILED no message');
      throw error;
    });
    const text = (await message.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /It keeps running when this window closes; "Mozart: Stop Conductor" stops it/);
    // The notice keeps the empty view's buttons beside it (a tree message used to hide them).
    const welcome = page.locator('.part.sidebar .welcome-view-content');
    for (const label of ['Run Score', 'New Score from Example', 'Show Conductor Log']) await welcome.getByRole('button', { name: label, exact: true }).waitFor();
    await statusItem().filter({ hasText: 'Mozart: idle' }).waitFor();
    await workbench.screenshot('12 view says a conductor was started, its buttons beside it');
    // Its log names the process: a live one running the bundled conductor.js.
    await welcome.getByRole('button', { name: 'Show Conductor Log', exact: true }).click();
    // (The editor draws spaces as no-break spaces: \s matches them.)
    const logLine = page.locator('.part.panel .view-lines', { hasText: /Started\sa\sconductor\sin\sthe\sbackground\s\(pid\s\d+\)/ }).first();
    await logLine.waitFor();
    const pid = Number(/\(pid\s(\d+)\)/.exec(await logLine.innerText())?.[1]);
    assert.ok(pid > 0, 'the log line names a pid');
    process.kill(pid, 0);
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /conductor\.js/);
    await workbench.screenshot('12 the conductor log names the process');
    await workbench.runCommand('View: Hide Panel');
  });

  test('11. a running job opens by itself and its running sheet shows elapsed time, ticking', { skip }, async () => {
    const { page } = workbench;
    await runScore(HOLD);
    await showMozartView();
    // Open without a click: nothing in this test expands it.
    await page.locator('.pane-body .monaco-list-row[aria-expanded="true"]', { hasText: HOLD_JOB }).first().waitFor();
    const running = /Sheet 1\s*running ([\dhms ]+?) · attempt 1/;
    const first = running.exec(await rowWith(running).innerText())?.[1];
    assert.ok(first, 'sheet 1 shows how long it has run');
    // The elapsed time moves on while the sheet runs (the row re-renders each second).
    const escaped = first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await waitRow(rowWith(new RegExp(`Sheet 1\\s*running (?!${escaped} ·)[\\dhms ]+ · attempt 1`)), 'sheet 1 with a later elapsed time');
    await waitRow(rowWith(new RegExp(`${HOLD_JOB}\\s*running · 0/3 sheets`)), `${HOLD_JOB} running`);
    // With a job to show, the "started a conductor" message is gone.
    await page.locator('.part.sidebar').getByText(/started a Mozart conductor/).waitFor({ state: 'hidden' });
    await workbench.screenshot('11 running job open by itself with elapsed time');
  });

  test('1. Pause answers at once: pausing in the tree, Pause no longer offered, the status bar says pausing', { skip }, async () => {
    await showMozartView();
    await workbench.clickInlineAction(jobRow(HOLD_JOB), title('mozart.pauseJob'));
    // Sheet 1 still waits for the go-file, so everything below is the answer to the click alone.
    await waitRow(rowWith(new RegExp(`${HOLD_JOB}\\s*pausing… · 0/3 sheets`)), `${HOLD_JOB} pausing`);
    await statusItem().filter({ hasText: 'Mozart: 1 job pausing' }).waitFor();
    await rowWith(/Sheet 1\s*running [\dhms ]+ · attempt 1/).waitFor();
    const row = jobRow(HOLD_JOB);
    await row.hover();
    const actions = row.locator('.actions');
    await actions.getByRole('button', { name: title('mozart.cancelJob'), exact: true }).waitFor();
    assert.equal(await actions.getByRole('button', { name: title('mozart.pauseJob'), exact: true }).count(), 0, 'Pause is no longer offered');
    await workbench.screenshot('1 pausing at once, only Cancel offered');
    await workbench.parkPointer();
    // The status bar's tooltip says what pausing means.
    await statusItem().hover();
    await workbench.page.locator('.workbench-hover, .monaco-hover', { hasText: /Pausing: nothing new starts/ }).first().waitFor();
    await workbench.screenshot('1 status bar says pausing');
    await workbench.parkPointer();
  });

  test('4. a paused job is cancelled from the tree', { skip }, async () => {
    const { page } = workbench;
    writeFileSync(join(workbench.folder, GO_FILE), 'go\n');
    const paused = rowWith(new RegExp(`${HOLD_JOB}\\s*paused · 1/3 sheets`));
    await waitRow(paused, `${HOLD_JOB} paused`);
    await statusItem().filter({ hasText: 'Mozart: idle' }).waitFor();
    await workbench.clickInlineAction(paused, title('mozart.cancelJob'));
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.getByText(`Cancel job '${HOLD_JOB}'?`, { exact: false }).waitFor();
    await workbench.screenshot('4 cancel a paused job asks first');
    await dialog.locator('.monaco-button', { hasText: /^\s*Cancel Job\s*$/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitRow(rowWith(new RegExp(`${HOLD_JOB}\\s*cancelled · 1/3 sheets`)), `${HOLD_JOB} cancelled`);
    await workbench.screenshot('4 paused job cancelled');
  });

  test('3. Re-run on a completed job runs it again to completion', { skip }, async () => {
    await runScore(RERUN);
    await toast(`Mozart job '${RERUN_JOB}' completed: 3 sheets.`).waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.deepEqual(runsSoFar(), ['ran sheet 1', 'ran sheet 2', 'ran sheet 3']);
    await clearNotifications();
    await showMozartView();
    const completed = rowWith(new RegExp(`${RERUN_JOB}\\s*completed · 3/3 sheets`));
    await waitRow(completed, `${RERUN_JOB} completed`);
    await workbench.clickInlineAction(completed, title('mozart.rerunJob'));
    await toast(`Mozart job '${RERUN_JOB}' completed: 3 sheets.`).waitFor({ timeout: STEP_TIMEOUT_MS });
    // Every sheet's agent ran a second time.
    assert.deepEqual(runsSoFar(), ['ran sheet 1', 'ran sheet 2', 'ran sheet 3', 'ran sheet 1', 'ran sheet 2', 'ran sheet 3']);
    await waitRow(completed, `${RERUN_JOB} completed again`);
    await workbench.screenshot('3 re-run completed again');
  });

  test('7 and 9. two jobs\' sheet logs are named after their jobs, with local times in their headers; the tooltip says when, locally', { skip }, async () => {
    const { page } = workbench;
    await showMozartView();
    const editorText = () => page.locator('.editor-group-container.active .view-lines').first();
    const openSheetLog = async (job: string, other: string) => {
      await collapseJob(other);
      await workbench.expandRow(jobRow(job));
      await rowWith(/^\s*Sheet 1\s*completed/).click();
      await page.locator('.tabs-container .tab.active', { has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${job}-sheet-1\\.log\\s*$`) }) }).waitFor();
      // The attempt header: "=== attempt 1 (normal) 2026-12-05 02:40:00 UTC+05:30 ===".
      await editorText().filter({ hasText: new RegExp(`===\\sattempt\\s1\\s\\(\\w+\\)\\s${LOCAL_TIME.source}\\s===`) }).waitFor();
      assert.doesNotMatch(await editorText().innerText(), ISO_UTC, `${job}'s sheet log shows no raw UTC time`);
    };
    await openSheetLog(HOLD_JOB, RERUN_JOB);
    await openSheetLog(RERUN_JOB, HOLD_JOB);
    // Both tabs stay open, each named after its job.
    for (const job of [HOLD_JOB, RERUN_JOB]) await page.locator('.tabs-container .tab .label-name', { hasText: new RegExp(`^\\s*${job}-sheet-1\\.log\\s*$`) }).waitFor();
    await workbench.screenshot('7 two sheet logs told apart, local time in header');

    await jobRow(RERUN_JOB).hover();
    const hover = page.locator('.workbench-hover, .monaco-hover', { hasText: /Updated:/ }).first();
    await hover.waitFor();
    const tip = (await hover.innerText()).replace(/\s+/g, ' ');
    assert.match(tip, new RegExp(`Updated: ${LOCAL_TIME.source}`));
    assert.doesNotMatch(tip, ISO_UTC);
    assert.ok(tip.includes(ZONE));
    await workbench.screenshot('9 job tooltip in local time');
    await workbench.parkPointer();
    await hover.waitFor({ state: 'hidden' });
  });

  test('11 and 9. a failed job shows its error code beside its status at the default width; its diagnose panel shows local times', { skip }, async () => {
    const { page } = workbench;
    await runScore(NEVER);
    await toast(`Mozart job '${NEVER_JOB}' failed`).waitFor({ timeout: STEP_TIMEOUT_MS });
    await showMozartView();
    const failed = rowWith(new RegExp(`${NEVER_JOB}\\s*failed E201 · 0/3 sheets`));
    await waitRow(failed, `${NEVER_JOB} failed E201`);
    // Not cut off: the code's last character lies inside the row's visible label.
    const clipped = await page.evaluate(codeClipped(NEVER_JOB, 'E201'));
    assert.equal(clipped, false, 'E201 is visible at the default side bar width');
    await workbench.screenshot('11 failed job shows E201 beside its status');

    await workbench.pickContextMenuItem(failed, title('mozart.diagnose'));
    await page.locator('.tabs-container .tab.active', { hasText: `Diagnose: ${NEVER_JOB}` }).waitFor();
    const view: FrameLocator = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    await view.locator('h1', { hasText: NEVER_JOB }).waitFor();
    await view.locator('.meta', { hasText: new RegExp(`updated ${LOCAL_TIME.source}`) }).first().waitFor();
    await view.locator('h2', { hasText: 'Error history' }).waitFor();
    const body = await view.locator('body').innerText();
    assert.match(body, new RegExp(`${LOCAL_TIME.source}\\s+1\\s+1\\s+E201`), 'the error history row starts with a local time');
    assert.doesNotMatch(body, ISO_UTC, 'no raw UTC time anywhere in the panel');
    await workbench.screenshot('9 diagnose panel in local time');
  });

  test('4. Remove Job takes one job off the list; Clear Finished Jobs takes failed jobs too', { skip }, async () => {
    const { page } = workbench;
    await showMozartView();
    await workbench.pickContextMenuItem(jobRow(HOLD_JOB), title('mozart.removeJob'));
    await toast(`Removed job '${HOLD_JOB}' from the list`).waitFor();
    await jobRow(HOLD_JOB).waitFor({ state: 'detached' });
    await jobRow(RERUN_JOB).waitFor();
    await jobRow(NEVER_JOB).waitFor();
    await workbench.screenshot('4 one job removed');

    await workbench.runCommand(paletteTitle('mozart.clearJobs'));
    await toast('Cleared 2 finished jobs from the list.').waitFor();
    await jobRow(NEVER_JOB).waitFor({ state: 'detached' });
    await jobRow(RERUN_JOB).waitFor({ state: 'detached' });
    await page.locator('.part.sidebar').getByText('No jobs yet.', { exact: false }).first().waitFor();
    await workbench.screenshot('4 finished and failed jobs cleared');
  });
});

/**
 * A page expression: whether `code` in the description of the tree row labelled `job` is cut off
 * by the label's visible box (true also when there is no such row). A string, not a function: tsx
 * compiles test functions with helpers that do not exist in the page.
 */
function codeClipped(job: string, code: string): string {
  return `(() => {
  const job = ${JSON.stringify(job)};
  const code = ${JSON.stringify(code)};
  const row = [...document.querySelectorAll('.pane-body .monaco-list-row')].find((r) => r.querySelector('.label-name')?.textContent?.trim() === job);
  const description = row?.querySelector('.label-description');
  const box = row?.querySelector('.monaco-icon-label-container') ?? description;
  if (!description || !box) return true;
  const walker = document.createTreeWalker(description, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent.indexOf(code);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + code.length);
    return range.getBoundingClientRect().right > Math.min(box.getBoundingClientRect().right, row.getBoundingClientRect().right) + 0.5;
  }
  return true;
})()`;
}
