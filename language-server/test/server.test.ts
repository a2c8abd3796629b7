// Drives the real language server (dist/language-server.js) over stdio with a real LSP client.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { mutate, rng } from '../../score/test/support/mutate.js';
import { positionOf, TestClient, uriOf } from './lsp-client.js';
import { URI } from 'vscode-uri';

const EXAMPLES = resolve(__dirname, '../../examples');

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'mozart-ls-'));
}

/** A small valid score with the given prompt template (indented by the caller's choice). */
function score(parts: { template?: string; extra?: string; workspace?: string; prompt?: string } = {}): string {
  const template = (parts.template ?? 'Work on sheet {{ sheet_num }}.').split('\n').map((l) => `    ${l}`).join('\n');
  return [
    'name: test-score',
    `workspace: ${parts.workspace ?? './ws'}`,
    'backend:',
    '  type: command',
    '  command: cat',
    'sheet:',
    '  size: 1',
    '  total_items: 2',
    'prompt:',
    parts.prompt ?? `  template: |\n${template}`,
    parts.extra ?? '',
  ].join('\n');
}

const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((d) => String(d.code)).sort();

describe('language server over stdio', () => {
  let client: TestClient;
  let dir: string;

  before(async () => {
    dir = scratch();
    client = new TestClient({ languageServer: { debounceMs: 0 } });
    await client.initialize(dir);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
    assert.deepEqual(client.logs.filter((l) => /failed/.test(l)), [], 'no handler failed');
    rmSync(dir, { recursive: true, force: true });
  });

  test('publishes findings with check id, documentation link, severity and exact range', async () => {
    const file = join(dir, 'findings.yaml');
    const text = score({ template: 'Hello {{ sheet_nun }}\n{% if sheet_num == 1 %}first', extra: 'retyr:\n  max_retries: 2' });
    const diagnostics = await client.open(file, text);
    // An unknown key does not hide other problems: the unclosed tag is reported too.
    assert.deepEqual(codes(diagnostics), ['S001', 'V001']);
    const unknown = diagnostics.find((d) => d.code === 'S001');
    assert.deepEqual(unknown?.range, { start: positionOf(text, 'retyr'), end: positionOf(text, 'retyr', 5) });
    assert.equal(unknown?.severity, 2, 'an unknown key is a warning');
    assert.equal(unknown?.source, 'mozart');
    // The local docs open at the check's own heading (an editor ignores an HTML anchor in a file).
    const link = /^(file:.*checks\.md)#L(\d+)$/.exec(unknown?.codeDescription?.href ?? '');
    assert.ok(link, `a file link with a line: ${unknown?.codeDescription?.href}`);
    assert.equal(readFileSync(URI.parse(link[1] as string).fsPath, 'utf8').split('\n')[Number(link[2]) - 1], '## S001 — Unknown key');
    assert.match(unknown?.message ?? '', /retry/);

    // With the key fixed the template checks run: the syntax error sits inside the block scalar.
    const version = await client.change(uriOf(file), text.replace('retyr', 'retry'));
    const next = await client.nextDiagnostics(uriOf(file), (p) => p.version === version);
    assert.deepEqual(codes(next.diagnostics), ['V001']);
    const endIf = next.diagnostics[0];
    assert.equal(endIf?.range.start.line, positionOf(text, '{% if').line, 'reported on the line of the unclosed tag');
    assert.equal(endIf?.range.start.character, 4, 'column inside the block scalar');
  });

  test('a dependency cycle carries the other members as related information', async () => {
    const file = join(dir, 'cycle.yaml');
    const text = score({ extra: '' }).replace('  total_items: 2', '  total_items: 3\n  dependencies:\n    1: [3]\n    2: [1]\n    3: [2]');
    const diagnostics = await client.open(file, text);
    const cycle = diagnostics.find((d) => d.code === 'D001');
    assert.ok(cycle, JSON.stringify(diagnostics));
    assert.ok((cycle.relatedInformation?.length ?? 0) >= 2, 'related members listed');
    assert.ok(cycle.relatedInformation?.every((r) => r.location.uri === uriOf(file)));
  });

  test('findings inside a template file are published on the template, and its unsaved text counts', async () => {
    mkdirSync(join(dir, 'tpl'), { recursive: true });
    const templatePath = join(dir, 'tpl', 'body.j2');
    writeFileSync(templatePath, 'Sheet {{ sheet_num }}\n');
    const file = join(dir, 'with-template.yaml');
    const clean = await client.open(file, score({ prompt: '  template_file: tpl/body.j2' }));
    assert.deepEqual(clean, []);
    // Open the template and break it in the editor without saving: the score is re-checked.
    await client.openQuietly(templatePath, 'Sheet {{ sheet_num }}\n', 'jinja');
    const onTemplate = client.nextDiagnostics(uriOf(templatePath), (p) => p.diagnostics.length > 0);
    await client.change(uriOf(templatePath), 'Sheet {{ sheet_num }}\n{% for x in items %}\n');
    const published = await onTemplate;
    assert.deepEqual(codes(published.diagnostics), ['V001']);
    assert.equal(published.diagnostics[0]?.range.start.line, 1);
    const cleared = client.nextDiagnostics(uriOf(templatePath), (p) => p.diagnostics.length === 0);
    await client.change(uriOf(templatePath), 'Sheet {{ sheet_num }}\n');
    await cleared;
    await client.close(templatePath);
  });

  test('CI workflows, compose files and Kubernetes manifests get no diagnostics; a glob claims a file', async () => {
    const others = {
      '.github/workflows/ci.yaml': 'name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n',
      'docker-compose.yml': 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n',
      'deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
      'notes.yaml': 'name: not a score\nsheet: music\n',
    };
    const before = client.published.length;
    for (const [name, text] of Object.entries(others)) await client.openQuietly(join(dir, name), text);
    // A score opened afterwards is a barrier: the server handles messages in order.
    const barrier = join(dir, 'barrier.yaml');
    await client.open(barrier, score());
    const published = new Set(client.published.slice(before).map((p) => p.uri));
    assert.ok(published.has(uriOf(barrier)));
    for (const name of Object.keys(others)) assert.ok(!published.has(uriOf(join(dir, name))), `${name} got diagnostics`);
    // A file matching a score glob is checked whatever it contains.
    mkdirSync(join(dir, 'scores'), { recursive: true });
    const claimed = await client.open(join(dir, 'scores', 'draft.yaml'), 'name: draft\n');
    assert.ok(codes(claimed).includes('S003'), JSON.stringify(claimed));
  });

  const fixCases: { name: string; text: (d: string) => string; setup?: (d: string) => void; code: string; title: RegExp }[] = [
    { name: 'create the missing workspace parent', code: 'V002', title: /Create folder/, text: () => score({ workspace: './not-yet/ws' }) },
    { name: 'create a missing template file', code: 'V003', title: /starter template/, text: () => score({ prompt: '  template_file: prompts/new.j2' }) },
    {
      name: 'fix path separators',
      code: 'V003',
      title: /forward slashes/,
      setup: (d) => {
        mkdirSync(join(d, 'parts'), { recursive: true });
        writeFileSync(join(d, 'parts', 'p.j2'), 'Sheet {{ sheet_num }}\n');
      },
      text: () => score({ prompt: '  template_file: parts\\p.j2' }),
    },
    { name: 'create a missing working directory', code: 'V005', title: /Create folder/, text: () => score().replace('  command: cat', '  command: cat\n  working_directory: ./wd') },
    { name: 'close an unclosed Jinja tag', code: 'V001', title: /endif|Close|close/, text: () => score({ template: '{% if sheet_num == 1 %}\nfirst' }) },
    { name: 'close an unclosed expression', code: 'V001', title: /\}\}|Close|close/, text: () => score({ template: 'Sheet {{ sheet_num' }) },
    { name: 'did-you-mean for an undefined variable', code: 'V101', title: /Change to 'sheet_num'/, text: () => score({ template: 'Sheet {{ sheet_nun }}' }) },
    { name: 'declare an undefined variable', code: 'V101', title: /Declare 'topic'/, text: () => score({ template: 'About {{ topic }}' }) },
    { name: 'did-you-mean for an unknown key', code: 'S001', title: /Rename 'retyr' to 'retry'/, text: () => score({ extra: 'retyr:\n  max_retries: 2' }) },
  ];

  for (const fixCase of fixCases) {
    test(`quick fix: ${fixCase.name}, then clean`, async () => {
      const caseDir = scratch();
      try {
        fixCase.setup?.(caseDir);
        const file = join(caseDir, 'score.yaml');
        const uri = uriOf(file);
        const diagnostics = await client.open(file, fixCase.text(caseDir));
        const target = diagnostics.filter((d) => d.code === fixCase.code);
        assert.equal(target.length, 1, JSON.stringify(diagnostics));
        const actions = ((await client.codeActions(uri, target, ['quickfix'])) ?? []) as CodeAction[];
        const action = actions.find((a) => fixCase.title.test(a.title));
        assert.ok(action, `no action matching ${fixCase.title} in ${actions.map((a) => a.title).join(' | ')}`);
        assert.equal(action.kind, 'quickfix');
        const recheck = client.nextDiagnostics(uri, (p) => p.diagnostics.length === 0 || (p.version ?? 0) > 1);
        await client.apply(action);
        const after = await recheck;
        assert.deepEqual(after.diagnostics, [], `after "${action.title}":\n${client.text(uri)}`);
        await client.close(file);
      } finally {
        rmSync(caseDir, { recursive: true, force: true });
      }
    });
  }

  test('fix all applies every safe fix in one action', async () => {
    const caseDir = scratch();
    try {
      mkdirSync(join(caseDir, 'parts'), { recursive: true });
      writeFileSync(join(caseDir, 'parts', 'p.j2'), 'Sheet {{ sheet_num }}\n');
      const file = join(caseDir, 'score.yaml');
      const text = score({ workspace: './later/ws', prompt: '  template_file: parts\\p.j2' }).replace('  command: cat', '  command: cat\n  working_directory: ./wd');
      const diagnostics = await client.open(file, text);
      assert.deepEqual(codes(diagnostics), ['V002', 'V003', 'V005']);
      // The editor's lightbulb asks without `only`: away from a finding it gets nothing (no
      // lightbulb on every line); on a finding it gets that finding's fixes and "fix all".
      assert.deepEqual(await client.codeActions(uriOf(file), []), []);
      const atFinding = ((await client.codeActions(uriOf(file), diagnostics.filter((d) => d.code === 'V003'))) ?? []) as CodeAction[];
      assert.ok(atFinding.some((a) => /Fix all safe problems/.test(a.title)) && atFinding.some((a) => !/Fix all/.test(a.title)), JSON.stringify(atFinding.map((a) => a.title)));
      const actions = ((await client.codeActions(uriOf(file), [], ['source.fixAll'])) ?? []) as CodeAction[];
      assert.equal(actions.length, 1, JSON.stringify(actions));
      assert.match(actions[0]?.title ?? '', /Fix all safe problems in this score \(3\)/);
      const clean = client.nextDiagnostics(uriOf(file), (p) => p.diagnostics.length === 0);
      await client.apply(actions[0] as CodeAction);
      await clean;
      assert.ok(existsSync(join(caseDir, 'later')) && existsSync(join(caseDir, 'wd')));
      assert.match(client.text(uriOf(file)), /template_file: parts\/p\.j2/);
      await client.close(file);
    } finally {
      rmSync(caseDir, { recursive: true, force: true });
    }
  });

  test('completion: keys with section snippets, enum values, template variables, placeholders', async () => {
    const file = join(dir, 'complete.yaml');
    const text = [
      'name: complete',
      'workspace: ./ws',
      'backend:',
      '  type: ',
      '  ',
      'sheet:',
      '  size: 1',
      '  total_items: 2',
      'prompt:',
      '  variables:',
      '    topic: music',
      '  template: |',
      '    About {{ to',
      'validations:',
      '  - type: file_exists',
      '    path: "{workspace}/{sh',
      '',
    ].join('\n');
    await client.open(file, text);
    const uri = uriOf(file);
    const top = await client.completion(uri, 16, 0);
    const labels = top.map((i) => i.label);
    assert.ok(labels.includes('retry') && labels.includes('parallel'), labels.join(','));
    assert.ok(!labels.includes('name') && !labels.includes('sheet'), 'keys already present are not offered');
    const retry = top.find((i) => i.label === 'retry');
    assert.match(retry?.textEdit?.newText ?? '', /^retry:\n {2}/);
    const validations = top.find((i) => i.label === 'cross_sheet');
    assert.equal(validations?.insertTextFormat, 2);

    const backendKeys = (await client.completion(uri, 4, 2)).map((i) => i.label);
    assert.ok(backendKeys.includes('timeout_seconds') && backendKeys.includes('cli_path'), backendKeys.join(','));
    assert.ok(!backendKeys.includes('type'), 'sibling already written');

    const types = (await client.completion(uri, 3, 8)).map((i) => i.label);
    assert.deepEqual([...types].sort(), ['anthropic_api', 'claude_cli', 'command', 'ollama', 'recursive_light'].filter((t) => types.includes(t)).sort());
    assert.ok(types.includes('claude_cli') && types.includes('command'));

    const variables = await client.completion(uri, 12, 15);
    const topic = variables.find((i) => i.label === 'topic');
    assert.ok(topic, variables.map((i) => i.label).join(','));
    assert.deepEqual(topic.textEdit && 'range' in topic.textEdit ? topic.textEdit.range : undefined, { start: { line: 12, character: 13 }, end: { line: 12, character: 15 } });
    assert.ok(variables.some((i) => i.label === 'sheet_num' && i.detail === 'built-in'));

    const placeholders = (await client.completion(uri, 15, 27)).map((i) => i.label);
    assert.ok(placeholders.includes('sheet_num') && placeholders.includes('workspace'), placeholders.join(','));

    const validationKeys = (await client.completion(uri, 16, 4)).map((i) => i.label);
    assert.ok(validationKeys.length === 0 || !validationKeys.includes('type'));
    await client.close(file);
  });

  test('hover: key description, template variable, check documentation', async () => {
    const file = join(dir, 'hover.yaml');
    const text = score({ template: 'Sheet {{ sheet_num }} of {{ total_sheets }}\n{{ mystery }}  {# mozart-ignore V101 #}' }).replace('  size: 1', '  size: 1 # mozart-ignore V103');
    const diagnostics = await client.open(file, text);
    assert.deepEqual(codes(diagnostics), [], 'the V101 is silenced by the comment');
    const uri = uriOf(file);
    const key = await client.hover(uri, positionOf(text, 'total_items').line, 4);
    assert.match(JSON.stringify(key?.contents), /total_items/);
    assert.match(JSON.stringify(key?.contents), /integer/);
    const variable = await client.hover(uri, positionOf(text, 'total_sheets').line, positionOf(text, 'total_sheets').character + 2);
    assert.match(JSON.stringify(variable?.contents), /Total number of sheets/);
    const check = await client.hover(uri, positionOf(text, 'V103').line, positionOf(text, 'V103').character + 1);
    assert.match(JSON.stringify(check?.contents), /V103.*timeout/i);
    assert.match(JSON.stringify(check?.contents), /checks\.md#L\d+/);
    await client.close(file);
  });

  test('symbols outline sections, validations and sheets; definition jumps to files and variables', async () => {
    mkdirSync(join(dir, 'defs'), { recursive: true });
    writeFileSync(join(dir, 'defs', 'p.j2'), 'Sheet {{ sheet_num }} about {{ topic }}\n');
    const file = join(dir, 'symbols.yaml');
    const text = score({ prompt: '  variables:\n    topic: music\n  template_file: defs/p.j2', extra: 'validations:\n  - type: file_exists\n    path: "{workspace}/out-{sheet_num}.md"\n  - type: command_succeeds\n    command: "true"' });
    assert.deepEqual(await client.open(file, text), []);
    const uri = uriOf(file);
    const symbols = await client.symbols(uri);
    assert.deepEqual(symbols.map((s) => s.name), ['name', 'workspace', 'backend', 'sheet', 'prompt', 'validations']);
    const validations = symbols.find((s) => s.name === 'validations');
    assert.deepEqual(validations?.children?.map((c) => c.name), ['1. file_exists {workspace}/out-{sheet_num}.md', '2. command_succeeds true']);
    assert.deepEqual(symbols.find((s) => s.name === 'sheet')?.children?.filter((c) => c.name.startsWith('Sheet ')).map((c) => c.name), ['Sheet 1', 'Sheet 2']);
    const toFile = await client.definition(uri, positionOf(text, 'defs/p.j2').line, positionOf(text, 'defs/p.j2').character + 3);
    assert.equal(toFile?.uri, uriOf(join(dir, 'defs', 'p.j2')));

    // From the template file, a variable jumps to its declaration in the score.
    const templatePath = join(dir, 'defs', 'p.j2');
    await client.openQuietly(templatePath, readFileSync(templatePath, 'utf8'), 'jinja');
    const toVariable = await client.definition(uriOf(templatePath), 0, 32);
    assert.equal(toVariable?.uri, uri);
    assert.equal(toVariable?.range.start.line, positionOf(text, 'topic:').line);
    const templateHover = await client.hover(uriOf(templatePath), 0, 10);
    assert.match(JSON.stringify(templateHover?.contents), /Number of this sheet/);
    await client.close(templatePath);
    await client.close(file);
  });

  test('a file created on disk re-checks the scores that need it', async () => {
    const file = join(dir, 'watch.yaml');
    const diagnostics = await client.open(file, score({ prompt: '  template_file: later/t.j2' }));
    assert.deepEqual(codes(diagnostics), ['V003']);
    mkdirSync(join(dir, 'later'), { recursive: true });
    writeFileSync(join(dir, 'later', 't.j2'), 'Sheet {{ sheet_num }}\n');
    const clean = client.nextDiagnostics(uriOf(file), (p) => p.diagnostics.length === 0);
    await client.watchedFileChanged(join(dir, 'later', 't.j2'), 1);
    await clean;
    await client.close(file);
  });

  test('the fuzz corpus replayed through the server never crashes it', async () => {
    // Under `scores/` the glob claims the file, so a mutation that no longer looks like a score is still checked.
    mkdirSync(join(dir, 'scores'), { recursive: true });
    const file = join(dir, 'scores', 'fuzz.yaml');
    const uri = uriOf(file);
    const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));
    await client.open(file, examples[0] ?? '');
    const random = rng(7);
    const versionAfterChange = (i: number): number => i + 2;
    const count = Number(process.env.MOZART_LS_FUZZ_COUNT ?? 1500);
    for (let i = 0; i < count; i++) {
      const text = mutate(examples[i % examples.length] ?? '', random);
      // Every hundredth edit also waits for its own diagnostics (the waiter is set before the edit is sent).
      const checked = i % 100 === 0 ? client.nextDiagnostics(uri, (p) => p.version === versionAfterChange(i)) : undefined;
      const version = await client.change(uri, text);
      assert.equal(version, versionAfterChange(i));
      const lines = text.split('\n');
      const line = Math.floor(random() * lines.length);
      const character = Math.floor(random() * ((lines[line]?.length ?? 0) + 1));
      // Requests race the debounced check on purpose; all must answer.
      await Promise.all([client.completion(uri, line, character), client.hover(uri, line, character), client.symbols(uri), client.definition(uri, line, character), client.codeActions(uri, [])]);
      if (checked) {
        await checked.catch((error: unknown) => {
          throw new Error(`${(error as Error).message}\nserver log:\n${client.logs.join('\n').slice(-3000)}`);
        });
      }
    }
    const last = await client.change(uri, examples[0] ?? '');
    const final = await client.nextDiagnostics(uri, (p) => p.version === last);
    assert.deepEqual(final.diagnostics, []);
  });
});

