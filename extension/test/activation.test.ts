// activate() under plain Node, with a stub standing in for `vscode`: it returns without throwing,
// registers every contributed command, the jobs view, the status bar entry and the log scheme,
// and hands everything it made to the context's subscriptions. The bundle is built from the
// sources here, exactly as `npm run build` bundles it, and activated in a fresh process.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { activateOnce, buildExtension, prepareStub, REPO_ROOT } from './support/activate-under-stub.js';
import type { Activation } from './support/activate-under-stub.js';

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> } };

describe('activation under a vscode stub', () => {
  let dir: string;
  let activation: Activation;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mozart-activate-'));
    const stub = await prepareStub(dir);
    const { file } = await buildExtension(dir, false);
    activation = activateOnce(file, stub);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('registers every contributed command', () => {
    const registered = new Set(activation.commands);
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.equal(activation.commands.length, registered.size, 'no command is registered twice');
  });

  test('creates the jobs view, the status bar entry and the log document scheme', () => {
    const views = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    assert.deepEqual(activation.treeViews, views);
    assert.deepEqual(activation.statusBarItems, ['mozart.conductor']);
    assert.deepEqual(activation.contentProviders, ['mozart-log']);
  });

  test('hands what it created to the context, for VS Code to dispose', () => {
    assert.ok(activation.subscriptions >= activation.commands.length + 3, `${activation.subscriptions} subscriptions`);
  });
});
