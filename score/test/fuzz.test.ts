// Pushes thousands of random mutations of the example scores through the engine: every one must
// come back as findings or a clean result — never an exception, never an internal-error finding,
// never a hang. The generator is seeded, so a failure names a reproducible case.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkScore } from '../src/engine.js';
import { mutate, rng } from './support/mutate.js';

const EXAMPLES = resolve(__dirname, '../../examples');
const MUTATIONS = Number(process.env.MOZART_FUZZ_COUNT ?? 10_000);
/** A hang guard, not a speed target: checking one example takes milliseconds. */
const HANG_LIMIT_MS = 5_000;

test(`${MUTATIONS} random mutations of the examples never throw or hang`, () => {
  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => ({ file: join(EXAMPLES, f), text: readFileSync(join(EXAMPLES, f), 'utf8') }));
  assert.ok(examples.length >= 6, 'expected the examples to fuzz');
  const random = rng(20261124);
  let withFindings = 0;
  let slowest = 0;
  for (let n = 0; n < MUTATIONS; n++) {
    const example = examples[n % examples.length]!;
    const text = mutate(example.text, random);
    const started = performance.now();
    let result;
    try {
      result = checkScore(example.file, text);
    } catch (error) {
      assert.fail(`mutation ${n} of ${example.file} threw: ${(error as Error).stack}\n--- text ---\n${text}`);
    }
    const elapsed = performance.now() - started;
    slowest = Math.max(slowest, elapsed);
    assert.ok(elapsed < HANG_LIMIT_MS, `mutation ${n} took ${elapsed.toFixed(0)} ms`);
    const internal = result.findings.find((f) => f.id === 'S000');
    assert.equal(internal, undefined, `mutation ${n} of ${example.file} hit an internal error: ${internal?.message}\n--- text ---\n${text}`);
    for (const f of result.findings) {
      assert.ok(f.range.start.line >= 0 && f.range.start.character >= 0, `negative position in ${f.id}`);
      assert.ok(f.message.length > 0);
    }
    if (result.findings.length) withFindings++;
  }
  // The mutations must actually break things, or this test proves nothing.
  assert.ok(withFindings > MUTATIONS / 2, `only ${withFindings} of ${MUTATIONS} mutations produced findings`);
});
