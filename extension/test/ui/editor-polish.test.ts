// In a real workbench, the editor-side fixes of issue #16, one screenshot per item:
//    5. the check link in a diagnostic's hover opens docs/checks.md at the check's heading line;
//    6. top-level completion in a score starts with keys that act, not struck-through ones;
//    2. "Dry run" above a score shows its plan; the "Show Sheet Plan" code lens shows the same
//    view of the score's sheets, "Preview Prompt" shows a sheet's prompt as its agent gets it, and
//    both follow edits of the unsaved buffer;
//    `mozart` in the integrated terminal with no setup (trusted workspace): on PATH from the
//    extension's storage, and talking to the conductor the window uses.
//
// Synchronisation is on what the workbench shows, never on time.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { EXAMPLES, REPO_ROOT, Workbench, commandTitle, manifest, uiSkipReason } from './workbench.js';

const BROKEN = 'broken.score.yaml';
const TYPO = 'audiance';
const SMALL = 'small.score.yaml';
const PLAN = 'hello-world.yaml';
const TERMINAL_OUT = 'mozart-terminal.txt';

function paletteTitle(command: string): string {
  const found = commandTitle(command);
  assert.ok(found, `package.json contributes ${command}`);
  return found;
}

/** hello-world with an undeclared variable (V101); a small score to complete in; hello-world itself. */
function prepare(folder: string): void {
  const text = readFileSync(join(EXAMPLES, 'hello-world.yaml'), 'utf8');
  assert.ok(text.includes('{{ audience }}'));
  writeFileSync(join(folder, BROKEN), text.replace(/^name: hello-world$/m, 'name: broken').replace('{{ audience }}', `{{ ${TYPO} }}`));
  writeFileSync(join(folder, SMALL), 'name: small\nworkspace: ./workspace-small\nbackend:\n  type: command\n  command: echo hi\nsheet:\n  size: 1\n  total_items: 1\nprompt:\n  template: hi\n\n');
  writeFileSync(join(folder, PLAN), text);
}

/** The 1-based line of a check's heading in docs/checks.md (the line after its `<a id>` anchor). */
function headingLine(id: string): number {
  const lines = readFileSync(join(REPO_ROOT, 'docs', 'checks.md'), 'utf8').split('\n');
  const anchor = lines.indexOf(`<a id="${id.toLowerCase()}"></a>`);
  assert.ok(anchor >= 0, `docs/checks.md has an anchor for ${id}`);
  assert.match(lines[anchor + 1] ?? '', new RegExp(`^#+ ${id}\\b`));
  return anchor + 2;
}

// Each test is skipped (loudly, and never in CI) when code-server or Chromium is not installed.
const skip = uiSkipReason();

