// The manifest and the code agree: every command the code registers is contributed (with the
// Mozart category) and the other way round, every command a menu, welcome view or walkthrough
// refers to exists, every %string% has its text, and the settings the language server reads exist.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { listFiles, PackageManager } from '@vscode/vsce';
import { mozartDir } from '../../conductor/src/state/workspace-files.js';

const ROOT = resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const nls: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'package.nls.json'), 'utf8'));
const contributes = manifest.contributes;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
const code = sources(join(ROOT, 'extension/src')).map((f) => readFileSync(f, 'utf8')).join('\n');
const registered = new Set([...code.matchAll(/command\('(mozart\.[\w.]+)'/g)].map((m) => m[1]));
const contributed = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));

describe('manifest', () => {
  test('every registered command is contributed with the Mozart category, and every contributed one is registered', () => {
    assert.ok(registered.size >= 15, `found ${registered.size} registered commands`);
    assert.deepEqual([...registered].sort(), [...contributed].sort());
    for (const c of contributes.commands) assert.equal(nls[c.category.slice(1, -1)], 'Mozart', `${c.command} category`);
  });

  test('menus, welcome views and walkthrough steps only name commands that exist', () => {
    const builtIn = new Set(['workbench.trust.manage', 'mozart.jobs.focus']);
    const used: string[] = [];
    for (const entries of Object.values(contributes.menus) as { command: string }[][]) used.push(...entries.map((e) => e.command));
    const linkText = [...contributes.viewsWelcome.map((w: { contents: string }) => w.contents), ...contributes.walkthroughs.flatMap((w: { steps: { description: string }[] }) => w.steps.map((s) => s.description))]
      .map((text: string) => (text.startsWith('%') ? (nls[text.slice(1, -1)] ?? '') : text))
      .join('\n');
    used.push(...[...linkText.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1] as string));
    assert.ok(used.length > 20);
    for (const id of used) assert.ok(contributed.has(id) || builtIn.has(id), `${id} is not a contributed command`);
    const steps = contributes.walkthroughs.flatMap((w: { steps: { media: { markdown: string } }[] }) => w.steps);
    for (const step of steps) assert.ok(existsSync(join(ROOT, step.media.markdown)), `${step.media.markdown} exists`);
  });

  test("the walkthrough shows the views a user would not find alone: the sheet plan and the job timeline", () => {
    const steps: { id: string; description: string; media: { markdown: string } }[] = contributes.walkthroughs.flatMap((w: { steps: unknown[] }) => w.steps);
    const text = (id: string) => {
      const step = steps.find((s) => s.id === id);
      assert.ok(step, `walkthrough step ${id}`);
      return `${nls[step.description.slice(1, -1)] ?? step.description}\n${readFileSync(join(ROOT, step.media.markdown), 'utf8')}`;
    };
    assert.match(text('validate'), /sheet plan/);
    assert.match(text('diagnose'), /\*\*timeline\*\*/);
    assert.match(text('diagnose'), /cost per sheet/i);
    assert.match(text('diagnose'), /drawn by stage/);
  });

  test("VS Code's file watcher leaves out the folder where a job writes its state, logs and prompts", () => {
    // A fast job writes there many times a second; the watcher would pass each write on to the
    // window. An object setting's contributed default is merged with VS Code's own.
    const folder = mozartDir('/w').slice('/w/'.length);
    assert.deepEqual(contributes.configurationDefaults['files.watcherExclude'], { [`**/${folder}/**`]: true });
  });

  test('every %key% in the manifest has its text in package.nls.json', () => {
    const keys = [...JSON.stringify(manifest).matchAll(/"%([\w.]+)%"/g)].map((m) => m[1] as string);
    assert.ok(keys.length > 40);
    for (const key of keys) assert.ok(nls[key], `package.nls.json lacks ${key}`);
  });

  test('the settings the language server reads are contributed under mozart.', () => {
    const properties = contributes.configuration.properties;
    for (const name of ['mozart.scoreFiles', 'mozart.checks', 'mozart.languageServer.debounceMs', 'mozart.conductor.socketPath', 'mozart.conductor.autoStart', 'mozart.claudePath']) {
      assert.ok(properties[name], `${name} is contributed`);
    }
    assert.equal(properties['mozart.conductor.autoStart'].default, true);
    assert.equal(properties['mozart.languageServer.debounceMs'].default, 150);
    assert.deepEqual(properties['mozart.checks'].additionalProperties.enum, ['error', 'warning', 'information', 'hint', 'off']);
    const server = readFileSync(join(ROOT, 'language-server/src/settings.ts'), 'utf8');
    for (const read of ['scoreFiles', 'checks', 'debounceMs']) assert.ok(server.includes(read), `the language server reads ${read}`);
  });

  test('activation, trust and packaging are declared', () => {
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.ok(manifest.activationEvents.includes('onLanguage:yaml'));
    assert.ok(manifest.activationEvents.some((e: string) => e.startsWith('workspaceContains:') && e.includes('.score.yaml')));
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(nls[manifest.capabilities.untrustedWorkspaces.description.slice(1, -1)]);
    assert.match(manifest.scripts.package, /vsce package --no-dependencies/);
    assert.ok(existsSync(join(ROOT, contributes.viewsContainers.activitybar[0].icon)));
  });

  test('the Jinja grammar is injected into YAML and packaged', async () => {
    const grammar = contributes.grammars.find((g: { scopeName: string }) => g.scopeName === 'mozart.jinja.injection');
    assert.ok(grammar, 'contributes.grammars has the Jinja injection');
    assert.deepEqual(grammar.injectTo, ['source.yaml']);
    assert.equal(grammar.path, './syntaxes/jinja-in-yaml.tmLanguage.json');
    assert.equal(JSON.parse(readFileSync(join(ROOT, grammar.path), 'utf8')).scopeName, grammar.scopeName);
    // What vsce itself would put in the .vsix (through .vscodeignore), not a re-reading of the ignore rules.
    const packaged = await listFiles({ cwd: ROOT, packageManager: PackageManager.None });
    for (const file of ['syntaxes/jinja-in-yaml.tmLanguage.json', 'schemas/score.schema.json', 'package.json', 'package.nls.json', 'dist/conductor.js', 'dist/score-check-worker.js']) {
      assert.ok(packaged.includes(file), `${file} is packaged`);
    }
    const unwanted = packaged.filter((f) => /^(node_modules|language-server|conductor|extension|cli|scripts|score|protocol)\//.test(f) || f.endsWith('.map'));
    assert.deepEqual(unwanted, [], 'sources, tests and maps stay out of the .vsix');
  });

  test('the Marketplace page is complete: a 128×128 PNG icon, LICENSE, CHANGELOG, repository links, and a package script that skips no check', async () => {
    assert.equal(manifest.icon, 'resources/icon.png');
    const png = readFileSync(join(ROOT, manifest.icon));
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG', 'the icon is a PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'IHDR width and height');
    assert.equal(manifest.license, 'MIT');
    assert.match(readFileSync(join(ROOT, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} Mozart AI Compose contributors\n/);
    assert.match(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## \\[${manifest.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'), 'the CHANGELOG has an entry for this version');
    const repo = 'https://github.com/mozart-ai-compose/mozart-vscode';
    assert.deepEqual([manifest.repository.url, manifest.bugs.url, manifest.homepage], [`${repo}.git`, `${repo}/issues`, `${repo}#readme`]);
    for (const flag of ['--allow-missing-repository', '--skip-license', '--allow-star-activation', '--no-verify']) assert.ok(!manifest.scripts.package.includes(flag), `the package script has no ${flag}`);
    const packaged = await listFiles({ cwd: ROOT, packageManager: PackageManager.None });
    for (const file of ['resources/icon.png', 'LICENSE', 'CHANGELOG.md', 'README.md']) assert.ok(packaged.includes(file), `${file} is packaged`);
  });

  test('the extension imports nothing of the other programs but the protocol, and no server code', () => {
    const outside = [...code.matchAll(/^(?:import|export) [^;]*?from '((?:\.\.\/)+(?:protocol|conductor|score|cli|language-server)\/src\/[^']+)'/gm)].map((m) => m[1] as string);
    assert.ok(outside.length > 0);
    for (const path of outside) assert.match(path, /^(?:\.\.\/)+protocol\/src\//, `${path} is imported`);
    assert.ok(!/from 'vscode-languageserver/.test(code), 'no server code in the extension');
  });
});
