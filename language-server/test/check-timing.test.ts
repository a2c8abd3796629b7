// When a score is checked after an edit: the decision as a table, then the checker itself with an
// injected clock and timers (no waiting), driven through edits, bursts and slow checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CheckScheduler, CheckTimingState, CheckWait } from '../src/check-timing.js';
import { FAST_CHECK_MS, waitBeforeCheck } from '../src/check-timing.js';
import { ScoreChecker } from '../src/checker.js';
import { BASELINE_FEATURES } from '../src/client-features.js';
import { readSettings } from '../src/settings.js';

const rows: { name: string; state: CheckTimingState; expect: CheckWait }[] = [
  { name: 'never checked: at once', state: { lastCheckMs: undefined, pending: 'none' }, expect: { kind: 'soon' } },
  { name: 'last check fast, nothing waiting: at once', state: { lastCheckMs: 4, pending: 'none' }, expect: { kind: 'soon' } },
  { name: 'last check exactly at the bound: at once', state: { lastCheckMs: FAST_CHECK_MS, pending: 'none' }, expect: { kind: 'soon' } },
  { name: 'last check slow: debounce', state: { lastCheckMs: FAST_CHECK_MS + 1, pending: 'none' }, expect: { kind: 'debounce', ms: 150 } },
  { name: 'an edit while an immediate check waits (a burst): debounce', state: { lastCheckMs: 4, pending: 'soon' }, expect: { kind: 'debounce', ms: 150 } },
  { name: 'an edit during a debounce: debounce again', state: { lastCheckMs: 4, pending: 'debounce' }, expect: { kind: 'debounce', ms: 150 } },
  { name: 'never checked but a check waits: debounce', state: { lastCheckMs: undefined, pending: 'soon' }, expect: { kind: 'debounce', ms: 150 } },
];

for (const row of rows) {
  test(`wait before check: ${row.name}`, () => {
    assert.deepEqual(waitBeforeCheck(row.state, 150), row.expect);
  });
}

/** Timers that run only when the test says, and a clock where every check takes `checkMs`. */
class ManualScheduler implements CheckScheduler {
  checkMs = 3;
  private time = 0;
  private calls = 0;
  queued: { kind: 'soon' | 'after'; ms?: number; run: () => void; cancelled: boolean }[] = [];

  cpuMs(): number {
    // The checker reads the clock before and after each check: every second reading is `checkMs` later.
    this.time += this.calls++ % 2 === 0 ? 1000 : this.checkMs;
    return this.time;
  }
  soon(run: () => void): () => void {
    return this.queue({ kind: 'soon', run, cancelled: false });
  }
  after(ms: number, run: () => void): () => void {
    return this.queue({ kind: 'after', ms, run, cancelled: false });
  }
  /** The timers still waiting, oldest first. */
  waiting(): { kind: 'soon' | 'after'; ms?: number }[] {
    return this.queued.filter((t) => !t.cancelled).map(({ kind, ms }) => (ms === undefined ? { kind } : { kind, ms }));
  }
  /** Fires every waiting timer. */
  fire(): void {
    const due = this.queued.filter((t) => !t.cancelled);
    this.queued = [];
    for (const timer of due) timer.run();
  }
  private queue(timer: ManualScheduler['queued'][number]): () => void {
    this.queued.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }
}

function setup() {
  const uri = 'file:///scores/live.yaml';
  const text = (n: number) => `name: live\nworkspace: ./ws\nbackend: { type: command, command: cat }\nsheet: { size: 1, total_items: 1 }\nprompt: { template: "edit ${n} {{ sheet_num }}" }\n`;
  let document = TextDocument.create(uri, 'yaml', 1, text(1));
  const published: { version: number | undefined; diagnostics: Diagnostic[] }[] = [];
  const scheduler = new ManualScheduler();
  const settings = readSettings({ languageServer: { debounceMs: 150 } }, 'file:///docs/checks.md');
  const checker = new ScoreChecker(
    {
      document: (u) => (u === uri ? document : undefined),
      openDocuments: () => [document],
      settings: () => settings,
      features: () => BASELINE_FEATURES,
      publish: (u, diagnostics, version) => {
        if (u === uri) published.push({ version, diagnostics });
      },
      log: (message) => assert.fail(message),
    },
    scheduler,
  );
  const edit = (n: number): void => {
    document = TextDocument.create(uri, 'yaml', document.version + 1, text(n));
    checker.schedule(uri);
  };
  return { uri, checker, scheduler, published, edit };
}

test('a fast score is checked at once after an edit, not after the debounce', () => {
  const { uri, checker, scheduler, published, edit } = setup();
  checker.checkNow(uri);
  edit(2);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'soon' }]);
  scheduler.fire();
  assert.deepEqual(published.map((p) => p.version), [1, 2]);
});

test('a burst (edits before the waiting check ran) is coalesced into one check of the latest text after the debounce', () => {
  const { uri, checker, scheduler, published, edit } = setup();
  checker.checkNow(uri);
  for (let n = 2; n <= 6; n++) edit(n);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'after', ms: 150 }], 'one debounce, the immediate check cancelled');
  scheduler.fire();
  assert.deepEqual(published.map((p) => p.version), [1, 6]);
  assert.equal(checker.checksRun, 2);
  // The burst is over: the next edit is checked at once again.
  edit(7);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'soon' }]);
});

test('a slow score waits the debounce; once its checks are fast again it is checked at once', () => {
  const { uri, checker, scheduler, published, edit } = setup();
  scheduler.checkMs = FAST_CHECK_MS * 2;
  checker.checkNow(uri);
  edit(2);
  scheduler.fire();
  edit(3);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'after', ms: 150 }]);
  scheduler.checkMs = 2;
  scheduler.fire();
  edit(4);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'soon' }]);
  scheduler.fire();
  assert.deepEqual(published.map((p) => p.version), [1, 2, 3, 4]);
});

test('a costly first check (on open, code paths run for the first time) does not make the first edit wait', () => {
  const { uri, checker, scheduler, published, edit } = setup();
  scheduler.checkMs = FAST_CHECK_MS * 10;
  checker.checkNow(uri);
  scheduler.checkMs = 2;
  edit(2);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'soon' }]);
  scheduler.fire();
  assert.deepEqual(published.map((p) => p.version), [1, 2]);
  // Reopened (closed, then opened again): its first check is again not counted.
  checker.forget(uri);
  scheduler.checkMs = FAST_CHECK_MS * 10;
  checker.checkNow(uri);
  edit(3);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'soon' }]);
});

test('one costly check of a fast score (say, a garbage collection) does not make the next edit wait; two in a row do', () => {
  const { uri, checker, scheduler, edit } = setup();
  checker.checkNow(uri);
  edit(2);
  scheduler.fire();
  scheduler.checkMs = FAST_CHECK_MS * 4;
  edit(3);
  scheduler.fire();
  edit(4);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'soon' }], 'the check before it was fast');
  scheduler.fire();
  edit(5);
  assert.deepEqual(scheduler.waiting(), [{ kind: 'after', ms: 150 }], 'the last two were slow');
});

test('closing a score cancels its waiting check', () => {
  const { uri, checker, scheduler, published, edit } = setup();
  checker.checkNow(uri);
  edit(2);
  checker.forget(uri);
  assert.deepEqual(scheduler.waiting(), []);
  assert.deepEqual(published.map((p) => [p.version, p.diagnostics.length === 0]), [[1, false], [undefined, true]], 'checked once, then cleared');
});
