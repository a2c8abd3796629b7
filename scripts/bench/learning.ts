// Learning costs with a store of 100,000 outcomes (MOZART_BENCH_LEARNING_OUTCOMES to change it):
// recording one outcome, choosing the patterns for one sheet, opening the store, and a job's time
// per sheet with and without learning, measured in the same run as the reference.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../conductor/src/backends/create.js';
import { LearningHub } from '../../conductor/src/learning/hub.js';
import type { GuidanceRequest } from '../../conductor/src/learning/hub.js';
import type { AttemptOutcome } from '../../conductor/src/learning/outcome.js';
import { patternId } from '../../conductor/src/learning/outcome.js';
import { learningSettings } from '../../conductor/src/learning/settings.js';
import { initialJobState, JobRunner } from '../../conductor/src/runner/job-runner.js';
import { JournalStore } from '../../conductor/src/state/journal-store.js';
import { applyJobRecord } from '../../protocol/src/job-state.js';
import type { JobRecord, JobState } from '../../protocol/src/job-state.js';
import { checkScore } from '../../score/src/engine.js';
import { median, percentile } from '../lib/stats.js';

const SCORES = 500;
const RULES = 4;
const REASONS = ['pattern not found', 'file not created', 'command failed', 'timeout'];
const CODES = ['E202', 'E201', 'E203', 'E204'];

/** A plausible outcome: score i % SCORES, some rules failing, earlier patterns applied. */
export function syntheticOutcome(i: number, at: number): AttemptOutcome {
  const score = `score-${i % SCORES}`;
  const attempt = 1 + (i % 3 === 0 ? 1 : 0);
  const failing = (i * 7) % 5 === 0 ? (i % RULES) : -1;
  const rules = Array.from({ length: RULES }, (_, r) => ({
    key: `${score}-rule-${r}`,
    index: r,
    type: ['file_exists', 'content_contains', 'command_succeeds', 'content_regex'][r] as string,
    description: `rule ${r} of ${score}`,
    status: r === failing ? ('failed' as const) : ('passed' as const),
    ...(r === failing ? { code: CODES[r] as string, reason: REASONS[r] as string } : {}),
  }));
  const passed = failing < 0;
  return {
    at,
    job: score,
    score,
    workspace: `ws-${i % 50}`,
    sheet: 1 + (i % 20),
    stage: 1,
    instance: 1,
    attempt,
    mode: attempt > 1 && i % 2 === 0 ? 'completion' : 'normal',
    retries: attempt - 1,
    prompt: { chars: 1200, rules: RULES, extensions: 0 },
    patterns: i % 4 === 0 ? [patternId('validation_failure', `${score}-rule-${i % RULES}`), patternId('semantic_failure', REASONS[i % 4] as string)] : [],
    explored: [],
    rules,
    passed,
    passRate: passed ? 1 : (RULES - 1) / RULES,
    ...(passed ? {} : { errorCode: CODES[failing] as string, errorCategory: 'validation' }),
    priorCodes: attempt > 1 ? ['E202'] : [],
    decision: passed ? 'complete' : 'retry',
    durationMs: 1500,
    costUsd: 0.002,
    backend: 'claude_cli',
    model: 'claude-sonnet',
  };
}

const ms = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

async function jobMsPerSheet(sheets: number, hub: LearningHub | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-'));
  const file = join(dir, 'score.yaml');
  writeFileSync(file, `name: bench-learning\nworkspace: ./ws\npause_between_sheets_seconds: 0\nbackend: { type: command, command: "true", timeout_seconds: 60 }\nsheet: { size: 1, total_items: ${sheets} }\nprompt: { template: "sheet {{ sheet_num }}" }\nvalidations:\n  - { type: file_exists, path: "${dir}", description: "always there" }\n`);
  const checked = checkScore(file, readFileSync(file, 'utf8'));
  if (!checked.score || !checked.plan || !checked.workspace) throw new Error('bench score invalid');
  const { score, plan, workspace } = checked;
  const store = JournalStore.open<JobState, JobRecord>({ dir: join(workspace, '.mozart', 'state'), apply: (s, r) => applyJobRecord(s, r) }, initialJobState({ jobId: 'bench-learning', scoreFile: file, score, plan, workspace }));
  const runner = new JobRunner({ jobId: 'bench-learning', scoreFile: file, score, plan, workspace, backend: createBackend(score, file), store, ...(hub ? { learning: hub } : {}) });
  const started = performance.now();
  const state = await runner.run();
  const elapsed = performance.now() - started;
  store.close();
  rmSync(dir, { recursive: true, force: true });
  if (state.status !== 'completed') throw new Error(`bench job ended ${state.status}`);
  return elapsed / sheets;
}

