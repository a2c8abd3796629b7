// Workspace lifecycle on --fresh, on real folders: what moves, what stays, naming and rotation.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { archiveWorkspace, planArchive } from '../../src/runner/archive.js';
import type { LifecycleConfig } from '../../src/runner/archive.js';

const config = (over: Partial<LifecycleConfig> = {}): LifecycleConfig => ({
  archive_on_fresh: true,
  archive_dir: 'archive',
  archive_naming: 'iteration',
  max_archives: 0,
  preserve_patterns: ['.iteration', '.mozart-*', '.coverage', 'archive/**', '.worktrees/**'],
  ...over,
});

function workspaceWith(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'mozart-ws-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(ws, path, '..'), { recursive: true });
    writeFileSync(join(ws, path), text);
  }
  return ws;
}

test('one run per iteration: outputs move, preserved files stay, and max_archives keeps the newest', () => {
  const ws = workspaceWith({ '.mozart/state/state.json': '{}', '.mozart-notes': 'keep', '.coverage': 'keep' });
  const reports = [];
  for (const iteration of [1, 2, 3]) {
    writeFileSync(join(ws, '.iteration'), `${iteration}\n`);
    writeFileSync(join(ws, 'report.md'), `run ${iteration}`);
    mkdirSync(join(ws, 'out'), { recursive: true });
    writeFileSync(join(ws, 'out', 'data.json'), `{"run":${iteration}}`);
    reports.push(archiveWorkspace(ws, config({ max_archives: 2 })));
  }
  assert.deepEqual(readdirSync(join(ws, 'archive')).sort(), ['iteration-2', 'iteration-3']);
  assert.equal(readFileSync(join(ws, 'archive', 'iteration-3', 'report.md'), 'utf8'), 'run 3');
  assert.equal(readFileSync(join(ws, 'archive', 'iteration-2', 'out', 'data.json'), 'utf8'), '{"run":2}');
  assert.deepEqual(readdirSync(ws).sort(), ['.coverage', '.iteration', '.mozart', '.mozart-notes', 'archive']);
  const last = reports[2];
  assert.equal(last?.kind, 'archived');
  if (last?.kind === 'archived') {
    assert.deepEqual(last.moved, ['out', 'report.md']);
    assert.deepEqual(last.removed, ['iteration-1']);
    assert.equal(last.path, join(ws, 'archive', 'iteration-3'));
    assert.match(last.summary, /Archived 2 items of the previous run to .*iteration-3; removed the oldest archive \(iteration-1\) to keep 2\./);
  }
});

test('the same iteration twice gets a suffix instead of mixing two runs', () => {
  const ws = workspaceWith({ '.iteration': '7', 'a.txt': '1' });
  archiveWorkspace(ws, config());
  writeFileSync(join(ws, 'a.txt'), '2');
  archiveWorkspace(ws, config());
  assert.deepEqual(readdirSync(join(ws, 'archive')).sort(), ['iteration-7', 'iteration-7-1']);
  assert.equal(readFileSync(join(ws, 'archive', 'iteration-7-1', 'a.txt'), 'utf8'), '2');
});

test('timestamp naming, or iteration naming without a readable .iteration, uses the time', () => {
  const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  const entries = [{ name: 'a.txt', isDir: false }];
  const base = { workspace: '/ws', entries, existingArchives: [], now };
  const named = (plan: ReturnType<typeof planArchive>) => (plan.kind === 'archive' ? plan.archiveName : plan.kind);
  assert.equal(named(planArchive({ ...base, config: config({ archive_naming: 'timestamp' }), iterationText: '4' })), 'archive-20260102-030405');
  assert.equal(named(planArchive({ ...base, config: config(), iterationText: 'not a number' })), 'archive-20260102-030405');
  assert.equal(named(planArchive({ ...base, config: config() })), 'archive-20260102-030405');
  assert.equal(named(planArchive({ ...base, config: config(), iterationText: ' 12\n' })), 'iteration-12');
});

test('never archives into itself: the folder holding the archive stays, whatever the patterns say', () => {
  const entries = [{ name: 'old', isDir: true }, { name: 'x.txt', isDir: false }, { name: '.mozart', isDir: true }];
  const plan = planArchive({ workspace: '/ws', config: config({ archive_dir: 'old/runs', preserve_patterns: [] }), entries, existingArchives: [], now: new Date() });
  assert.equal(plan.kind, 'archive');
  if (plan.kind === 'archive') {
    assert.deepEqual(plan.move, ['x.txt']);
    assert.deepEqual(plan.keep, ['.mozart', 'old']);
    assert.equal(plan.archiveDir, '/ws/old/runs');
  }
  const itself = planArchive({ workspace: '/ws', config: config({ archive_dir: '.' }), entries, existingArchives: [], now: new Date() });
  assert.equal(itself.kind, 'refused');
});

test('nothing to do: archiving off, a missing workspace, or only preserved files', () => {
  assert.equal(archiveWorkspace('/no/such/ws', config()).kind, 'nothing');
  const ws = workspaceWith({ '.iteration': '1', 'keep.log': 'x' });
  assert.equal(archiveWorkspace(ws, config({ archive_on_fresh: false })).kind, 'nothing');
  assert.equal(archiveWorkspace(ws, config({ preserve_patterns: ['.iteration', '*.log'] })).kind, 'nothing');
  assert.ok(!existsSync(join(ws, 'archive')), 'no empty archive folder is left behind');
});
