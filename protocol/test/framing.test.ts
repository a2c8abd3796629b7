// The frame format: lines bounded by one limit both ends honour, and the ids the spec allows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeFrame, frameFits, isValidId, LineDecoder, MAX_FRAME_BYTES, MAX_FRAME_TEXT } from '../src/framing.js';

test('one frame limit, 32 MiB: room for a large job.status, below a 50 MB line', () => {
  assert.equal(MAX_FRAME_BYTES, 32 * 1024 * 1024);
  assert.equal(MAX_FRAME_TEXT, '32 MiB');
});

test('lines split across chunks are joined; several in one chunk are split', () => {
  const decoder = new LineDecoder(16);
  assert.deepEqual(decoder.push(Buffer.from('{"a":')), { lines: [], overflow: false });
  assert.deepEqual(decoder.push(Buffer.from('1}\n{"b":2}\n{"c"')), { lines: ['{"a":1}', '{"b":2}'], overflow: false });
  assert.deepEqual(decoder.push(Buffer.from(':3}\n')), { lines: ['{"c":3}'], overflow: false });
});

test('a multi-byte character cut between chunks arrives whole', () => {
  const bytes = Buffer.from('"é"\n');
  const decoder = new LineDecoder();
  assert.deepEqual(decoder.push(bytes.subarray(0, 2)).lines, []);
  assert.deepEqual(decoder.push(bytes.subarray(2)).lines, ['"é"']);
});

test('a line of exactly the limit passes; one byte more overflows, and the rest of it is dropped', () => {
  const decoder = new LineDecoder(8);
  assert.deepEqual(decoder.push(Buffer.from('12345678\n')), { lines: ['12345678'], overflow: false });
  assert.deepEqual(decoder.push(Buffer.from('1234')), { lines: [], overflow: false });
  assert.deepEqual(decoder.push(Buffer.from('56789')), { lines: [], overflow: true });
  assert.deepEqual(decoder.push(Buffer.from('more of it\nok\n')), { lines: ['ok'], overflow: false });
});

test('frameFits measures UTF-8 bytes, not characters', () => {
  assert.equal(frameFits(encodeFrame({ jsonrpc: '2.0', id: 1, result: 'x'.repeat(MAX_FRAME_BYTES - 40) })), true);
  assert.equal(frameFits(`${'x'.repeat(MAX_FRAME_BYTES)}\n`), true);
  assert.equal(frameFits(`${'x'.repeat(MAX_FRAME_BYTES + 1)}\n`), false);
  assert.equal(frameFits(`${'é'.repeat(MAX_FRAME_BYTES / 2 + 1)}\n`), false, 'each é is 2 bytes');
});

test('ids: strings, integers and null; never objects, lists, booleans, fractions or unsafe integers', () => {
  for (const id of ['a', '', 0, -3, 2 ** 53 - 1, null]) assert.equal(isValidId(id), true, JSON.stringify(id));
  for (const id of [{}, [], true, false, 1.5, 2 ** 53, Infinity, NaN, undefined]) assert.equal(isValidId(id), false, String(id));
});
