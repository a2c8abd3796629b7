// In a real workbench, the diagnose panel's job timeline and cost chart for a finished job with a
// retry. The job runs on the real Claude Code CLI (claude_cli backend) against a scripted local
// Messages API (conductor/test/support/fake-anthropic.ts), so its cost comes from the CLI's own JSON
// result: sheet 1's first attempt writes notes instead of the report its validation wants, is
// retried after a backoff and passes; sheet 2 passes at once. Diagnose from the job's context menu
// must then draw sheet 1's two attempts and the wait between them, and a cost bar per sheet.
//
// Synchronisation is on what the workbench shows, never on time: each step waits for a DOM
// condition (a tree row's text, a tab, the webview's content).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { startFakeApi } from '../../../conductor/test/support/fake-anthropic.js';
import type { FakeApi } from '../../../conductor/test/support/fake-anthropic.js';
import { REPO_ROOT, STEP_TIMEOUT_MS, Workbench, commandMenuTitle, uiSkipReason } from './workbench.js';

const SCORE = 'timeline.score.yaml';
const JOB = 'timeline-retry';
const CLAUDE = join(REPO_ROOT, 'node_modules/.bin/claude');

/**
 * The agent: the real `claude` CLI, through a wrapper that points it at the local API (the
 * conductor's own environment stays as the editor gave it) with a home folder of its own.
 */
function writeWrapper(folder: string, apiUrl: string): string {
  const wrapper = join(folder, 'claude-offline.sh');
  const home = mkdtempSync(join(tmpdir(), 'claude-home-'));
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexport ANTHROPIC_BASE_URL='${apiUrl}' ANTHROPIC_API_KEY=test-key-not-secret CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 CLAUDE_CODE_MAX_RETRIES=0 IS_SANDBOX=1 HOME='${home}'\nexec '${CLAUDE}' "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return wrapper;
}

function writeScore(folder: string, wrapper: string, workspace: string): void {
  writeFileSync(
    join(folder, SCORE),
    `name: ${JOB}
workspace: ${workspace}
pause_between_sheets_seconds: 0
backend:
  type: claude_cli
  cli_path: ${wrapper}
  output_format: json
  timeout_seconds: 300
  working_directory: ${workspace}
retry: { max_retries: 2, base_delay_seconds: 1 }
learning: { enabled: false }
sheet: { size: 1, total_items: 2 }
prompt:
  template: "Write the report for sheet {{ sheet_num }} into {{ workspace }}/report-{{ sheet_num }}.md"
validations:
  - { type: content_contains, path: "{workspace}/report-{sheet_num}.md", pattern: "all checks green", retry_count: 0 }
`,
  );
}

/** A job whose sheet 2 runs until the test lets it finish (a file named go in its workspace). */
const LIVE_SCORE = 'live.score.yaml';
const LIVE_JOB = 'timeline-live';

function writeLiveScore(folder: string, workspace: string): void {
  writeFileSync(
    join(folder, LIVE_SCORE),
    `name: ${LIVE_JOB}
workspace: ${workspace}
pause_between_sheets_seconds: 0
backend:
  type: command
  command: 'if [ "$MOZART_SHEET_NUM" = 2 ]; then while [ ! -e "$MOZART_WORKSPACE/go" ]; do sleep 0.1; done; fi'
  timeout_seconds: 300
learning: { enabled: false }
sheet: { size: 1, total_items: 2 }
prompt: { template: "sheet {{ sheet_num }}" }
`,
  );
}

const skip = uiSkipReason();

