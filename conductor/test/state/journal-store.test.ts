import assert from 'node:assert/strict';
import fs from 'node:fs';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { JournalStore, StateLoadError, StateWriteError } from '../../src/state/journal-store.js';
import { mountTmpfs, tmpfsUnavailable } from '../support/tmpfs.js';

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

test('a journal tail that is JSON but not a record (null, a bare seq) is cut off and reported', () => {
  for (const tail of ['null\n', '{"seq":1000000000}\n', '[1,2]\n', '{"seq":9,"record":4}\n']) {
    const dir = fresh();
    const store = JournalStore.open<S, number>({ dir, apply, compactEvery: 1000 }, { items: [] });
    store.append(1);
    store.append(2);
    appendFileSync(join(dir, 'journal.ndjson'), tail);
    const reopened = JournalStore.open<S, number>({ dir, apply }, { items: [] });
    assert.deepEqual(reopened.current.items, [1, 2], tail);
    assert.equal(reopened.repairs.length, 1, tail);
    assert.match(reopened.repairs[0] ?? '', /line 3\).*cut off/);
    reopened.append(3);
    assert.deepEqual(JournalStore.read<S, number>(dir, apply)?.items, [1, 2, 3]);
  }
});

test('a non-record line with records after it is E401 naming the line and what to do', () => {
  const dir = fresh();
  const store = JournalStore.open<S, number>({ dir, apply }, { items: [] });
  store.append(1);
  appendFileSync(join(dir, 'journal.ndjson'), 'null\n{"seq":2,"record":2}\n');
  assert.throws(
    () => JournalStore.read<S, number>(dir, apply),
    (e: unknown) => e instanceof StateLoadError && e.code === 'E401' && /line 2: it is valid JSON but not a journal record/.test(e.message) && /delete that line/.test(e.message),
  );
});

test('a record the store shape refuses, or its reducer throws on: cut off at the tail, E401 before other records', () => {
  const shape = { record: (r: unknown) => (typeof r === 'number' ? undefined : 'its record is not a number'), state: (st: unknown) => (Array.isArray((st as S).items) ? undefined : 'its state has no items') };
  const picky = (s: S, r: number): S => {
    if (r < 0) throw new TypeError('negative');
    return apply(s, r);
  };
  for (const [bad, problem] of [['{"seq":3,"record":{"t":"sheet"}}', /line 3\) is valid JSON but not a journal record \(its record is not a number\); it was cut off/], ['{"seq":3,"record":-1}', /line 3\) is not a record this checkpoint can apply \(negative\); it was cut off/]] as const) {
    const dir = fresh();
    const store = JournalStore.open<S, number>({ dir, apply: picky, shape, compactEvery: 1000 }, { items: [] });
    store.append(1);
    store.append(2);
    appendFileSync(join(dir, 'journal.ndjson'), `${bad}\n`);
    assert.deepEqual(JournalStore.read<S, number>(dir, picky, shape)?.items, [1, 2], bad);
    const reopened = JournalStore.open<S, number>({ dir, apply: picky, shape }, { items: [] });
    assert.deepEqual(reopened.current.items, [1, 2], bad);
    assert.match(reopened.repairs[0] ?? '', problem);
    reopened.append(3);
    assert.deepEqual(JournalStore.read<S, number>(dir, picky, shape)?.items, [1, 2, 3]);
    // The same line with a record after it is not guessed past.
    appendFileSync(join(dir, 'journal.ndjson'), `${bad.replace('"seq":3', '"seq":4')}\n{"seq":5,"record":5}\n`);
    assert.throws(() => JournalStore.read<S, number>(dir, picky, shape), (e: unknown) => e instanceof StateLoadError && e.code === 'E401' && /damaged at line 2: .*and records follow it.*delete that line/.test(e.message), bad);
  }
  const dir = fresh();
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ seq: 1, state: { other: [] } }));
  assert.throws(() => JournalStore.read<S, number>(dir, picky, shape), (e: unknown) => e instanceof StateLoadError && e.code === 'E401' && /not in Mozart's format \(its state has no items\)\. Move the folder/.test(e.message));
});

test('a deleted snapshot: read says so with E401 and how to resume; open rebuilds from the journal and flags it', () => {
  const dir = fresh();
  const store = JournalStore.open<S, number>({ dir, apply }, { items: [] });
  store.append(1);
  rmSync(join(dir, 'state.json'));
  assert.throws(() => JournalStore.read<S, number>(dir, apply), (e: unknown) => e instanceof StateLoadError && e.code === 'E401' && /snapshot .* is missing.*Resume the job to rebuild it/.test(e.message));
  const reopened = JournalStore.open<S, number>({ dir, apply }, { items: [0] });
  assert.equal(reopened.snapshotLost, true);
  assert.deepEqual(reopened.current.items, [0, 1]);
  assert.deepEqual(JournalStore.read<S, number>(dir, apply)?.items, [0, 1], 'the rebuilt snapshot is on disk');
});

test('an fsync that fails after the line was written: the line is cut off, and the next records are neither lost nor skipped', () => {
  const dir = fresh();
  const store = JournalStore.open<S, number>({ dir, apply }, { items: [] });
  store.append(1);
  const journal = join(dir, 'journal.ndjson');
  const before = readFileSync(journal, 'utf8');
  // The disk takes the bytes but cannot flush them (EIO, or a full thin-provisioned volume).
  const fsync = mock.method(fs, 'fsyncSync', () => {
    throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  });
  syncBuiltinESMExports();
  try {
    assert.throws(() => store.append(2), (e: unknown) => e instanceof StateWriteError && e.errno === 'EIO');
    assert.ok(fsync.mock.callCount() > 0, 'the store flushed through the failing fsync');
  } finally {
    fsync.mock.restore();
    syncBuiltinESMExports();
  }
  assert.equal(readFileSync(journal, 'utf8'), before, 'the unflushed line is cut off again');
  assert.deepEqual(store.current.items, [1], 'a record not known to be on disk is not in the state');
  // The next record (a job's E403 "failed") takes the refused one along and is saved too.
  store.append(3);
  assert.deepEqual(store.current.items, [1, 2, 3]);
  assert.deepEqual(JournalStore.read<S, number>(dir, apply)?.items, [1, 2, 3], 'nothing lost or skipped on disk');
  store.append(4);
  assert.deepEqual(JournalStore.read<S, number>(dir, apply)?.items, [1, 2, 3, 4]);
});

const noTmpfs = tmpfsUnavailable();

test('a full disk: every append either lands whole or throws StateWriteError, and the disk always holds what memory holds', { skip: noTmpfs }, () => {
  const fs = mountTmpfs(64);
  try {
    const dir = join(fs.dir, 'state');
    const store = JournalStore.open<{ items: string[] }, string>({ dir, apply: (s, r) => (s.items.push(r), s), compactEvery: 7 }, { items: [] });
    const record = 'x'.repeat(900);
    let failure: unknown;
    for (let i = 0; i < 500 && !failure; i++) {
      try {
        store.append(`${i}:${record}`);
      } catch (error) {
        failure = error;
      }
    }
    assert.ok(failure instanceof StateWriteError, `the disk filled up: ${String(failure)}`);
    assert.equal((failure as StateWriteError).errno, 'ENOSPC');
    const onDisk = JournalStore.read<{ items: string[] }, string>(dir, (s, r) => (s.items.push(r), s));
    assert.deepEqual(onDisk?.items, store.current.items, 'no record in memory that the disk lacks, none torn on disk');
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary snapshot left behind');
  } finally {
    fs.unmount();
  }
});
