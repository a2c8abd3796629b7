// ScoreChecks with the real worker bundle (dist/score-check-worker.js): a big score's check in a
// worker gives the same findings as one in place, only a small one is checked in place, and a
// check that runs out of time or memory refuses the score saying so instead of hurting the
// conductor, before a client would give up waiting.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkScoreFile } from '../../../score/src/engine.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../../protocol/src/client.js';
import { DEFAULT_SCORE_CHECK_LIMITS, ScoreChecks } from '../../src/daemon/score-checks.js';

const WORKER = resolve(__dirname, '../../../dist/score-check-worker.js');
const dir = mkdtempSync(join(tmpdir(), 'mozart-score-checks-'));
const file = join(dir, 'big.yaml');
writeFileSync(
  file,
  `name: big\nworkspace: ./ws\nbackend: { type: command, command: "true" }\nprompt: { template: "hi" }\nsheet: { size: 1, total_items: 2 }\n${Array.from({ length: 20_000 }, (_, i) => `extra_${i}: 1`).join('\n')}\n`,
);

test('a check in the worker gives what a check in place gives, without the parsed source', async () => {
  const checks = new ScoreChecks({ inlineBytes: 0, timeoutMs: 120_000, maxHeapMb: 2048 }, WORKER);
  const inWorker = await checks.check(file);
  const inPlace = checkScoreFile(file);
  assert.ok(inWorker.result && inPlace.result);
  assert.equal('source' in inWorker.result, false, 'the worker result did not come from an in-place check');
  assert.deepEqual(inWorker.result.findings, inPlace.result.findings);
  assert.deepEqual(inWorker.result.score, inPlace.result.score);
  assert.equal(inWorker.result.plan?.totalSheets, 2);
});

test('a file up to the in-place size is checked in place; one byte more goes to the worker', async () => {
  const size = statSync(file).size;
  const inPlace = await new ScoreChecks({ inlineBytes: size, timeoutMs: 120_000, maxHeapMb: 2048 }, WORKER).check(file);
  assert.equal('source' in (inPlace.result ?? {}), true, 'checked in place');
  // The in-place read stops at the in-place size, so a file that grew past it is never checked on the event loop.
  const inWorker = await new ScoreChecks({ inlineBytes: size - 1, timeoutMs: 120_000, maxHeapMb: 2048 }, WORKER).check(file);
  assert.equal('source' in (inWorker.result ?? {}), false, 'checked in the worker');
  assert.deepEqual(inWorker.result?.findings, inPlace.result?.findings);
});

test('a FIFO is refused without a worker and without waiting for a writer', async () => {
  const fifo = join(dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  const check = await new ScoreChecks({ inlineBytes: 0, timeoutMs: 120_000, maxHeapMb: 2048 }, WORKER).check(fifo);
  assert.match(check.error ?? '', /is a FIFO \(named pipe\), not a regular file/);
});

test('a check that takes too long refuses the score, saying so', async () => {
  const checks = new ScoreChecks({ inlineBytes: 0, timeoutMs: 1, maxHeapMb: 2048 }, WORKER);
  assert.match((await checks.check(file)).error ?? '', /took longer than 0\.001 s to check/);
});

test('a check that exhausts the worker heap refuses the score; this process is untouched', async () => {
  const checks = new ScoreChecks({ inlineBytes: 0, timeoutMs: 120_000, maxHeapMb: 4 }, WORKER);
  assert.match((await checks.check(file)).error ?? '', /could not be checked/);
});

test("the worker gives up before a client's request times out, so the client hears why", () => {
  assert.ok(DEFAULT_SCORE_CHECK_LIMITS.timeoutMs < DEFAULT_REQUEST_TIMEOUT_MS, `${DEFAULT_SCORE_CHECK_LIMITS.timeoutMs} ms is not under ${DEFAULT_REQUEST_TIMEOUT_MS} ms`);
});