describe('job timeline in the diagnose panel', () => {
  let workbench: Workbench;
  let api: FakeApi | undefined;
  let liveWorkspace = '';

  before(async () => {
    if (skip) return;
    // The job's workspace is known before the workbench starts, so the API's script can name its files
    // (the Write tool takes absolute paths); the folder must exist for the Write tool.
    const workspace = join(mkdtempSync(join(tmpdir(), 'mzui-tl-')), 'ws');
    mkdirSync(workspace, { recursive: true });
    // The main conversation's replies in order: each attempt is a Write, then a line of text.
    api = await startFakeApi([
      // Claude Code's Write will not overwrite a file it has not read: the first attempt writes notes, not the report.
      { kind: 'write', filePath: join(workspace, 'notes-1.md'), content: 'Draft, checks still running\n' },
      { kind: 'text', text: 'Draft written.' },
      { kind: 'write', filePath: join(workspace, 'report-1.md'), content: 'Report: all checks green\n' },
      { kind: 'text', text: 'Report written.' },
      { kind: 'write', filePath: join(workspace, 'report-2.md'), content: 'Report 2: all checks green\n' },
      { kind: 'text', text: 'Report written.' },
    ]);
    const url = api.url;
    liveWorkspace = join(mkdtempSync(join(tmpdir(), 'mzui-live-')), 'ws');
    workbench = await Workbench.start({
      name: 'timeline',
      prepare: (folder) => {
        writeScore(folder, writeWrapper(folder, url), workspace);
        writeLiveScore(folder, liveWorkspace);
      },
    });
  });

  after(async () => {
    await workbench?.close();
    await api?.close();
  });

  test('a finished job with a retry: Diagnose draws its attempts, the wait between them and a cost bar per sheet', { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(SCORE);
    await workbench.runCommand('Mozart: Run Score');
    await workbench.parkPointer();

    const item = page.locator('.activitybar .action-item', { has: page.locator('.action-label[aria-label^="Mozart"]') }).first();
    if (!/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
    const rows = page.locator('.pane-body .monaco-list-row');
    const jobRow = rows.filter({ hasText: JOB }).first();
    await jobRow.waitFor();
    const done = rows.filter({ hasText: new RegExp(`${JOB}\\s*(completed|failed)`) }).first();
    await done.waitFor({ timeout: STEP_TIMEOUT_MS * 4 }).catch(async () => {
      throw new Error(`the job did not finish; the tree shows ${(await rows.allInnerTexts()).join(' | ')}`);
    });
    assert.match((await done.innerText()).replace(/\s+/g, ' '), new RegExp(`${JOB}\\s*completed · 2/2 sheets`), 'the job completed');

    const diagnose = commandMenuTitle('mozart.diagnose');
    assert.ok(diagnose, 'package.json contributes mozart.diagnose');
    await workbench.pickContextMenuItem(jobRow, diagnose);
    await page.locator('.tabs-container .tab.active', { hasText: `Diagnose: ${JOB}` }).waitFor();
    const view: FrameLocator = page.frameLocator('iframe.webview').frameLocator('#active-frame');

    // The timeline: sheet 1's failed first attempt, its retry backoff and the retry that passed; sheet 2's one attempt.
    const timeline = view.locator('svg.timeline');
    await timeline.waitFor();
    const sheet1 = timeline.locator('g.sheet[data-sheet="1"]');
    const sheet2 = timeline.locator('g.sheet[data-sheet="2"]');
    assert.equal(await sheet1.locator('rect.attempt').count(), 2);
    assert.equal(await sheet1.locator('rect.attempt.mode-first.outcome-failed').count(), 1, 'the first attempt is drawn as one that did not pass');
    assert.equal(await sheet1.locator('rect.attempt.mode-retry.outcome-completed').count(), 1);
    assert.equal(await sheet1.locator('rect.wait.wait-retry').count(), 1, 'the backoff before the retry');
    assert.equal(await sheet2.locator('rect.attempt.mode-first.outcome-completed').count(), 1);
    const firstTitle = (await sheet1.locator('rect.attempt.mode-first > title').textContent()) ?? '';
    assert.match(firstTitle, /^Sheet 1 · attempt 1 \(first run\) · failed, retried · \S+: agent \S+, validation \S+ · cost \$\d+\.\d+ · /);
    assert.equal(await view.locator('.legend li', { hasText: 'retry backoff' }).count(), 1);
    assert.ok((await timeline.locator('.axis text').count()) >= 2, 'a time axis with at least one tick');

    // The cost chart: one bar per sheet; sheet 1's includes what its failed attempt cost.
    const chart = view.locator('svg.cost-chart');
    await chart.waitFor();
    assert.equal(await chart.locator('g.cost-bar').count(), 2);
    const retryCost = Number(await chart.locator('g.cost-bar[data-sheet="1"]').getAttribute('data-retry-cost'));
    const cost1 = Number(await chart.locator('g.cost-bar[data-sheet="1"]').getAttribute('data-cost'));
    assert.ok(retryCost > 0 && cost1 > retryCost, `sheet 1 cost ${cost1}, ${retryCost} of it on the failed attempt`);
    assert.equal(await chart.locator('g.cost-bar[data-sheet="1"] rect.cost-retry').count(), 1);
    await view.locator('.cost-summary', { hasText: /Cost per sheet: \$\d+\.\d+ in all/ }).waitFor();

    // The job's completion toast would cover the chart in the screenshot.
    await workbench.runCommand('Notifications: Clear All Notifications');
    await page.locator('.notification-toast').first().waitFor({ state: 'hidden' });
    await view.locator('h2', { hasText: 'Timeline' }).scrollIntoViewIfNeeded();
    await workbench.screenshot('job timeline');
  });

  test('a running job: the panel redraws itself in place as the job goes on, with no Refresh', { skip }, async () => {
    const { page } = workbench;
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.openFile(LIVE_SCORE);
    await workbench.runCommand('Mozart: Run Score');
    await workbench.parkPointer();
    const rows = page.locator('.pane-body .monaco-list-row');
    const jobRow = rows.filter({ hasText: new RegExp(`${LIVE_JOB}\\s*running · 1/2 sheets`) }).first();
    await jobRow.waitFor();
    await workbench.pickContextMenuItem(jobRow, commandMenuTitle('mozart.diagnose') ?? 'Diagnose');
    await page.locator('.tabs-container .tab.active', { hasText: `Diagnose: ${LIVE_JOB}` }).waitFor();
    const view: FrameLocator = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const sheet2 = view.locator('svg.timeline g.sheet[data-sheet="2"]');
    await sheet2.locator('rect.attempt.open').waitFor();
    // A mark on the page: a redraw in place keeps it; a page loaded afresh would not have it.
    await view.locator('#report').evaluate((element) => element.parentElement?.setAttribute('data-mark', 'kept'));

    writeFileSync(join(liveWorkspace, 'go'), '');
    await sheet2.locator('rect.attempt.outcome-completed').waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.equal(await sheet2.locator('rect.attempt.open').count(), 0, 'the open attempt became the finished one');
    assert.equal(await view.locator('body[data-mark="kept"]').count(), 1, 'redrawn in place: the page was not loaded again');
    await view.locator('#report .badge', { hasText: 'completed' }).first().waitFor();
    await view.locator('h2', { hasText: 'Timeline' }).scrollIntoViewIfNeeded();
    await workbench.screenshot('diagnose panel redrawn live');
  });
});
