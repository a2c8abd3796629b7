import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandPlaceholders, findPlaceholders } from '../src/placeholders.js';

test('finds placeholders and skips doubled braces', () => {
  assert.deepEqual(findPlaceholders('{workspace}/out-{sheet_num:02d}.md {{literal}}').map((p) => p.name), ['workspace', 'sheet_num']);
});

test('expands known placeholders with zero padding and leaves unknown ones alone', () => {
  const text = 'test -f {workspace}/s{sheet_num:03d}.md && awk "{print $1}" x ${HOME} {{x}}';
  assert.equal(expandPlaceholders(text, { workspace: '/w', sheet_num: 7 }), 'test -f /w/s007.md && awk "{print $1}" x ${HOME} {x}');
});
