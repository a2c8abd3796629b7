// In a real workbench: the diagnose panel of a failed job offers a button for every CLI command
// its next steps name ("What to do" is a plain heading, not a link), and its Resume button resumes
// the job, which then completes. "New Score from Example" offers the bundled examples, proposes a
// file name that is free, creates the file with a job name of its own, and opens it: Run on its
// CodeLens starts the job with no file dialog.
//
// Synchronisation is on what the workbench shows, never on time: every step waits for a DOM
// condition (a tree row's text, a tab, a notification, the webview's content).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { EXAMPLES, STEP_TIMEOUT_MS, Workbench, commandMenuTitle, commandTitle, uiSkipReason } from './workbench.js';

const SCORE = 'go-fail.score.yaml';
const JOB = 'go-fail';
const GO_FILE = 'go';

function title(command: string, palette = false): string {
  const found = palette ? commandTitle(command) : commandMenuTitle(command);
  assert.ok(found, `package.json contributes ${command}`);
  return found;
}

/**
 * hello-world renamed, whose agent fails (writing nothing) until the go-file exists, with no
 * retries: the job fails on sheet 1 at once, and succeeds once resumed after the test writes the
 * go-file. The folder also holds a copy of hello-world itself, so a new copy must take another name.
 */
function prepare(folder: string): void {
  const text = readFileSync(join(EXAMPLES, 'hello-world.yaml'), 'utf8');
  writeFileSync(join(folder, 'hello-world.yaml'), text);
  const failing = text
    .replace(/^name: hello-world$/m, `name: ${JOB}`)
    .replace(/^workspace: .*$/m, 'workspace: ./workspace-go-fail')
    .replace(/^ {2}command: >-\n/m, `  command: >-\n    test -e '${join(folder, GO_FILE)}' &&\n`)
    .replace(/max_retries: 2/, 'max_retries: 0');
  assert.match(failing, new RegExp(`^name: ${JOB}$`, 'm'));
  assert.match(failing, /test -e '.*\/go' &&/);
  assert.match(failing, /max_retries: 0/);
  writeFileSync(join(folder, SCORE), failing);
}

/** What the page's globals offer, typed here: the tests are compiled without the DOM's types. */
type PageGlobals = { getComputedStyle(el: unknown): { color: string; textDecorationLine: string; cursor: string }; document: { body: unknown } };

// Each test is skipped (loudly, and never in CI) when code-server or Chromium is not installed.
const skip = uiSkipReason();

