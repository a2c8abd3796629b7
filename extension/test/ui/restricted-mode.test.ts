// In a workspace the user has not trusted (VS Code's Restricted Mode) the extension still checks
// scores, since checking runs nothing, but it refuses to run one: a score's backend runs commands.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXAMPLES, STEP_TIMEOUT_MS, Workbench, commandTitle, uiSkipReason } from './workbench.js';

const SCORE = 'hello-world.yaml';
const BROKEN = 'broken.yaml';
const RUN_SCORE = 'mozart.runScore';

/**
 * The workspace: hello-world.yaml as it is (valid, so trust is the only reason not to run it) and
 * broken.yaml, a copy whose workspace's parent folder does not exist (V002, an error).
 */
function prepare(folder: string): void {
  const text = readFileSync(join(EXAMPLES, SCORE), 'utf8');
  assert.match(text, /^workspace: \.\/workspace-hello$/m, 'the example still sets workspace: ./workspace-hello');
  writeFileSync(join(folder, SCORE), text);
  writeFileSync(join(folder, BROKEN), text.replace(/^workspace: .*$/m, 'workspace: ./missing/workspace-hello'));
}

// Each test is skipped (loudly, and never in CI) when code-server or Chromium is not installed.
const skip = uiSkipReason();

describe('a score in an untrusted workspace', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'restricted-mode', prepare, trust: true });
  });

  after(async () => {
    await workbench?.close();
  });

  test('still gets diagnostics after the user declines to trust it', { skip }, async () => {
    const { page } = workbench;
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    await workbench.screenshot('trust dialog');
    await dialog.getByRole('button', { name: /No, I don.t trust the authors/ }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('#workbench\\.parts\\.statusbar', { hasText: 'Restricted Mode' }).waitFor();
    await workbench.screenshot('restricted mode');

    await workbench.openFile(BROKEN);
    const problem = await workbench.waitForProblem('V002');
    await workbench.screenshot('problems panel shows V002');
    assert.equal(problem.severity, 'error');
    assert.match(problem.message, /parent folder .*missing does not exist/);
    assert.equal(problem.line, 19);
  });

  test('refuses to run the score', { skip }, async (t) => {
    const title = commandTitle(RUN_SCORE);
    if (!title) {
      t.skip(`package.json contributes no ${RUN_SCORE} command yet`);
      return;
    }
    const { page } = workbench;
    await workbench.openFile(SCORE);
    const palette = page.locator('.quick-input-widget');
    let refusal = '';
    try {
      await workbench.runCommand(title);
    } catch (error) {
      // Hiding the command in Restricted Mode is a refusal too.
      refusal = `the palette offers no '${title}': ${(error as Error).message}`;
      await workbench.screenshot('run score not offered');
      await page.keyboard.press('Escape');
      await palette.waitFor({ state: 'hidden' });
    }
    if (!refusal) {
      const message = page.locator('.notification-toast .notification-list-item-message', { hasText: /trust/i }).first();
      await message.waitFor({ timeout: STEP_TIMEOUT_MS });
      refusal = (await message.innerText()).trim();
      await workbench.screenshot('run score refused');
    }
    t.diagnostic(`refusal: ${refusal}`);
    assert.ok(!existsSync(workbench.socketPath), 'no conductor was started');
    assert.deepEqual(readdirSync(workbench.folder).sort(), [BROKEN, SCORE], 'nothing was created in the workspace');
  });
});
