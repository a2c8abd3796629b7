// In a real workbench: the Learned patterns view lists what the conductor's learning store holds
// (seeded here with two failed attempts of one rule, so one pattern exists), and its inline actions
// quarantine the pattern and put it back, as the conductor then reports.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LearningStore } from '../../../conductor/src/learning/store.js';
import type { AttemptOutcome } from '../../../conductor/src/learning/outcome.js';
import { Workbench, uiSkipReason } from './workbench.js';

/** Two first attempts of one score whose rule "the answer is 42" failed: a recurring validation failure. */
function seed(folder: string): void {
  const store = LearningStore.open({ dir: join(folder, '..', 'home', 'learning') });
  const failed = (at: number, sheet: number): AttemptOutcome => ({
    at,
    job: 'seeded',
    score: 'seeded-score',
    workspace: 'w',
    sheet,
    stage: 1,
    instance: 1,
    attempt: 1,
    mode: 'normal',
    retries: 0,
    prompt: { chars: 10, rules: 1, extensions: 0 },
    patterns: [],
    explored: [],
    rules: [{ key: 'rule-42', index: 0, type: 'content_contains', description: 'the answer is 42', status: 'failed', code: 'E202', reason: 'pattern not found' }],
    passed: false,
    passRate: 0,
    errorCode: 'E202',
    errorCategory: 'validation',
    priorCodes: [],
    decision: 'fail',
    durationMs: 5,
    costUsd: 0,
    backend: 'command',
  });
  store.record(failed(Date.now() - 60_000, 1));
  store.record(failed(Date.now() - 30_000, 2));
  store.close();
}

const skip = uiSkipReason();

describe('the Learned patterns view', () => {
  let workbench: Workbench;

  before(async () => {
    if (skip) return;
    workbench = await Workbench.start({ name: 'patterns-view', prepare: seed });
  });

  after(async () => {
    await workbench?.close();
  });

  test('shows the learned pattern with its kind, trust and effectiveness; quarantine and un-quarantine act on it', { skip }, async () => {
    const { page } = workbench;
    const item = page.locator('.activitybar .action-item', { has: page.locator('.action-label[aria-label^="Mozart"]') }).first();
    await item.click(); // the Mozart view: with autoStart, opening it starts a conductor
    const header = page.locator('.pane-header', { hasText: 'Learned Patterns' }).first();
    await header.waitFor();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const pane = page.locator('.pane', { has: header });
    const row = pane.locator('.monaco-list-row', { hasText: 'the answer is 42' }).first();
    await row.waitFor();
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /the answer is 42\s*recurring validation failure · trust 50% · effective untested · seen (just now|1m ago)/);
    await workbench.screenshot('learned patterns');

    await workbench.clickInlineAction(row, 'Quarantine Pattern');
    await pane.locator('.monaco-list-row', { hasText: /the answer is 42\s*quarantined · recurring validation failure · trust 30%/ }).first().waitFor();
    await workbench.screenshot('quarantined');

    const quarantined = pane.locator('.monaco-list-row', { hasText: 'the answer is 42' }).first();
    await workbench.clickInlineAction(quarantined, 'Un-quarantine Pattern');
    await pane.locator('.monaco-list-row', { hasText: /the answer is 42\s*recurring validation failure · trust 50%/ }).first().waitFor();
    await workbench.screenshot('back');
  });
});
