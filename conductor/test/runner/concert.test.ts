// Concert decisions as a table: depth limit, workspace choice, cooldown, the link of the next job.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkScore } from '../../../score/src/engine.js';
import { abortsConcert, planChainStep } from '../../src/runner/concert.js';
import type { ChainInputs, ConcertConfig } from '../../src/runner/concert.js';

const concert = (over: Partial<ConcertConfig> = {}): ConcertConfig => ({ enabled: true, max_chain_depth: 3, cooldown_between_jobs_seconds: 30, inherit_workspace: true, concert_log_path: null, abort_concert_on_hook_failure: false, ...over });
const hook = (over: Partial<ChainInputs['hook']> = {}): ChainInputs['hook'] => ({ type: 'run_job', job_path: '{workspace}/next.yaml', job_workspace: null, inherit_learning: true, command: null, working_directory: null, description: null, on_failure: 'continue', timeout_seconds: 300, detached: true, fresh: true, ...over });
const inputs = (over: Partial<ChainInputs> = {}): ChainInputs => ({ hook: hook(), concert: concert(), link: undefined, jobId: 'evolve', scoreFile: '/scores/evolve.yaml', workspace: '/scores/ws', values: { workspace: '/scores/ws', job_id: 'evolve', sheet_count: 2 }, newId: () => 'c-1', ...over });

test('the first job starts a concert: depth 1, itself as parent and root, placeholders filled', () => {
  const step = planChainStep(inputs());
  assert.deepEqual(step, { kind: 'start', scoreFile: '/scores/ws/next.yaml', workspace: '/scores/ws', fresh: true, detached: true, cooldownMs: 30_000, timeoutMs: 300_000, link: { id: 'c-1', depth: 1, parent: 'evolve', root: 'evolve' } });
});

test('each next job is one deeper in the same concert, until max_chain_depth stops it', () => {
  const link = { id: 'c-1', depth: 2, parent: 'evolve', root: 'evolve' };
  const step = planChainStep(inputs({ link }));
  assert.equal(step.kind, 'start');
  if (step.kind === 'start') assert.deepEqual(step.link, { id: 'c-1', depth: 3, parent: 'evolve', root: 'evolve' });
  const stopped = planChainStep(inputs({ link: { ...link, depth: 3 } }));
  assert.equal(stopped.kind, 'refuse');
  if (stopped.kind === 'refuse') assert.match(stopped.message, /concert stops here: .*number 3 .*max_chain_depth is 3/);
});

test('the depth limit holds without concert.enabled too (its default of 5)', () => {
  assert.equal(planChainStep(inputs({ concert: concert({ enabled: false, max_chain_depth: 5 }), link: { id: 'c', depth: 5, parent: 'a', root: 'a' } })).kind, 'refuse');
});

test('job_workspace wins, inherit_workspace gives the parent workspace, otherwise the score keeps its own', () => {
  const ws = (step: ReturnType<typeof planChainStep>) => (step.kind === 'start' ? step.workspace : step.kind);
  assert.equal(ws(planChainStep(inputs({ hook: hook({ job_workspace: 'other-ws' }) }))), '/scores/other-ws');
  assert.equal(ws(planChainStep(inputs())), '/scores/ws');
  assert.equal(ws(planChainStep(inputs({ concert: concert({ inherit_workspace: false }) }))), undefined);
});

test('a run_job hook without job_path is refused; abort_concert_on_hook_failure needs a concert', () => {
  assert.equal(planChainStep(inputs({ hook: hook({ job_path: null }) })).kind, 'refuse');
  assert.equal(abortsConcert(concert({ abort_concert_on_hook_failure: true }), false), true);
  assert.equal(abortsConcert(concert({ abort_concert_on_hook_failure: true }), true), false);
  assert.equal(abortsConcert(concert({ enabled: false, abort_concert_on_hook_failure: true }), false), false);
});

test("the original's chained examples: job_path 'examples/x.yaml' resolves from the repository root", () => {
  const fixtures = join(__dirname, '../../../cli/test/fixtures/original-examples');
  const repo = mkdtempSync(join(tmpdir(), 'mozart-origrepo-'));
  try {
    mkdirSync(join(repo, '.git'));
    cpSync(fixtures, join(repo, 'examples'), { recursive: true });
    const chained = readdirSync(fixtures).filter((f) => /type: run_job/.test(readFileSync(join(fixtures, f), 'utf8')));
    assert.ok(chained.length >= 6, `found ${chained.length} chained examples`);
    for (const name of chained) {
      const file = join(repo, 'examples', name);
      const result = checkScore(file, readFileSync(file, 'utf8'));
      assert.ok(result.score, `${name} has a usable score`);
      const runJob = result.score.on_success.find((h) => h.type === 'run_job');
      assert.ok(runJob, name);
      const step = planChainStep(inputs({ hook: runJob, concert: result.score.concert, scoreFile: file }));
      assert.equal(step.kind, 'start', name);
      if (step.kind === 'start') assert.equal(step.scoreFile, file, `${name} chains to itself`);
    }
    // A path found nowhere keeps the score folder's reading, so the error names what a reader expects.
    const missing = planChainStep(inputs({ hook: hook({ job_path: 'examples/none.yaml' }), scoreFile: join(repo, 'examples', 'a.yaml') }));
    if (missing.kind === 'start') assert.equal(missing.scoreFile, join(repo, 'examples', 'examples', 'none.yaml'));
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});
