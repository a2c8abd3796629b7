// Worktree isolation, run as whole jobs on the command backend against real git repositories in
// temp dirs: agents work in the job's worktree on its own branch, the main checkout is untouched,
// cleanup follows the score's rules, resume finds the same worktree, and a folder outside git fails
// the job before any agent runs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { worktreeName } from '../../src/runner/worktree.js';
import { prepareJob, scoreDir } from '../support/job.js';

// Git must never find a repository above the temp dirs (a TMPDIR inside a checkout would make the
// "not a git repository" case pass through someone else's repository).
process.env.GIT_CEILING_DIRECTORIES = realpathSync(tmpdir());

const identity = ['-c', 'user.name=mozart-test', '-c', 'user.email=test@example.com'];

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...identity, ...args], { cwd, encoding: 'utf8' }).trim();
}

/** A repository at <dir>/repo with one committed file. */
function makeRepo(dir: string): string {
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'file.txt'), 'original\n');
  git(repo, 'add', 'file.txt');
  git(repo, 'commit', '-q', '-m', 'initial');
  return realpathSync(repo);
}

const branchExists = (repo: string, branch: string) => {
  try {
    git(repo, 'show-ref', '--verify', '--quiet', `refs/heads/${branch}`);
    return true;
  } catch {
    return false;
  }
};

/** The worktree's lines of `git worktree list --porcelain` (undefined when not registered). */
function worktreeEntry(repo: string, path: string): string | undefined {
  return git(repo, 'worktree', 'list', '--porcelain')
    .split('\n\n')
    .find((block) => block.split('\n')[0] === `worktree ${path}`);
}

/** The job.started event's message (it tells whether and where the job is isolated). */
function startedMessage(events: readonly RunnerEvent[]): string {
  for (const e of events) if (e.type === 'job.started') return e.message ?? '';
  return '';
}

const score = (agent: string, extra = '', sheets = 1) => `name: isolated
workspace: ./ws
pause_between_sheets_seconds: 0
backend:
  type: command
  command: ${JSON.stringify(agent)}
  working_directory: ./repo
  timeout_seconds: 60
retry: { max_retries: 0, base_delay_seconds: 1 }
sheet: { size: 1, total_items: ${sheets} }
prompt: { template: "x" }
validations:
  - { type: file_exists, path: "{workspace}/done-{sheet_num}", retry_count: 0 }
isolation:
  enabled: true
${extra}`;

// Records where it ran and whether its worktree was locked, edits and commits a tracked file, and
// reports to the workspace (which stays outside the repository).
const workingAgent = [
  'pwd -P > "$MOZART_WORKSPACE/pwd-$MOZART_SHEET_NUM"',
  'git worktree list --porcelain > "$MOZART_WORKSPACE/list-$MOZART_SHEET_NUM"',
  'echo "sheet $MOZART_SHEET_NUM" >> file.txt',
  `git ${identity.join(' ')} commit -q -am "sheet $MOZART_SHEET_NUM"`,
  'touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"',
].join(' && ');

