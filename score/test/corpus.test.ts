// Table-driven corpus: every file in corpus/ declares the exact findings it must produce in
// header comments, and this test checks id, severity and range for each of them.
//   # expect: V101 warning 12:9-12:17     (1-based line:col-line:col, end exclusive)
//   # expect: none                        (a score that must check clean)
//   # expect-file: templates/x.j2 V001 error 3:1-3:3   (finding located in another file)
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkScore } from '../src/engine.js';

const CORPUS = resolve(__dirname, 'corpus');
const files = readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).sort();

function expectations(file: string, text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^# expect(-file)?: (.*)$/.exec(line);
    if (!m) continue;
    const spec = (m[2] ?? '').trim();
    if (spec === 'none') continue;
    if (m[1]) {
      const [other, ...rest] = spec.split(/\s+/);
      out.push(`${resolve(CORPUS, other ?? '')} ${rest.join(' ')}`);
    } else out.push(`${file} ${spec}`);
  }
  return out.sort();
}

test('the corpus has at least 60 scores', () => {
  assert.ok(files.length >= 60, `only ${files.length} corpus files`);
});

for (const name of files) {
  test(`corpus: ${name}`, () => {
    const file = join(CORPUS, name);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# expect/m, `${name} declares no expectations`);
    const result = checkScore(file, text);
    const actual = result.findings
      .map((f) => `${f.file} ${f.id} ${f.severity} ${f.range.start.line + 1}:${f.range.start.character + 1}-${f.range.end.line + 1}:${f.range.end.character + 1}`)
      .sort();
    assert.deepEqual(actual, expectations(file, text), result.findings.map((f) => `${f.id} ${f.message}`).join('\n'));
  });
}
