// In a real workbench with no folder open, "New Score from Example" says why it needs a place for
// the file, asks once where to save it (code-server's save dialog is a quick input with a path), and
// the saved score opens with its CodeLens: Run submits it directly and the job completes in the
// workspace next to it. Synchronisation is on what the workbench shows, never on time.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { STEP_TIMEOUT_MS, Workbench, commandTitle, uiSkipReason } from './workbench.js';

const skip = uiSkipReason();
/** The save dialog's path box ends with the example's file name (a page script: no DOM types here). */
const PROPOSES_EXAMPLE_NAME = `(document.querySelector('.quick-input-widget .quick-input-box input')?.value ?? '').endsWith('/hello-world.yaml')`;

describe('New Score from Example without a folder', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'new-score-no-folder', noFolder: true });
  });

  after(async () => {
    await workbench?.close();
  });

  test('says why, asks once where to save, and the saved score runs from its CodeLens', { skip }, async () => {
    const { page } = workbench;
    assert.equal(await page.locator('.explorer-folders-view .monaco-list-row').count(), 0, 'no folder is open');
    // The palette lists the extension's commands once its contributions are in: its view container shows then.
    await page.locator('.activitybar .action-label[aria-label^="Mozart"]').first().waitFor();
    const newScore = commandTitle('mozart.newScore');
    assert.ok(newScore, 'package.json contributes mozart.newScore');
    await workbench.runCommand(newScore);
    const picks = page.locator('.quick-input-list .monaco-list-row');
    await picks.filter({ has: page.locator('.label-name', { hasText: /^\s*hello-world\.yaml\s*$/ }) }).first().click();

    // Why a place is needed, before any dialog.
    const modal = page.locator('.monaco-dialog-box');
    await modal.filter({ hasText: 'No folder is open in this window, so the new score has no workspace to go to' }).waitFor();
    await workbench.screenshot('no folder: why a place is needed');
    await modal.getByRole('button', { name: 'Choose Where to Save' }).click();

    // The save dialog proposes the example's name; the test saves into its own folder instead.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    // The dialog fills its path box once it has listed the folder.
    await page
      .waitForFunction(PROPOSES_EXAMPLE_NAME, undefined, { timeout: STEP_TIMEOUT_MS })
      .catch(async () => assert.fail(`the save dialog proposed '${await input.inputValue()}', not the example's name`));
    const target = join(workbench.folder, 'greetings.yaml');
    await input.fill(target);
    await workbench.screenshot('no folder: the save dialog');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

    await page.locator('.tabs-container .tab.active', { hasText: 'greetings.yaml' }).waitFor();
    assert.ok(existsSync(target), 'the score is a real file where it was asked to go');
    const text = readFileSync(target, 'utf8');
    assert.match(text, /^name: greetings$/m, 'the job is named after the file');
    assert.match(text, /^workspace: \.\/workspace-greetings$/m);

    const lens = page.locator('.editor-group-container.active .codelens-decoration');
    await lens.first().waitFor();
    assert.match((await lens.first().innerText()).replace(/\s+/g, ' '), /Run \| Dry run/);
    await workbench.screenshot('no folder: the new score open with its code lens');
    await lens.locator('a', { hasText: 'Run' }).first().click();
    await page.locator('.notification-toast', { hasText: "Mozart job 'greetings' completed: 3 sheets." }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    // Run asked nothing more: a second file dialog (a quick input in code-server) would be open.
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false);
    assert.ok(existsSync(join(workbench.folder, 'workspace-greetings', 'greeting-3.md')), 'the job ran in the workspace next to the score');
    await workbench.screenshot('no folder: the new score ran');
  });
});