describe('editor fixes of issue #16', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    // The DOM renderer draws the terminal as text the test can read (and screenshots show it).
    workbench = await Workbench.start({ name: 'editor-polish', prepare, settings: { 'terminal.integrated.gpuAcceleration': 'off' } });
  });

  after(async () => {
    await workbench?.close();
  });

  const activeEditorLines = () => workbench.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();

  test('5. the check link in a diagnostic hover opens docs/checks.md at the check\'s heading', { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(BROKEN);
    await workbench.waitForProblem('V101');
    await workbench.goToProblem('V101');
    const squiggle = page.locator('.editor-group-container.active .monaco-editor .squiggly-warning').first();
    await squiggle.waitFor();
    const box = await squiggle.boundingBox();
    assert.ok(box, 'the squiggle is on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover', { hasText: /Undefined template variable 'audiance'/ }).first();
    await hover.waitFor();
    const link = hover.locator('a', { hasText: /^\s*V101\s*$/ }).first();
    await link.waitFor();
    await workbench.screenshot('5 diagnostic hover with the V101 link');
    await link.click();

    const line = headingLine('V101');
    await page.locator('.tabs-container .tab.active', { hasText: 'checks.md' }).waitFor();
    // The cursor is on the heading (the status bar's "Ln, Col"), and the heading is on screen.
    await page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: new RegExp(`Ln ${line}, Col 1\\b`) }).first().waitFor();
    await activeEditorLines().filter({ hasText: 'V101 — Undefined template variable' }).waitFor();
    await workbench.parkPointer();
    await workbench.screenshot('5 checks.md opened at the V101 heading');
  });

  test('6. top-level completion starts with keys that act, struck-through ones after them', { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(SMALL);
    // Go to Line rather than a click and Control+End: it focuses the editor itself, so the key
    // never goes to whatever held focus before (the last test's hover, a tab).
    await workbench.goToLine(12);
    await page.keyboard.press('Control+Space');
    const suggestions = page.locator('.editor-group-container.active .suggest-widget .monaco-list-row');
    await suggestions.first().waitFor();
    const struck = (await page.evaluate(STRUCK_ROWS)) as { label: string; struck: boolean }[];
    assert.ok(struck.length >= 5, `a list of top-level keys, got ${JSON.stringify(struck)}`);
    assert.equal(struck[0]?.struck, false, `the first suggestion is a key that acts, not ${struck[0]?.label}`);
    const firstStruck = struck.findIndex((s) => s.struck);
    if (firstStruck >= 0) assert.ok(struck.slice(firstStruck).every((s) => s.struck), `no active key after a struck-through one: ${JSON.stringify(struck)}`);
    await workbench.screenshot('6 top-level completion starts with active keys');

    // Struck-through keys exist and are drawn so: narrowing to one shows it.
    await page.keyboard.type('groun');
    const grounding = suggestions.filter({ hasText: 'grounding' }).first();
    await grounding.waitFor();
    assert.equal(await grounding.locator('.monaco-icon-label.deprecated').count(), 1, 'grounding (no effect in this version) is struck through');
    await workbench.screenshot('6 an ignored key is struck through');
    await page.keyboard.press('Escape');
    await page.locator('.editor-group-container.active .suggest-widget.visible').waitFor({ state: 'detached' }).catch(() => undefined);
    await page.locator('.editor-group-container.active .suggest-widget .monaco-list-row').first().waitFor({ state: 'hidden' });
  });

  test('2. Dry run and the Show Sheet Plan code lens show the score\'s sheets; Preview Prompt shows a sheet\'s prompt; both follow edits', { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(PLAN);
    const lens = (title: string) => page.locator('.editor-group-container.active .codelens-decoration a', { hasText: title }).first();
    const planTabs = page.locator('.tabs-container .tab', { hasText: `Plan: ${PLAN}` });
    const editorTab = page.locator('.tabs-container .tab', { hasText: PLAN }).filter({ hasNotText: 'Plan:' }).first();
    const view = (): FrameLocator => page.frameLocator('iframe.webview').frameLocator('#active-frame');
    const sheetRows = view().locator('table.sheets tbody tr');

    // 2. The dry run shows the plan, not a validation message.
    await lens('Dry run').waitFor();
    await lens('Dry run').click();
    await planTabs.first().waitFor();
    await view().locator('h1', { hasText: 'hello-world' }).waitFor();
    await sheetRows.nth(2).waitFor();
    assert.equal(await sheetRows.count(), 3, 'the dry run lists the three sheets');
    await workbench.parkPointer();
    await workbench.screenshot('2 dry run shows the plan');

    // Closed, the view comes back through Show Sheet Plan (a click on an open view would prove nothing).
    await planTabs.first().click();
    await workbench.runCommand('View: Close Editor');
    await planTabs.first().waitFor({ state: 'detached' });
    await editorTab.click();
    await lens('Show Sheet Plan').click();
    await planTabs.first().waitFor();
    await view().locator('.meta', { hasText: /3 sheets in \d+ stages · backend command/ }).first().waitFor();
    assert.equal(await planTabs.count(), 1, 'one plan view per score');
    assert.equal(await sheetRows.count(), 3, 'one row per sheet');
    assert.deepEqual(await Promise.all([0, 1, 2].map((i) => sheetRows.nth(i).getAttribute('data-row'))), ['1', '2', '3']);
    await workbench.parkPointer();
    await workbench.screenshot('plan view shows the three sheets');

    // The palette's Preview Prompt asks for a sheet number, then shows that sheet's prompt.
    await editorTab.click();
    await workbench.runCommand(paletteTitle('mozart.previewPrompt'));
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill('2');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await view().locator('#prompt h2', { hasText: 'Prompt of sheet 2, as its agent gets it' }).waitFor();
    const prompt = view().locator('#prompt pre.prompt-text');
    await prompt.filter({ hasText: 'Greeting for sheet 2 of 3' }).waitFor();
    assert.match(await prompt.innerText(), /This is a middle sheet; sheet 1 has already passed\./);
    await workbench.parkPointer();
    await workbench.screenshot('preview prompt of sheet 2');

    // Edits of the unsaved buffer reach the plan and the prompt: a longer audience, a fourth item.
    await editorTab.click();
    await workbench.goToLine(38);
    await page.keyboard.press('End');
    await page.keyboard.type(' and old hands');
    await page.keyboard.press('Escape');
    await prompt.filter({ hasText: 'Hello from Mozart, everyone trying Mozart for the first time and old hands!' }).waitFor();
    await workbench.goToLine(34);
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('4');
    await page.keyboard.press('Escape');
    await view().locator('.meta', { hasText: /4 sheets in \d+ stages/ }).first().waitFor();
    await prompt.filter({ hasText: 'Greeting for sheet 2 of 4' }).waitFor();
    assert.equal(await sheetRows.count(), 4, 'the plan follows the edit: four sheets');
    assert.match(await prompt.innerText(), /This is a middle sheet; sheet 1 has already passed\./, 'sheet 2 is still the one shown');
    await workbench.parkPointer();
    await workbench.screenshot('plan and prompt follow the edit');
  });

  test('mozart works in the integrated terminal without setup, on the window\'s conductor', { skip }, async () => {
    const { page } = workbench;
    // A conductor for `mozart list` to talk to (the terminal gets the window's socket).
    await workbench.runCommand(paletteTitle('mozart.startConductor'));
    await page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'Mozart: idle' }).first().waitFor();
    await workbench.runCommand('Terminal: Create New Terminal');
    const screen = page.locator('.terminal-wrapper.active .xterm-rows, .terminal .xterm-rows').first();
    await screen.waitFor();
    await page.locator('.terminal-wrapper.active .xterm-helper-textarea, .terminal .xterm-helper-textarea').first().focus();
    await page.keyboard.type(`{ command -v mozart; mozart --version; mozart list; echo "list exit $?"; } 2>&1 | tee ${TERMINAL_OUT}`);
    await page.keyboard.press('Enter');
    await screen.filter({ hasText: /list exit \d+/ }).waitFor();
    await workbench.screenshot('mozart in the integrated terminal');

    const lines = readFileSync(join(workbench.folder, TERMINAL_OUT), 'utf8').split('\n');
    const version = (manifest() as { version?: string }).version;
    assert.ok(version);
    // The launcher lives in the extension's storage, put on PATH for new terminals.
    assert.match(lines[0] ?? '', /globalStorage\/.+\/bin\/mozart$/);
    assert.ok(lines.some((l) => l.includes(version)), `mozart --version prints ${version}: ${lines.join(' | ')}`);
    assert.ok(lines.includes('list exit 0'), `mozart list talks to the window's conductor: ${lines.join(' | ')}`);
  });
});

/**
 * In the page: the suggestions shown, in list order (rows are positioned, so the DOM order is not
 * theirs), each with its label and whether it is struck through (deprecated). A string, not a
 * function: tsx compiles test functions with helpers that do not exist in the page.
 */
const STRUCK_ROWS = `[...document.querySelectorAll('.editor-group-container.active .suggest-widget .monaco-list-row')]
  .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
  .map((row) => {
    const label = row.querySelector('.monaco-icon-label');
    return {
      label: row.getAttribute('aria-label') ?? row.textContent ?? '',
      struck: Boolean(label && (label.classList.contains('deprecated') || getComputedStyle(label).textDecorationLine.includes('line-through'))),
    };
  })`;
