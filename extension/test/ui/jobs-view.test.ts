// In a real workbench: the Run code lens above a score starts a conductor (autoStart) and submits
// the job; the Mozart view shows its sheets completing, a notification says it completed, and a
// sheet's log opens from the tree. A score that cannot pass its validations shows the retry
// countdown in the tree and a failure notification that offers Diagnose.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXAMPLES, STEP_TIMEOUT_MS, Workbench, uiSkipReason } from './workbench.js';

const GOOD = 'hello-world.yaml';
const BAD = 'never-done.score.yaml';

/** hello-world as it is, and a copy whose agent writes nothing, so every attempt fails E201. */
function prepare(folder: string): void {
  const text = readFileSync(join(EXAMPLES, GOOD), 'utf8');
  writeFileSync(join(folder, GOOD), text);
  const bad = text
    .replace(/^name: hello-world$/m, 'name: never-done')
    .replace(/^workspace: .*$/m, 'workspace: ./workspace-never')
    .replace(/^ {2}command: >-\n(?: {4}.*\n)+/m, '  command: "echo doing nothing"\n')
    .replace(/max_retries: 2/, 'max_retries: 1')
    .replace(/base_delay_seconds: 1/, 'base_delay_seconds: 4');
  assert.notEqual(bad, text);
  assert.match(bad, /command: "echo doing nothing"/);
  writeFileSync(join(folder, BAD), bad);
}

// Each test is skipped (loudly, and never in CI) when code-server or Chromium is not installed.
const skip = uiSkipReason();

describe('running a score from the editor', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'jobs-view', prepare });
  });

  after(async () => {
    await workbench?.close();
  });

  const jobRows = () => workbench.page.locator('.pane-body .monaco-list-row');

  /** Shows the Mozart view (clicking its activity bar icon while it shows would hide the side bar). */
  const showMozartView = async () => {
    const { page } = workbench;
    const item = page.locator('.activitybar .action-item', { has: page.locator('.action-label[aria-label^="Mozart"]') }).first();
    if (!/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
    await page.locator('.part.sidebar .title-label', { hasText: /mozart/i }).first().waitFor();
  };

  test('Run above the score starts a conductor, and the Mozart view follows the job to completion', { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(GOOD);
    const lens = page.locator('.codelens-decoration');
    await lens.first().waitFor();
    assert.match((await lens.first().innerText()).replace(/\s+/g, ' '), /Run \| Dry run \| Show Sheet Plan \| Validate/);
    await workbench.screenshot('code lens');
    assert.ok(!existsSync(workbench.socketPath), 'no conductor before anything asked for one');

    await lens.locator('a', { hasText: 'Run' }).first().click();
    const done = page.locator('.notification-toast', { hasText: "Mozart job 'hello-world' completed: 3 sheets." });
    await done.waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.ok(existsSync(workbench.socketPath), 'the conductor was started on the configured socket');
    await workbench.screenshot('completed notification');

    await showMozartView();
    const job = jobRows().filter({ hasText: 'hello-world' }).first();
    await job.waitFor();
    await workbench.expandRow(job);
    await jobRows().filter({ hasText: 'Sheet 3' }).first().waitFor();
    const rows = (await jobRows().allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    await workbench.screenshot('jobs view');
    assert.match(rows[0] ?? '', /^hello-world\s*completed · 3\/3 sheets$/);
    for (const n of [1, 2, 3]) assert.ok(rows.some((r) => new RegExp(`^Sheet ${n}\\s*completed · 1 attempt · \\d`).test(r)), `sheet ${n} row in ${rows.join(' | ')}`);
    assert.match((await workbench.statusBarText()).join(' | '), /Mozart: idle/);

    await jobRows().filter({ hasText: 'Sheet 2' }).first().click();
    await page.locator('.tabs-container .tab.active', { hasText: 'sheet-2.log' }).waitFor();
    await page.locator('.editor-group-container.active .view-lines', { hasText: 'sheet 2 saved its greeting' }).waitFor();
    await workbench.screenshot('sheet log');
  });

  test('a sheet that fails its validations shows its retry countdown, then a failure notification offering Diagnose', { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(BAD);
    await page.locator('.codelens-decoration a', { hasText: 'Run' }).first().click();
    await showMozartView();
    const job = jobRows().filter({ hasText: 'never-done' }).first();
    await workbench.expandRow(job);
    const retrying = jobRows().filter({ hasText: /Sheet 1\s*retrying in \d+s · attempt 2 · E201/ }).first();
    await retrying.waitFor();
    await workbench.screenshot('retry countdown');

    const failed = page.locator('.notification-toast', { hasText: "Mozart job 'never-done' failed" }).first();
    await failed.waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.match(await failed.innerText(), /E201/);
    await failed.locator('.monaco-button', { hasText: 'Diagnose' }).waitFor();
    await jobRows().filter({ hasText: /Sheet 1\s*failed · E201 · 2 attempts/ }).first().waitFor();
    await workbench.screenshot('failed job');
  });
});
