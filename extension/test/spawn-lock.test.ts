// The spawn lock that keeps two windows from starting two conductors, and the log reading that
// tells a conductor stopped on purpose from one that crashed. Real files in a temp folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { awaitOtherSpawner, readTail, releaseLock, spawnLockPath, tryLock, wasGracefulStop } from '../src/conductor/spawn.js';
import { unlinkSync } from 'node:fs';

const dir = () => mkdtempSync(join(tmpdir(), 'mz-lock-'));

describe('spawn lock', () => {
  test('only the first of two takers gets the lock; after release the next one does', () => {
    const lock = spawnLockPath(join(dir(), 'c.sock'));
    assert.equal(tryLock(lock), true);
    assert.equal(tryLock(lock), false, 'a live holder (this process) keeps it');
    assert.match(readFileSync(lock, 'utf8'), new RegExp(`^${process.pid}\\n`));
    releaseLock(lock);
    assert.equal(existsSync(lock), false);
    assert.equal(tryLock(lock), true);
  });

  test('a lock left by a process that is gone is taken over', async () => {
    const lock = spawnLockPath(join(dir(), 'c.sock'));
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid;
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(lock, `${pid}\n${Date.now()}\n`);
    assert.equal(tryLock(lock), true);
    assert.match(readFileSync(lock, 'utf8'), new RegExp(`^${process.pid}\\n`));
  });

  test('a lock older than a minute is taken over even if its pid is alive', () => {
    const lock = spawnLockPath(join(dir(), 'c.sock'));
    writeFileSync(lock, `${process.ppid}\n0\n`);
    assert.equal(tryLock(lock, Date.now() + 61_000), true);
  });

  test("release leaves someone else's lock alone", () => {
    const lock = spawnLockPath(join(dir(), 'c.sock'));
    writeFileSync(lock, `${process.ppid}\n${Date.now()}\n`);
    releaseLock(lock);
    assert.equal(existsSync(lock), true);
  });

  test('waiting for another spawner ends when its lock goes away', async () => {
    const socket = join(dir(), 'c.sock');
    const lock = spawnLockPath(socket);
    writeFileSync(lock, `${process.ppid}\n${Date.now()}\n`);
    let done = false;
    const waiting = awaitOtherSpawner(socket, 60_000).then(() => {
      done = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false, 'still waiting while the lock exists');
    unlinkSync(lock);
    await waiting;
    assert.equal(done, true);
  });
});

describe('stopped or crashed', () => {
  test("the log's last lifecycle line decides", () => {
    const listening = '2025-01-01T10:00:00.000Z mozart conductor 0.1.0 listening on /s.sock (pid 5)\n';
    assert.equal(wasGracefulStop(listening), false, 'no stop after it started: a crash');
    assert.equal(wasGracefulStop(`${listening}2025-01-01T10:05:00.000Z stopping (SIGTERM): pausing 0 running job(s) at a safe point\n`), true);
    assert.equal(wasGracefulStop(`${listening}x stopping (shutdown requested): pausing 1\nx stopped\n`), true);
    assert.equal(wasGracefulStop(`x stopped\n${listening}`), false, 'an earlier stop does not count for a later conductor');
    assert.equal(wasGracefulStop(''), false);
  });

  test('the tail of a file is its last bytes', () => {
    const file = join(dir(), 'log');
    writeFileSync(file, `${'a'.repeat(10_000)}\nlast line\n`);
    assert.equal(readTail(file, 10), 'last line\n');
    assert.equal(readTail(join(dir(), 'missing')), '');
  });
});
