// The safe reader behind every score (and every file a score names): what is not a regular file is
// refused by what it is, before it is opened; a file over the cap is refused by its size; and the
// first byte that is not UTF-8 is reported where it is, in the score and in a template or system
// prompt file it names, instead of being replaced without a word.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkScoreFile } from '../src/engine.js';
import { readScoreFile } from '../src/score-file.js';

const dir = mkdtempSync(join(tmpdir(), 'mozart-score-file-'));
const HEAD = 'name: bytes\nworkspace: ./ws\nsheet: { size: 1, total_items: 1 }\n';

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

test('the first byte that is not UTF-8 is found at its byte, past multi-byte characters before it', () => {
  // 'é' is two bytes and one character: the byte offset and the text offset differ.
  const file = write('latin1.yaml', Buffer.concat([Buffer.from('a: é\nb: caf'), Buffer.from([0xe9, 0x0a])]));
  const read = readScoreFile(file);
  assert.ok(read.ok);
  assert.deepEqual(read.invalidUtf8, { byte: 0xe9, byteOffset: 12, textOffset: 11 });
});

test('Y002 in a score is at the line and column of the first byte that is not UTF-8', () => {
  const file = write('bad.yaml', Buffer.concat([Buffer.from(`${HEAD}description: café ok caf`), Buffer.from([0xe9, 0x0a])]));
  const findings = checkScoreFile(file).result?.findings ?? [];
  assert.equal(findings.length, 1);
  const [y002] = findings;
  assert.equal(y002?.id, 'Y002');
  assert.deepEqual(y002?.range.start, { line: 3, character: 24 });
  assert.match(y002?.message ?? '', /byte 0xE9 \(byte \d+ of the file\)/);
  assert.match(y002?.message ?? '', new RegExp(`byte ${Buffer.byteLength(`${HEAD}description: café ok caf`)} of the file`));
});

test('a template file that is not UTF-8 is Y002 in that file, at its byte, and its text is not checked', () => {
  const template = write('prompt.j2', Buffer.concat([Buffer.from('Sheet {{ sheet_num }}\nFaites le caf'), Buffer.from([0xe9]), Buffer.from(' {{ undefined_here }}\n')]));
  const file = write('with-template.yaml', `${HEAD}backend: { type: command, command: "true" }\nprompt: { template_file: prompt.j2 }\n`);
  const findings = checkScoreFile(file).result?.findings ?? [];
  const y002 = findings.filter((f) => f.id === 'Y002');
  assert.equal(y002.length, 1, JSON.stringify(findings));
  assert.equal(y002[0]?.file, template);
  assert.equal(y002[0]?.severity, 'error');
  assert.deepEqual(y002[0]?.range.start, { line: 1, character: 13 });
  assert.match(y002[0]?.message ?? '', /byte 0xE9 \(byte 35 of the file\).*prompt\.template_file names/);
  assert.equal(findings.some((f) => f.id === 'V101'), false, 'the replaced text was not checked for variables');
});

test('a system prompt file that is not UTF-8 is Y002 in that file; one that is a FIFO is V004', () => {
  const prompt = write('system.txt', Buffer.from([0x68, 0x69, 0x0a, 0xff]));
  const fifo = join(dir, 'system.fifo');
  execFileSync('mkfifo', [fifo]);
  const score = (path: string) => `${HEAD}backend: { type: claude_cli, system_prompt_file: ${path} }\nprompt: { template: "hi" }\n`;
  const bad = checkScoreFile(write('system-bad.yaml', score(prompt))).result?.findings ?? [];
  const y002 = bad.find((f) => f.id === 'Y002');
  assert.equal(y002?.file, prompt);
  assert.deepEqual(y002?.range.start, { line: 1, character: 0 });
  const piped = checkScoreFile(write('system-fifo.yaml', score(fifo))).result?.findings ?? [];
  const v004 = piped.find((f) => f.id === 'V004');
  assert.match(v004?.message ?? '', /system\.fifo is a FIFO \(named pipe\), not a regular file/);
});
