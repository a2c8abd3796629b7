// The safe reader behind every score (and every file a score names): what is not a regular file is
// refused by what it is, before it is opened; a file over the cap is refused by its size.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readScoreFile } from '../src/score-file.js';

const dir = mkdtempSync(join(tmpdir(), 'mozart-score-file-'));

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

test('a socket is refused as a socket: it was looked at, not opened (opening one fails with ENXIO)', async () => {
  const path = join(dir, 'score.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    const read = readScoreFile(path);
    assert.equal(read.ok, false);
    assert.ok(!read.ok && read.reason === 'not-a-file');
    assert.match(read.message, /score\.sock is a socket, not a regular file/);
  } finally {
    server.close();
  }
});

test('a FIFO, a character device and a directory are each refused, named for what they are', () => {
  const fifo = join(dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  const cases: [string, RegExp][] = [
    [fifo, /fifo\.yaml is a FIFO \(named pipe\), not a regular file/],
    ['/dev/zero', /\/dev\/zero is a character device, not a regular file/],
    [dir, /is a directory, not a regular file/],
  ];
  for (const [path, says] of cases) {
    const read = readScoreFile(path);
    assert.ok(!read.ok && read.reason === 'not-a-file', path);
    assert.match(read.message, says);
  }
});

test('a link to a regular file is read; a file over the cap is refused by its size', () => {
  const target = write('target.yaml', 'name: linked\n');
  const link = join(dir, 'link.yaml');
  symlinkSync(target, link);
  const read = readScoreFile(link);
  assert.ok(read.ok);
  assert.equal(read.text, 'name: linked\n');
  const big = readScoreFile(write('big.yaml', 'x'.repeat(101)), 100);
  assert.ok(!big.ok && big.reason === 'too-large');
  assert.match(big.message, /larger than 100 bytes/);
});
