// Pushes thousands of random mutations of the example scores through the engine: every one must
// come back as findings or a clean result — never an exception, never an internal-error finding,
// never a hang. The generator is seeded, so a failure names a reproducible case.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkScore } from '../../src/score/engine.js';

const EXAMPLES = resolve(__dirname, '../../../examples');
const MUTATIONS = Number(process.env.MOZART_FUZZ_COUNT ?? 10_000);
/** A hang guard, not a speed target: checking one example takes milliseconds. */
const HANG_LIMIT_MS = 5_000;

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['{{', '}}', '{%', '%}', '{% if x %}', '{% endfor %}', ': ', '- ', '&a', '*a', '<<: *a', '!!binary', '"', "'", '|', '>-', '\t', '[', ']', '{', '}', '#', '999999999999999999999', '-1', '0', 'null', 'true', '~', '\\', '\u0000', '\uFFFF', '🎵', 'sheet_num', '{sheet_num}', '(?P<x>', '['];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const pick = () => Math.floor(random() * lines.length);
  const steps = 1 + Math.floor(random() * 4);
  for (let s = 0; s < steps; s++) {
    const i = pick();
    const line = lines[i] ?? '';
    switch (Math.floor(random() * 8)) {
      case 0: // cut a line
        lines.splice(i, 1);
        break;
      case 1: // duplicate a line
        lines.splice(i, 0, line);
        break;
      case 2: // re-indent
        lines[i] = ' '.repeat(Math.floor(random() * 9)) + line.trimStart();
        break;
      case 3: { // retype a value
        const colon = line.indexOf(': ');
        const token = TOKENS[Math.floor(random() * TOKENS.length)] ?? '';
        lines[i] = colon >= 0 ? line.slice(0, colon + 2) + token : line + token;
        break;
      }
      case 4: { // random bytes
        const at = Math.floor(random() * (line.length + 1));
        const bytes = Array.from({ length: 1 + Math.floor(random() * 6) }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
        lines[i] = line.slice(0, at) + bytes + line.slice(at);
        break;
      }
      case 5: // cut the file short
        lines.length = Math.max(0, i);
        break;
      case 6: { // insert a syntax-heavy token mid-line
        const at = Math.floor(random() * (line.length + 1));
        lines[i] = line.slice(0, at) + (TOKENS[Math.floor(random() * TOKENS.length)] ?? '') + line.slice(at);
        break;
      }
      default: // swap two lines
        {
          const j = pick();
          lines[i] = lines[j] ?? '';
          lines[j] = line;
        }
    }
  }
  return lines.join('\n');
}

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
