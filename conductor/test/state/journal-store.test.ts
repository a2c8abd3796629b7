import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { JournalStore, StateLoadError } from '../../src/state/journal-store.js';

type S = { items: number[] };
const apply = (s: S, r: number): S => {
  s.items.push(r);
  return s;
};
const fresh = () => mkdtempSync(join(tmpdir(), 'mozart-store-'));

test('records survive a reopen through the journal and through compaction', () => {
  const dir = fresh();
  const store = JournalStore.open<S, number>({ dir, apply, compactEvery: 3 }, { items: [] });
  for (let i = 1; i <= 7; i++) store.append(i);
  // No close(): as if the process died here.
  assert.deepEqual(JournalStore.read<S, number>(dir, apply)?.items, [1, 2, 3, 4, 5, 6, 7]);
});

test('a torn last journal line (a crash mid-write) is ignored and not appended after', () => {
  const dir = fresh();
  const store = JournalStore.open<S, number>({ dir, apply }, { items: [] });
  store.append(1);
  store.append(2);
  appendFileSync(join(dir, 'journal.ndjson'), '{"seq":3,"rec');
  const reopened = JournalStore.open<S, number>({ dir, apply }, { items: [] });
  assert.deepEqual(reopened.current.items, [1, 2]);
  reopened.append(3);
  assert.deepEqual(JournalStore.read<S, number>(dir, apply)?.items, [1, 2, 3]);
});

test('a damaged snapshot is reported as E401, not silently replaced', () => {
  const dir = fresh();
  JournalStore.open<S, number>({ dir, apply }, { items: [] }).close();
  writeFileSync(join(dir, 'state.json'), '{ not json');
  assert.throws(() => JournalStore.read<S, number>(dir, apply), (e: unknown) => e instanceof StateLoadError && e.code === 'E401');
});

test('one save appends one line whatever the state size', () => {
  const dir = fresh();
  const store = JournalStore.open<S, number>({ dir, apply, compactEvery: 1_000_000 }, { items: Array.from({ length: 10_000 }, (_, i) => i) });
  const size = () => readFileSync(join(dir, 'journal.ndjson')).length;
  const start = size();
  store.append(1);
  const one = size() - start;
  store.append(2);
  assert.equal(size() - start, one * 2);
  assert.ok(one < 40, `a save wrote ${one} bytes`);
});
