// ScoreChecks with the real worker bundle (dist/score-check-worker.js): a big score's check in a
// worker gives the same findings as one in place, and a check that runs out of time or memory
// refuses the score saying so instead of hurting the conductor.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkScoreFile } from '../../../score/src/engine.js';
import { ScoreChecks } from '../../src/daemon/score-checks.js';

const WORKER = resolve(__dirname, '../../../dist/score-check-worker.js');
const dir = mkdtempSync(join(tmpdir(), 'mozart-score-checks-'));
const file = join(dir, 'big.yaml');
writeFileSync(
  file,
  `name: big\nworkspace: ./ws\nbackend: { type: command, command: "true" }\nprompt: { template: "hi" }\nsheet: { size: 1, total_items: 2 }\n${Array.from({ length: 20_000 }, (_, i) => `extra_${i}: 1`).join('\n')}\n`,
);

test('a check in the worker gives what a check in place gives, without the parsed source', async () => {
  const checks = new ScoreChecks({ inlineBytes: 0, timeoutMs: 120_000, maxHeapMb: 2048 }, WORKER);
  await checks.prime(file);
  const inWorker = checks.take(file);
  const inPlace = checkScoreFile(file);
  assert.ok(inWorker.result && inPlace.result);
  assert.equal('source' in inWorker.result, false, 'the worker result did not come from an in-place check');
  assert.deepEqual(inWorker.result.findings, inPlace.result.findings);
  assert.deepEqual(inWorker.result.score, inPlace.result.score);
  assert.equal(inWorker.result.plan?.totalSheets, 2);
});

test('a primed check is used once, and not when the file changed since', async () => {
  const checks = new ScoreChecks({ inlineBytes: 0, timeoutMs: 120_000, maxHeapMb: 2048 }, WORKER);
  await checks.prime(file);
  assert.equal('source' in (checks.take(file).result ?? {}), false);
  assert.equal('source' in (checks.take(file).result ?? {}), true, 'the second take checks in place');
});

test('a check that takes too long refuses the score, saying so', async () => {
  const checks = new ScoreChecks({ inlineBytes: 0, timeoutMs: 1, maxHeapMb: 2048 }, WORKER);
  await checks.prime(file);
  assert.match(checks.take(file).error ?? '', /took longer than 0\.001 s to check/);
});

test('a check that exhausts the worker heap refuses the score; this process is untouched', async () => {
  const checks = new ScoreChecks({ inlineBytes: 0, timeoutMs: 120_000, maxHeapMb: 4 }, WORKER);
  await checks.prime(file);
  assert.match(checks.take(file).error ?? '', /could not be checked/);
});
