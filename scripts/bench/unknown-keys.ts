// Scores full of unknown keys (issue #10 found `validate` super-linear on them: 8,000 keys 3.2 s,
// 16,000 keys 9.7 s). Times checkScore in-process and `mozart validate` as a fresh process on
// hello-world plus 1,000 / 10,000 / 100,000 unknown keys, half at the top level and half inside
// `sheet:`, and prints the time per 1,000 keys at each size: flat per-key time is linear cost.
// Printed, never asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkScore } from '../../score/src/engine.js';
import { median } from '../lib/stats.js';

const ROOT = join(__dirname, '..', '..');
const SIZES = [1_000, 10_000, 100_000];

/** hello-world with `keys` unknown keys: the first half at the top level, the rest in `sheet:`. */
export function scoreWithUnknownKeys(keys: number): string {
  const base = readFileSync(join(ROOT, 'examples', 'hello-world.yaml'), 'utf8');
  const top = Math.ceil(keys / 2);
  const lines = [base.replace(/^sheet:\n/m, `sheet:\n${Array.from({ length: keys - top }, (_, i) => `  sheet_extra_${i}: ${i}`).join('\n')}\n`)];
  for (let i = 0; i < top; i++) lines.push(`unknown_field_${i}: value ${i}`);
  return `${lines.join('\n')}\n`;
}

function timed(run: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

export function benchUnknownKeys(): void {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-keys-'));
  try {
    console.log('\nScores with unknown keys (each one a warning with its did-you-mean; the issue measured 3.2 s at 8,000 keys and 9.7 s at 16,000 before)');
    console.log(['unknown keys', 'KiB', 'checkScore ms', 'per 1k keys', 'validate ms', 'per 1k keys'].map((h, i) => (i === 0 ? h.padEnd(14) : h.padStart(14))).join(''));
    for (const keys of SIZES) {
      const text = scoreWithUnknownKeys(keys);
      const file = join(dir, `keys-${keys}.yaml`);
      writeFileSync(file, text);
      const runs = keys >= 100_000 ? 3 : 7;
      let warnings = 0;
      const check = timed(() => {
        warnings = checkScore(file, text).findings.filter((f) => f.id === 'S001').length;
      }, runs);
      const cli = timed(() => {
        const run = spawnSync(process.execPath, ['dist/cli.js', 'validate', '--json', file], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
        if (run.status !== 0 && run.status !== 1) throw new Error(`validate exited with ${run.status}: ${run.stderr}`);
      }, runs);
      if (warnings < keys) console.log(`  (only ${warnings} of ${keys} keys were reported as unknown)`);
      const row = [String(keys), (text.length / 1024).toFixed(0), check.toFixed(1), ((check / keys) * 1000).toFixed(2), cli.toFixed(1), ((cli / keys) * 1000).toFixed(2)];
      console.log(row.map((c, i) => (i === 0 ? c.padEnd(14) : c.padStart(14))).join(''));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) benchUnknownKeys();