export async function benchLearning(): Promise<void> {
  const total = Number(process.env.MOZART_BENCH_LEARNING_OUTCOMES ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'mozart-bench-learning-'));
  const settings = learningSettings(
    (checkScore('/x.yaml', 'name: x\nsheet: { size: 1, total_items: 1 }\nprompt: { template: "x" }\nbackend: { type: command, command: "true" }\n').score ?? (() => {
      throw new Error('bench score invalid');
    })()).learning,
  );
  const now = Date.now();
  let hub = LearningHub.open({ dir });
  const fillStarted = process.hrtime.bigint();
  for (let i = 0; i < total; i++) hub.record(syntheticOutcome(i, now - (total - i) * 1000), settings);
  const fillMs = ms(fillStarted);
  await hub.store.flushed();
  hub.close();

  const openStarted = process.hrtime.bigint();
  hub = LearningHub.open({ dir });
  const openMs = ms(openStarted);

  const recordTimes: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const o = syntheticOutcome(total + i, Date.now());
    const t = process.hrtime.bigint();
    hub.record(o, settings);
    recordTimes.push(ms(t));
  }
  const request = (i: number): GuidanceRequest => {
    const score = `score-${i % SCORES}`;
    return { job: score, scoreId: score, sheet: 1, tags: [`score:${score}`, ...Array.from({ length: RULES }, (_, r) => `rule:${score}-rule-${r}`), 'validation:content_contains', 'validation:file_exists', 'backend:claude_cli'], requirements: {}, settings };
  };
  for (let i = 0; i < 200; i++) hub.guidance(request(i)); // warm-up
  const chooseTimes: number[] = [];
  let chosen = 0;
  for (let i = 0; i < 2000; i++) {
    const t = process.hrtime.bigint();
    chosen += hub.guidance(request(i)).patterns.length;
    chooseTimes.push(ms(t));
  }
  const kept = hub.store.info.outcomes;

  // Alternated rounds, medians: the machine's noise (other processes, the disk) is larger than the difference.
  const sheets = 100;
  const rounds = { without: [] as number[], with: [] as number[] };
  for (let i = 0; i < 5; i++) {
    rounds.without.push(await jobMsPerSheet(sheets, undefined));
    rounds.with.push(await jobMsPerSheet(sheets, hub));
  }
  const withoutLearning = median(rounds.without);
  const withLearning = median(rounds.with);
  hub.close();
  rmSync(dir, { recursive: true, force: true });

  const row = (label: string, values: string[]) => console.log(`${label.padEnd(44)}${values.map((v) => v.padStart(12)).join('')}`);
  console.log(`\nLearning store (${kept.toLocaleString('en')} outcomes kept after ${total.toLocaleString('en')} recorded; ${SCORES} scores; flushed to disk in the background)`);
  row('', ['median ms', 'p95 ms', 'mean ms']);
  row('record one outcome', [median(recordTimes).toFixed(4), percentile(recordTimes, 95).toFixed(4), (recordTimes.reduce((a, b) => a + b, 0) / recordTimes.length).toFixed(4)]);
  row('choose patterns for one sheet', [median(chooseTimes).toFixed(4), percentile(chooseTimes, 95).toFixed(4), (chooseTimes.reduce((a, b) => a + b, 0) / chooseTimes.length).toFixed(4)]);
  row(`filling the store, per outcome (${total.toLocaleString('en')})`, ['', '', (fillMs / total).toFixed(4)]);
  row('opening the store (snapshot + log tail)', ['', '', openMs.toFixed(1)]);
  console.log(`  (${(chosen / 2000).toFixed(1)} patterns chosen per sheet on average)`);
  console.log(`Runner, ${sheets} sheets of \`true\` with one validation, median of 5 alternated rounds: ${withoutLearning.toFixed(2)} ms/sheet without learning, ${withLearning.toFixed(2)} ms/sheet with this store (difference ${(withLearning - withoutLearning).toFixed(2)} ms; learning's own work per sheet, choose + record: ${(median(chooseTimes) + median(recordTimes)).toFixed(3)} ms)`);
}