describe('language server settings and debounce', () => {
  test('a burst of edits costs one check of the latest text', async () => {
    const dir = scratch();
    const client = new TestClient({ languageServer: { debounceMs: 300 } });
    try {
      await client.initialize(dir);
      const file = join(dir, 'burst.yaml');
      const uri = uriOf(file);
      await client.open(file, score());
      const before = client.published.filter((p) => p.uri === uri).length;
      const next = client.nextDiagnostics(uri);
      const version = await client.changeBurst(uri, Array.from({ length: 20 }, (_, i) => score({ template: `Edit ${i} {{ sheet_num }}${i === 19 ? ' {{ missing }}' : ''}` })));
      const published = await next;
      assert.equal(published.version, version, 'the one result is for the latest version');
      assert.deepEqual(codes(published.diagnostics), ['V101']);
      // Another document's diagnostics after the burst mark that nothing more came for this one.
      await client.open(join(dir, 'marker.yaml'), score());
      assert.equal(client.published.filter((p) => p.uri === uri).length - before, 1);
    } finally {
      await client.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('severities can be changed or turned off per check', async () => {
    const dir = scratch();
    const client = new TestClient({ languageServer: { debounceMs: 0 }, checks: { V101: 'off', V103: 'error' } });
    try {
      await client.initialize(dir);
      const text = score({ template: '{{ undefined_thing }}' }).replace('  command: cat', '  command: cat\n  timeout_seconds: 10');
      const diagnostics = await client.open(join(dir, 'severity.yaml'), text);
      assert.deepEqual(diagnostics.map((d) => [d.code, d.severity]), [['V103', 1]]);
    } finally {
      await client.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('standalone start without a transport explains itself', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(process.execPath, [resolve(__dirname, '../../dist/language-server.js')], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--stdio/);
  });
});
