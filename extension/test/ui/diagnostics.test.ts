// In a real workbench: the installed extension checks a score as soon as it is opened, the
// Problems panel shows the finding with its check id, and its quick fix clears it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXAMPLES, STEP_TIMEOUT_MS, Workbench, uiSkipReason } from './workbench.js';

const SCORE = 'hello-world.yaml';
const TYPO = 'audiance';

/** hello-world.yaml with its template reading `{{ audiance }}`, a variable nothing declares. */
function breakScore(folder: string): void {
  const text = readFileSync(join(EXAMPLES, SCORE), 'utf8');
  assert.ok(text.includes('{{ audience }}'), 'the example still reads {{ audience }}');
  writeFileSync(join(folder, SCORE), text.replace('{{ audience }}', `{{ ${TYPO} }}`));
}

/** 1-based line and column of the first occurrence of `needle`, as the Problems panel shows them. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  assert.ok(index >= 0, `${needle} is in the text`);
  return { line: index + 1, column: (lines[index] ?? '').indexOf(needle) + 1 };
}

// Each test is skipped (loudly, and never in CI) when code-server or Chromium is not installed.
const skip = uiSkipReason();

describe('score diagnostics in the workbench', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'diagnostics', prepare: breakScore });
  });

  after(async () => {
    await workbench?.close();
  });

  test('opening a broken score shows its V101 finding in the Problems panel', { skip }, async () => {
    await workbench.screenshot('workbench open');
    await workbench.openFile(SCORE);
    await workbench.screenshot('broken score open');

    const problem = await workbench.waitForProblem('V101');
    await workbench.screenshot('problems panel shows V101');
    const expected = positionOf(readFileSync(join(workbench.folder, SCORE), 'utf8'), TYPO);
    assert.equal(problem.severity, 'warning');
    assert.match(problem.message, /Undefined template variable 'audiance'/);
    assert.match(problem.message, /Did you mean 'audience'\?/);
    assert.deepEqual({ line: problem.line, column: problem.column }, expected);
    assert.deepEqual((await workbench.problems()).map((p) => p.code), ['V101'], 'the only finding');
  });

  test('the quick fix on the squiggle corrects the variable and clears the Problems panel', { skip }, async () => {
    const { page } = workbench;
    // The finding is below the fold: the Problems row scrolls the editor to it. Then put the
    // cursor on the squiggle the way a person would, by clicking it.
    await workbench.goToProblem('V101');
    const squiggle = page.locator('.editor-group-container.active .monaco-editor .squiggly-warning').first();
    await squiggle.waitFor();
    const box = await squiggle.boundingBox();
    assert.ok(box, 'the squiggle is on screen');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'audience'" }).first();
    await fix.waitFor({ timeout: STEP_TIMEOUT_MS });
    await workbench.screenshot('quick fix menu');
    // The menu ignores clicks until the pointer has moved over it (VS Code's pointer block).
    const item = await fix.boundingBox();
    assert.ok(item, 'the fix is on screen');
    await page.mouse.move(item.x + item.width / 2, item.y + item.height / 2);
    await fix.click();

    await workbench.waitForNoProblems();
    await workbench.screenshot('problems panel clean');
    await page.keyboard.press('Control+S');
    await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached' });
    await workbench.screenshot('fixed score saved');
    const saved = readFileSync(join(workbench.folder, SCORE), 'utf8');
    assert.ok(saved.includes('{{ audience }}') && !saved.includes(TYPO), 'the saved score reads {{ audience }}');
    assert.deepEqual(await workbench.problems(), []);
  });
});
