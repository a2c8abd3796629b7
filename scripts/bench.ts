// `npm run bench`: prints measured figures (never asserts them): the time to check each example
// score and a generated 5,000-line score, the bundled entry points' sizes, `mozart validate`'s cold
// start next to `node -e 0`, the runner's per-sheet
// overhead, the learning store's costs with 100,000 outcomes, the language server against
// yaml-language-server, the conductor's round trip, cluster throughput for one and three members and
// dispatch overhead next to a single conductor, the diagnose panel's job timeline for 1,000 and 10,000
// sheets, the extension's activation time and package size, and a 2,000-sheet job followed by the
// extension's own store and tree next to the CLI alone, and the same job started from a real code-server
// workbench next to the CLI alone.
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
// @ts-expect-error plain ESM build script without types
import { buildOptions } from './build-options.mjs';
import { checkScore } from '../score/src/engine.js';
import { benchRunner } from './bench/runner.js';
import { benchSpawn } from './bench/spawn.js';
import { benchCliStart } from './bench/cli-start.js';
import { benchUnknownKeys } from './bench/unknown-keys.js';
import { benchCluster } from './bench/cluster.js';
import { benchConductor } from './bench/conductor.js';
import { benchConductorStart } from './bench/conductor-start.js';
import { benchExtension } from './bench/extension.js';
import { benchLsp } from './bench/lsp.js';
import { benchLearning } from './bench/learning.js';
import { benchTimeline } from './bench/timeline.js';
import { benchBigJobs } from './bench/big-jobs.js';
import { benchEditorCodeServer } from './bench/editor-code-server.js';
import { generateBigScore } from './lib/big-score.js';
import { median, percentile } from './lib/stats.js';

function timeCheck(file: string, text: string, runs: number): number[] {
  for (let i = 0; i < 5; i++) checkScore(file, text); // warm-up: JIT, ajv compile, nunjucks setup
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    checkScore(file, text);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

const rows: [string, string, string, string, string][] = [];
const examplesDir = resolve('examples');
for (const name of readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).sort()) {
  const file = join(examplesDir, name);
  const text = readFileSync(file, 'utf8');
  const times = timeCheck(file, text, 200);
  rows.push([name, String(text.split('\n').length), median(times).toFixed(2), percentile(times, 95).toFixed(2), String(checkScore(file, text).findings.length)]);
}
const big = generateBigScore(5000);
const bigFile = join(examplesDir, 'generated-5000-lines.yaml');
const bigTimes = timeCheck(bigFile, big, 30);
rows.push(['generated score', String(big.split('\n').length), median(bigTimes).toFixed(2), percentile(bigTimes, 95).toFixed(2), String(checkScore(bigFile, big).findings.length)]);

console.log('\nScore check time (checkScore: parse, schema, plan, every check)');
console.log(['score', 'lines', 'median ms', 'p95 ms', 'findings'].map((h, i) => (i === 0 ? h.padEnd(32) : h.padStart(10))).join(''));
for (const row of rows) console.log(row.map((c, i) => (i === 0 ? c.padEnd(32) : c.padStart(10))).join(''));

console.log('\nBundle sizes (minified, as packaged; built in memory by this run)');
void esbuild.build({ ...buildOptions(true), write: false }).then(async (minified) => {
  for (const file of (minified.outputFiles ?? []).filter((f) => f.path.endsWith('.js')).sort((a, b) => a.path.localeCompare(b.path))) {
    console.log(`${basename(file.path).padEnd(32)}${`${(file.contents.length / 1024).toFixed(1)} KiB`.padStart(12)}`);
  }
  benchCliStart();
  benchUnknownKeys();
  benchTimeline();
  await benchRunner();
  await benchSpawn();
  await benchLearning();
  await benchLsp();
  await benchConductor();
  await benchConductorStart();
  await benchCluster();
  await benchExtension();
  await benchBigJobs();
  // Last: it packages the extension, which rewrites dist/ with production bundles.
  await benchEditorCodeServer();
});
