// A check's documentation link: the section's line in a local docs/checks.md, its anchor on the web.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { URI } from 'vscode-uri';
import { checkDocLink } from '../src/docs-links.js';

test('a local file link opens at the heading of the check, a web link takes its anchor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-docs-'));
  try {
    const file = join(dir, 'checks.md');
    writeFileSync(file, ['# Checks', '', '<a id="y001"></a>', '## Y001 — YAML syntax error', 'text', '<a id="s001"></a>', '## S001 — Unknown key', ''].join('\n'));
    const url = URI.file(file).toString();
    assert.equal(checkDocLink(url, 'S001'), `${url}#L7`);
    assert.equal(checkDocLink(url, 'Y001'), `${url}#L4`);
    assert.equal(checkDocLink(url, 'D001'), url, 'a check the file lacks opens the file at its start');
    assert.equal(checkDocLink('https://example.com/docs/checks.md', 'S001'), 'https://example.com/docs/checks.md#s001');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