describe('diagnose actions and new scores from examples', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'diagnose-actions', prepare });
  });

  after(async () => {
    await workbench?.close();
  });

  const rows = () => workbench.page.locator('.pane-body .monaco-list-row');
  const rowTexts = async () => (await rows().allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
  const showMozartView = async () => {
    const { page } = workbench;
    const item = page.locator('.activitybar .action-item', { has: page.locator('.action-label[aria-label^="Mozart"]') }).first();
    if (!/\bchecked\b/.test((await item.getAttribute('class')) ?? '')) await item.click();
    await page.locator('.part.sidebar .title-label', { hasText: /mozart/i }).first().waitFor();
  };
  const waitForRow = async (pattern: RegExp, what: string) => {
    await rows()
      .filter({ hasText: pattern })
      .first()
      .waitFor({ timeout: STEP_TIMEOUT_MS })
      .catch(async () => {
        throw new Error(`the tree did not show ${what}; it shows ${(await rowTexts()).join(' | ')}`);
      });
  };

  test("a failed job's diagnose panel has a button per step; its Resume resumes the job", { skip }, async () => {
    const { page } = workbench;
    await workbench.openFile(SCORE);
    await page.locator('.codelens-decoration a', { hasText: 'Run' }).first().click();
    await page.locator('.notification-toast', { hasText: `Mozart job '${JOB}' failed` }).first().waitFor({ timeout: STEP_TIMEOUT_MS });

    await showMozartView();
    const jobRow = rows().filter({ hasText: JOB }).first();
    await waitForRow(new RegExp(`${JOB}\\s*failed`), `${JOB} failed`);
    await workbench.pickContextMenuItem(jobRow, title('mozart.diagnose'));
    await page.locator('.tabs-container .tab.active', { hasText: `Diagnose: ${JOB}` }).waitFor();

    // A webview is an iframe holding another iframe (#active-frame) with the page itself.
    const view: FrameLocator = page.frameLocator('iframe.webview').frameLocator('#active-frame');
    await view.locator('h1', { hasText: JOB }).waitFor();

    // "What to do" is a heading in the text colour: not a link, nothing to click.
    const heading = view.locator('.what-to-do h4', { hasText: 'What to do' }).first();
    await heading.waitFor();
    const style = await heading.evaluate((el) => {
      const page = globalThis as unknown as PageGlobals;
      const s = page.getComputedStyle(el);
      return { color: s.color, body: page.getComputedStyle(page.document.body).color, decoration: s.textDecorationLine, cursor: s.cursor, tag: el.tagName, inLink: el.closest('a') !== null };
    });
    assert.equal(style.color, style.body, 'the heading has the text colour, not the link colour');
    assert.deepEqual([style.tag, style.decoration, style.cursor, style.inLink], ['H4', 'none', 'default', false]);

    // Each next step that names a CLI command has its button; the CLI text stays beside it.
    const steps = view.locator('li.step');
    const expected: [string, RegExp][] = [
      ['Show Sheet 1 Log', new RegExp(`'mozart logs ${JOB} --sheet 1'`)],
      ['Resume', new RegExp(`'mozart resume ${JOB}' continues from the failed sheet`)],
      ['Resume with Self-Healing', new RegExp(`'mozart resume ${JOB} --self-healing'`)],
      ['Re-check Validations', new RegExp(`'mozart recover ${JOB}'`)],
      ['Re-run from Sheet 1', /--fresh'/],
    ];
    for (const [label, cli] of expected) {
      const step = steps.filter({ has: view.getByRole('button', { name: label, exact: true }) }).first();
      await step.waitFor();
      assert.match(await step.locator('.cli').innerText(), cli, `the '${label}' step keeps its CLI text`);
    }
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.screenshot('diagnose panel with step buttons');

    // Once the cause is fixed, the step's Resume button resumes the job, which completes.
    writeFileSync(join(workbench.folder, GO_FILE), 'go\n');
    await steps.getByRole('button', { name: 'Resume', exact: true }).first().click();
    await showMozartView();
    await waitForRow(new RegExp(`${JOB}\\s*completed · 3/3 sheets`), `${JOB} completed`);
    // The window follows the resumed job to its end (the conductor answers a resume with the job
    // running; it used to answer with the failed status, which the follower took as the outcome).
    await page.locator('.notification-toast', { hasText: `Mozart job '${JOB}' completed` }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    assert.equal(await page.locator('.notification-toast', { hasText: `Mozart job '${JOB}' failed` }).count(), 0, 'no second failure toast from the resume');
    // The panel reloaded after the command: the failed sheet's step buttons are gone or it shows the job going on.
    await page.locator('.tabs-container .tab', { hasText: `Diagnose: ${JOB}` }).first().click();
    await view.locator('h1 .badge', { hasText: /^(running|completed)$/ }).waitFor();
    // Refresh shows where the job is now: completed, nothing failing.
    await view.getByRole('button', { name: 'Refresh', exact: true }).click();
    await view.locator('h1 .badge', { hasText: /^completed$/ }).waitFor();
    await view.getByText('No sheet is failing.').waitFor();
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.screenshot('job resumed from the diagnose panel completed');
  });

  test('New Score from Example: pick, name, and the file opens ready to Run without a file dialog', { skip }, async () => {
    const { page } = workbench;
    await workbench.runCommand(title('mozart.newScore', true));
    // The Quick Pick lists every bundled example with its description.
    const picks = page.locator('.quick-input-list .monaco-list-row');
    const hello = picks.filter({ has: page.locator('.label-name', { hasText: /^\s*hello-world\.yaml\s*$/ }) }).first();
    await hello.waitFor();
    assert.match(await hello.innerText(), /Three sheets, each saving its rendered prompt as a greeting file/);
    // Every example is in the list (the list draws only the rows that fit, so count its size), and
    // typing finds one further down, as a user would.
    const examples = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/i.test(f));
    assert.equal(await hello.getAttribute('aria-setsize'), String(examples.length));
    await workbench.screenshot('examples quick pick');
    // One input serves the whole flow: first the examples' filter, then the new file's name.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('template-file');
    await picks.filter({ hasText: 'template-file.yaml' }).first().waitFor();
    await input.fill('');
    await hello.click();

    // hello-world.yaml exists in the folder: the proposal is the next free name, never it.
    await page.locator('.quick-input-widget', { hasText: 'File name of the new score' }).waitFor();
    assert.equal(await input.inputValue(), 'hello-world-2.yaml');
    await input.fill('hello-world.yaml');
    await page.locator('.quick-input-widget', { hasText: 'hello-world.yaml exists already and is never overwritten: use hello-world-2.yaml' }).waitFor();
    await workbench.screenshot('an existing name is refused');
    await input.fill('greetings.yaml');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

    await page.locator('.tabs-container .tab.active', { hasText: 'greetings.yaml' }).waitFor();
    const file = join(workbench.folder, 'greetings.yaml');
    assert.ok(existsSync(file), 'the score is a real file in the workspace');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^name: greetings$/m);
    assert.match(text, /^workspace: \.\/workspace-greetings$/m);
    assert.equal(readFileSync(join(workbench.folder, 'hello-world.yaml'), 'utf8'), readFileSync(join(EXAMPLES, 'hello-world.yaml'), 'utf8'), 'the existing copy is untouched');

    await workbench.runCommand('Notifications: Clear All Notifications');
    const lens = page.locator('.editor-group-container.active .codelens-decoration');
    await lens.first().waitFor();
    assert.match((await lens.first().innerText()).replace(/\s+/g, ' '), /Run \| Dry run/);
    await workbench.screenshot('new score open with its code lens');
    await lens.locator('a', { hasText: 'Run' }).first().click();
    await page.locator('.notification-toast', { hasText: "Mozart job 'greetings' completed: 3 sheets." }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    // No file dialog (code-server's is a quick input) was shown: with one open, nothing would have run.
    assert.equal(await page.locator('.quick-input-widget').isVisible(), false);
    await showMozartView();
    await waitForRow(/greetings\s*completed · 3\/3 sheets/, 'greetings completed');
    assert.ok(existsSync(join(workbench.folder, 'workspace-greetings', 'greeting-3.md')), 'the job ran in its own workspace');
    await workbench.screenshot('new score ran from its code lens');
  });
});
