// What the server reads: open editor buffers before the disk (go-to-definition too), and the one
// syntax tree of score/src/source.ts even where the YAML does not parse.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { positionOf, TestClient, uriOf } from './lsp-client.js';

const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => String(d.code)).sort();

const score = (prompt: string): string =>
  ['name: reads', 'workspace: ./ws', 'backend:', '  type: command', '  command: cat', 'sheet:', '  size: 1', '  total_items: 2', 'prompt:', prompt, ''].join('\n');

describe('what the language server reads', () => {
  let client: TestClient;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mozart-ls-reads-'));
    client = new TestClient();
    await client.initialize(dir);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
    assert.deepEqual(client.logs.filter((l) => /failed/.test(l)), [], 'no handler failed');
    rmSync(dir, { recursive: true, force: true });
  });

  test('definition reads open buffers: a template open in the editor but not yet saved is a target', async () => {
    const templatePath = join(dir, 'drafts', 'unsaved.j2');
    assert.equal(existsSync(templatePath), false);
    await client.openQuietly(templatePath, 'Sheet {{ sheet_num }}\n', 'jinja');
    const file = join(dir, 'uses-unsaved.yaml');
    const text = score('  template_file: drafts/unsaved.j2');
    assert.deepEqual(await client.open(file, text), [], 'the open buffer counts as the file');
    const at = positionOf(text, 'drafts/unsaved.j2', 3);
    const target = await client.definition(uriOf(file), at.line, at.character);
    assert.equal(target?.uri, uriOf(templatePath));
    await client.close(file);
    await client.close(templatePath);
  });

  test('variables of a score whose YAML does not parse come from the same syntax tree (flow style too)', async () => {
    const file = join(dir, 'broken.yaml');
    // A duplicate key: the YAML is an error, the tree is still there.
    const text = ['name: broken', 'name: twice', 'workspace: ./ws', 'backend: { type: command, command: cat }', 'sheet: { size: 1, total_items: 1 }', 'prompt:', '  variables: { topic: music, mood: calm }', '  template: |', '    About {{ mo', ''].join('\n');
    const diagnostics = await client.open(file, text);
    assert.deepEqual(codes(diagnostics), ['Y001']);
    const items = await client.completion(uriOf(file), 8, 15);
    assert.ok(items.some((i) => i.label === 'mood' && i.detail === 'prompt.variables'), items.map((i) => `${i.label}:${i.detail}`).join(','));
    assert.ok(items.some((i) => i.label === 'topic' && i.detail === 'prompt.variables'));
    await client.close(file);
  });

});
