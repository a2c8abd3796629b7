// One fix, two ways to carry it out, the same files: the executor self-healing uses
// (score/src/fix-apply.ts) against the WorkspaceEdit the language server sends — applied by the
// protocol library's own edit code, as an editor would — plus the steps the server keeps for
// itself. Every fix the engine offers on these scores, for a client with and without
// documentChanges and file creation.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { checkScore } from '../../score/src/engine.js';
import { diskFiles } from '../../score/src/files.js';
import { applyFixOnDisk } from '../../score/src/fix-apply.js';
import type { Fix } from '../../score/src/findings.js';
import { clientFeatures } from '../src/client-features.js';
import type { ClientFeatures } from '../src/client-features.js';
import { planFixes } from '../src/convert.js';
import { NEOVIM_07_CAPABILITIES, VSCODE_CAPABILITIES } from './client-capabilities.js';

const root = mkdtempSync(join(tmpdir(), 'mozart-fix-paths-'));
after(() => rmSync(root, { recursive: true, force: true }));

const base = ['name: paths', 'backend:', '  type: command', '  command: cat', 'sheet:', '  size: 1', '  total_items: 2'];
/** Scores whose findings carry fixes of every kind: folders, new files, text edits, and a mix. */
const SCORES: Record<string, string> = {
  'new-folders': [...base.slice(0, 4), '  working_directory: ./agent/home', 'workspace: ./later/ws', ...base.slice(4), 'prompt:', '  template: "Sheet {{ sheet_num }}"', ''].join('\n'),
  'new-template': [...base, 'workspace: ./ws', 'prompt:', '  template_file: prompts/deep/new.j2', ''].join('\n'),
  'new-template-in-existing-folder': [...base, 'workspace: ./ws', 'prompt:', '  template_file: existing/new.j2', ''].join('\n'),
  'text-edits': [...base, 'workspace: ./ws', 'retyr:', '  max_retries: 2', 'prompt:', '  template: |', '    🎵 Sheet {{ sheet_nun }} of {{ topic }}', '    {% if sheet_num == 1 %}first', ''].join('\n'),
  'separators': [...base, 'workspace: .\\ws', 'prompt:', '  template_file: parts\\p.j2', ''].join('\n'),
};

/** A fresh copy of the scene (score plus the files it refers to) for one way of carrying out a fix. */
function scene(name: string, way: string): { dir: string; file: string } {
  const dir = join(root, `${name}-${way}`);
  mkdirSync(join(dir, 'existing'), { recursive: true });
  mkdirSync(join(dir, 'parts'), { recursive: true });
  writeFileSync(join(dir, 'parts', 'p.j2'), 'Sheet {{ sheet_num }}\n');
  const file = join(dir, 'score.yaml');
  writeFileSync(file, SCORES[name] as string);
  return { dir, file };
}

function fixesIn(file: string): Fix[] {
  return checkScore(file, readFileSync(file, 'utf8')).findings.flatMap((f) => f.fixes ?? []);
}

/** Every file and folder under `dir`, with file contents, relative to it. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) {
        out[`${relative(dir, path)}/`] = '';
        walk(path);
      } else out[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Applies a WorkspaceEdit to files the way an editor does, with the protocol library's edit code. */
function applyAsEditor(edit: WorkspaceEdit): void {
  const editFile = (uri: string, edits: TextEdit[]): void => {
    const path = URI.parse(uri).fsPath;
    writeFileSync(path, TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, readFileSync(path, 'utf8')), edits));
  };
  for (const change of edit.documentChanges ?? []) {
    if (!('kind' in change)) editFile(change.textDocument.uri, change.edits as TextEdit[]);
    else if (change.kind === 'create') writeFileSync(URI.parse(change.uri).fsPath, '', { flag: change.options?.ignoreIfExists ? 'a' : 'wx' });
    else assert.fail(`unexpected resource operation ${change.kind}`);
  }
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) editFile(uri, edits);
}

const CLIENTS: Record<string, ClientFeatures> = { vscode: clientFeatures(VSCODE_CAPABILITIES), neovim: clientFeatures(NEOVIM_07_CAPABILITIES) };

for (const name of Object.keys(SCORES)) {
  test(`${name}: every fix leaves the same files carried out on disk and as a workspace edit`, () => {
    const count = fixesIn(scene(name, 'count').file).length;
    assert.ok(count > 0, 'the score offers fixes');
    for (let index = 0; index < count; index++) {
      const healed = scene(name, `disk-${index}`);
      const fix = fixesIn(healed.file)[index] as Fix;
      assert.equal(applyFixOnDisk(fix).failure, undefined);
      for (const [client, features] of Object.entries(CLIENTS)) {
        const edited = scene(name, `${client}-${index}`);
        const same = fixesIn(edited.file)[index] as Fix;
        assert.equal(same.title.replace(edited.dir, healed.dir), fix.title, 'the same fix in each scene');
        const plan = planFixes([same], { features, versionOf: () => null, exists: (path) => diskFiles.kind(path) !== 'missing' });
        if (plan.edit) applyAsEditor(plan.edit);
        assert.equal(applyFixOnDisk(plan.onDisk).failure, undefined);
        assert.deepEqual(tree(edited.dir), tree(healed.dir), `"${fix.title}" as ${client} sends it`);
      }
    }
  });
}

test('the scene really differs from what a fix makes of it (the comparison can fail)', () => {
  const untouched = scene('new-template', 'untouched');
  const fixed = scene('new-template', 'fixed');
  for (const fix of fixesIn(fixed.file)) applyFixOnDisk(fix);
  assert.notDeepEqual(tree(untouched.dir), tree(fixed.dir));
});
