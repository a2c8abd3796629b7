// The fix executor on real files: folders, new files that never overwrite, text edits counted in
// UTF-16 like every position in a finding, and a clear failure that stops the rest.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyFixOnDisk, applyTextEdits } from '../src/fix-apply.js';

const root = mkdtempSync(join(tmpdir(), 'mozart-fix-'));
after(() => rmSync(root, { recursive: true, force: true }));

const at = (line: number, character: number) => ({ line, character });

test('creates folders with their parents and a file with its folder, and says what it did', () => {
  const folder = join(root, 'a', 'b', 'c');
  const file = join(root, 'new', 'prompt.j2');
  const outcome = applyFixOnDisk({ title: 'make', safe: true, actions: [{ kind: 'createDirectory', path: folder }, { kind: 'createFile', path: file, content: 'Sheet {{ sheet_num }}\n' }] });
  assert.equal(outcome.failure, undefined);
  assert.deepEqual(outcome.done, [`Created ${folder}.`, `Created ${file}.`]);
  assert.ok(existsSync(folder));
  assert.equal(readFileSync(file, 'utf8'), 'Sheet {{ sheet_num }}\n');
});

test('an existing file is left as it is', () => {
  const file = join(root, 'kept.txt');
  writeFileSync(file, 'mine\n');
  const outcome = applyFixOnDisk([{ kind: 'createFile', path: file, content: 'theirs\n' }]);
  assert.deepEqual(outcome.done, [`Left ${file} as it was (it exists).`]);
  assert.equal(readFileSync(file, 'utf8'), 'mine\n');
});

test('edits of one file apply together, positions in UTF-16 code units', () => {
  const file = join(root, 'score.yaml');
  // '🎵' is two UTF-16 code units: the name starts at character 14 of line 1, not 13 (code points) or 16 (bytes).
  writeFileSync(file, 'name: x\nprompt: 🎵 {{ sheet_nun }}\n');
  const outcome = applyFixOnDisk([
    { kind: 'edit', file, range: { start: at(1, 14), end: at(1, 23) }, newText: 'sheet_num' },
    { kind: 'edit', file, range: { start: at(0, 6), end: at(0, 7) }, newText: 'y' },
  ]);
  assert.deepEqual(outcome.done, [`Edited ${file} (2 changes).`]);
  assert.equal(readFileSync(file, 'utf8'), 'name: y\nprompt: 🎵 {{ sheet_num }}\n');
});

test('two inserts at one place keep their order; overlapping edits are refused', () => {
  assert.equal(applyTextEdits('ab', [{ range: { start: at(0, 1), end: at(0, 1) }, newText: '1' }, { range: { start: at(0, 1), end: at(0, 1) }, newText: '2' }]), 'a12b');
  const file = join(root, 'overlap.txt');
  writeFileSync(file, 'abcdef');
  const outcome = applyFixOnDisk([
    { kind: 'edit', file, range: { start: at(0, 0), end: at(0, 4) }, newText: 'x' },
    { kind: 'edit', file, range: { start: at(0, 2), end: at(0, 5) }, newText: 'y' },
  ]);
  assert.equal(outcome.failure?.code, 'EOVERLAP');
  assert.equal(readFileSync(file, 'utf8'), 'abcdef', 'nothing changed');
});

test('a failure names the action and its cause, and stops the actions after it', () => {
  const blocker = join(root, 'blocker');
  writeFileSync(blocker, '');
  const later = join(root, 'never-either');
  const outcome = applyFixOnDisk([{ kind: 'createDirectory', path: join(blocker, 'inside') }, { kind: 'createDirectory', path: later }]);
  assert.equal(outcome.failure?.code, 'ENOTDIR');
  assert.match(outcome.failure?.message ?? '', /blocker/);
  assert.deepEqual(outcome.failure?.action, { kind: 'createDirectory', path: join(blocker, 'inside') });
  assert.equal(existsSync(later), false);
  assert.deepEqual(outcome.done, []);
});