test('agents run in a new worktree on <prefix>/<job id>; success removes it and keeps the branch', async () => {
  const { dir, scoreFile } = scoreDir(score(workingAgent, '', 2));
  const repo = makeRepo(dir);
  const job = prepareJob(scoreFile, dir);
  const state = await job.runner.run();
  job.store.close();

  assert.equal(state.status, 'completed', JSON.stringify(state.error ?? state.sheets['1']?.lastError));
  const worktree = join(repo, '.worktrees', 'test-job');
  for (const num of [1, 2]) {
    assert.equal(readFileSync(join(job.workspace, `pwd-${num}`), 'utf8').trim(), worktree, `sheet ${num} ran in the worktree`);
    // Locked while the job ran, so `git worktree remove/prune` could not take it away.
    const entry = readFileSync(join(job.workspace, `list-${num}`), 'utf8').split('\n\n').find((b) => b.startsWith(`worktree ${worktree}\n`));
    assert.match(entry ?? '', /^branch refs\/heads\/mozart\/test-job$/m);
    assert.match(entry ?? '', /^locked/m);
  }
  assert.match(startedMessage(job.events), /in a new worktree .*branch mozart\/test-job/);

  // The branch keeps both sheets' commits; the main checkout saw none of it.
  assert.ok(branchExists(repo, 'mozart/test-job'));
  assert.equal(git(repo, 'log', '--format=%s', 'main..mozart/test-job'), 'sheet 2\nsheet 1');
  assert.equal(git(repo, 'show', 'mozart/test-job:file.txt'), 'original\nsheet 1\nsheet 2');
  assert.equal(readFileSync(join(repo, 'file.txt'), 'utf8'), 'original\n');
  assert.equal(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
  assert.equal(git(repo, 'status', '--porcelain', '--untracked-files=all'), '', 'the main checkout shows no change (.worktrees is excluded locally)');

  // cleanup_on_success (default true): folder and registration gone, checkpoint no longer points at it.
  assert.ok(!existsSync(worktree));
  assert.equal(worktreeEntry(repo, worktree), undefined);
  assert.equal(state.worktree, undefined);
});

test('a failed job keeps its worktree; resume after a restart reuses it; success then removes it', async () => {
  // The agent succeeds only once the test has created `allow` in the workspace.
  const agent = 'pwd -P >> "$MOZART_WORKSPACE/pwds"; echo work > note.txt; [ -e "$MOZART_WORKSPACE/allow" ] && touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"';
  const { dir, scoreFile } = scoreDir(score(agent, '  branch_prefix: review\n'));
  const repo = makeRepo(dir);
  const worktree = join(repo, '.worktrees', 'test-job');

  const first = prepareJob(scoreFile, dir);
  const failed = await first.runner.run();
  first.store.close();
  assert.equal(failed.status, 'failed');
  // cleanup_on_failure defaults to false: the worktree stays for inspection, with the agent's work.
  assert.deepEqual(failed.worktree, { path: worktree, branch: 'review/test-job' });
  assert.equal(readFileSync(join(worktree, 'note.txt'), 'utf8'), 'work\n');
  const entry = worktreeEntry(repo, worktree);
  assert.ok(entry, 'still a registered worktree');
  assert.doesNotMatch(entry, /^locked/m, 'unlocked once the job stopped');
  assert.ok(!existsSync(join(repo, 'note.txt')));

  // A new runner over the same checkpoint is what a restarted conductor does on resume.
  writeFileSync(join(first.workspace, 'allow'), '');
  const second = prepareJob(scoreFile, dir);
  assert.deepEqual(second.store.current.worktree, { path: worktree, branch: 'review/test-job' });
  const resumed = await second.runner.run();
  second.store.close();
  assert.equal(resumed.status, 'completed');
  assert.match(startedMessage(second.events), /continuing in the worktree/);
  assert.deepEqual(readFileSync(join(first.workspace, 'pwds'), 'utf8').trim().split('\n'), [worktree, worktree]);
  assert.equal(git(repo, 'branch', '--list', 'review/*', '--format=%(refname:short)'), 'review/test-job', 'no second branch was made');
  assert.ok(!existsSync(worktree));
  assert.equal(resumed.worktree, undefined);
});

test('resume re-creates a worktree deleted by hand from its branch, keeping the commits', async () => {
  const agent = `pwd -P >> "$MOZART_WORKSPACE/pwds"; echo "run" >> file.txt; git ${identity.join(' ')} commit -q -am run; [ -e "$MOZART_WORKSPACE/allow" ] && touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"`;
  const { dir, scoreFile } = scoreDir(score(agent));
  const repo = makeRepo(dir);
  const worktree = join(repo, '.worktrees', 'test-job');
  const first = prepareJob(scoreFile, dir);
  assert.equal((await first.runner.run()).status, 'failed');
  first.store.close();
  rmSync(worktree, { recursive: true, force: true });

  writeFileSync(join(first.workspace, 'allow'), '');
  const second = prepareJob(scoreFile, dir);
  const state = await second.runner.run();
  second.store.close();
  assert.equal(state.status, 'completed');
  assert.deepEqual(readFileSync(join(first.workspace, 'pwds'), 'utf8').trim().split('\n'), [worktree, worktree]);
  assert.equal(git(repo, 'log', '--format=%s', 'main..mozart/test-job'), 'run\nrun', 'the second run built on the first run\'s commit');
});

test('without git on the PATH the job fails with E603 and says to install git', async () => {
  const { dir, scoreFile } = scoreDir(score('touch "$MOZART_WORKSPACE/agent-ran"', '  fallback_on_error: false\n'));
  makeRepo(dir);
  const job = prepareJob(scoreFile, dir);
  const path = process.env.PATH;
  process.env.PATH = join(dir, 'no-such-bin');
  const state = await job.runner.run().finally(() => {
    process.env.PATH = path;
    job.store.close();
  });
  assert.equal(state.status, 'failed');
  assert.equal(state.error?.code, 'E603');
  assert.match(state.error?.message ?? '', /git was not found on the PATH/);
  assert.ok(!existsSync(join(job.workspace, 'agent-ran')));
});

test('cleanup_on_failure removes a failed job\'s worktree; cleanup_on_success: false keeps a finished one', async () => {
  const failing = scoreDir(score('exit 1', '  cleanup_on_failure: true\n  worktree_base: ./trees\n'));
  const repoA = makeRepo(failing.dir);
  const a = prepareJob(failing.scoreFile, failing.dir);
  const failed = await a.runner.run();
  a.store.close();
  assert.equal(failed.status, 'failed');
  // worktree_base is resolved from the score's folder, outside the repository here.
  assert.ok(!existsSync(join(failing.dir, 'trees', 'test-job')));
  assert.equal(worktreeEntry(repoA, join(realpathSync(failing.dir), 'trees', 'test-job')), undefined);
  assert.ok(branchExists(repoA, 'mozart/test-job'), 'the branch outlives the worktree');
  assert.equal(failed.worktree, undefined);

  const keeping = scoreDir(score('touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"', '  cleanup_on_success: false\n  lock_during_execution: false\n'));
  const repoB = makeRepo(keeping.dir);
  const b = prepareJob(keeping.scoreFile, keeping.dir);
  const done = await b.runner.run();
  b.store.close();
  assert.equal(done.status, 'completed');
  const kept = join(repoB, '.worktrees', 'test-job');
  assert.ok(existsSync(kept));
  assert.deepEqual(done.worktree, { path: kept, branch: 'mozart/test-job' });
});

test('a re-run of the same job id leaves the earlier branch alone and takes the next free name', async () => {
  const { dir, scoreFile } = scoreDir(score('touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"'));
  const repo = makeRepo(dir);
  const first = prepareJob(scoreFile, dir);
  assert.equal((await first.runner.run()).status, 'completed');
  first.store.close();
  // --fresh deletes the checkpoint; the first run's branch is still there for review.
  const fresh = scoreDir(score('touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"').replace('./repo', JSON.stringify(repo)));
  const second = prepareJob(fresh.scoreFile, fresh.dir);
  const state = await second.runner.run();
  second.store.close();
  assert.equal(state.status, 'completed');
  assert.equal(git(repo, 'branch', '--list', 'mozart/*', '--format=%(refname:short)'), 'mozart/test-job\nmozart/test-job-2');
});

test('a folder outside any git repository fails the job with E603 before any agent runs', async () => {
  const { dir, scoreFile } = scoreDir(score('touch "$MOZART_WORKSPACE/agent-ran"', '  fallback_on_error: false\n'));
  mkdirSync(join(dir, 'repo')); // a plain folder, no git
  const job = prepareJob(scoreFile, dir);
  const state = await job.runner.run();
  job.store.close();
  assert.equal(state.status, 'failed');
  assert.equal(state.error?.code, 'E603');
  assert.match(state.error?.message ?? '', /is not inside a git working tree/);
  assert.match(state.error?.message ?? '', /isolation\.enabled: false/, 'it says what to do');
  assert.ok(!existsSync(join(job.workspace, 'agent-ran')));
  assert.deepEqual(Object.values(state.sheets).map((s) => [s.status, s.attempts]), [['pending', 0]]);
  assert.ok(!job.events.some((e) => e.type === 'sheet.started' || e.type === 'job.started'));
  assert.deepEqual(job.events.filter((e) => e.type === 'job.failed').map((e) => 'code' in e && e.code), ['E603']);
  assert.equal(state.worktree, undefined);
});

test('with fallback_on_error (the default) a folder outside git runs unisolated, and says so', async () => {
  const { dir, scoreFile } = scoreDir(score('pwd -P > "$MOZART_WORKSPACE/pwd"; touch "$MOZART_WORKSPACE/done-$MOZART_SHEET_NUM"'));
  mkdirSync(join(dir, 'repo'));
  const job = prepareJob(scoreFile, dir);
  const state = await job.runner.run();
  job.store.close();
  assert.equal(state.status, 'completed');
  assert.equal(readFileSync(join(job.workspace, 'pwd'), 'utf8').trim(), realpathSync(join(dir, 'repo')));
  assert.match(startedMessage(job.events), /WITHOUT isolation.*E603/);
});

test('job ids become safe branch and folder names', () => {
  assert.equal(worktreeName('test-job'), 'test-job');
  assert.equal(worktreeName('My job: v2 (draft)'), 'My-job-v2-draft');
  assert.equal(worktreeName('..hidden..name.lock'), 'hidden.name');
  assert.equal(worktreeName('***'), 'job');
});
