// The server answers within what the client declared, to the letter: the same requests from a
// client declaring what Neovim 0.7 declares, from one declaring nothing, and from VS Code.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClientCapabilities, CodeAction, Command, CompletionItem, Diagnostic, InitializeResult, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { NEOVIM_07_CAPABILITIES, VSCODE_CAPABILITIES } from './client-capabilities.js';
import { positionOf, TestClient, uriOf } from './lsp-client.js';

/** A score with a finding of each kind these tests need; `topic` is declared, `sheet_nun` a typo. */
const SCORE = [
  'name: caps',
  'workspace: ./not-yet/ws',
  'backend:',
  '  type: command',
  '  command: cat',
  'sheet:',
  '  size: 1',
  '  total_items: 3',
  '  dependencies:',
  '    1: [3]',
  '    2: [1]',
  '    3: [2]',
  'prompt:',
  '  template_file: prompts/new.j2',
  '',
].join('\n');

const TYPO = ['name: caps', 'workspace: ./ws', 'backend:', '  type: command', '  command: cat', 'sheet:', '  size: 1', '  total_items: 2', 'prompt:', '  variables:', '    topic: music', '  template: |', '    Sheet {{ sheet_nun }} about {{ topic }}', '', ''].join('\n');

interface Session {
  client: TestClient;
  dir: string;
  init: InitializeResult;
}

async function start(capabilities: ClientCapabilities): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-caps-'));
  const client = new TestClient({}, capabilities);
  const init = await client.initialize(dir);
  return { client, dir, init };
}

async function stop(session: Session): Promise<void> {
  assert.equal(await session.client.stop(), 0);
  assert.deepEqual(session.client.logs.filter((l) => /failed/.test(l)), [], 'no handler failed');
  rmSync(session.dir, { recursive: true, force: true });
}

const keyItems = async (client: TestClient, uri: string, text: string): Promise<CompletionItem[]> => client.completion(uri, text.split('\n').length - 1, 0);
const isCommand = (a: CodeAction | Command): a is Command => typeof a.command === 'string';
const editKinds = (edit: WorkspaceEdit | undefined): string[] => [...(edit?.changes ? ['changes'] : []), ...(edit?.documentChanges ? ['documentChanges'] : [])];

describe('a client declaring what Neovim 0.7 declares', () => {
  let s: Session;
  before(async () => {
    s = await start(NEOVIM_07_CAPABILITIES);
  });
  after(() => stop(s));

  test('initialize: no position encoding is named (it listed none); code action options are allowed (it takes literals)', () => {
    assert.equal(s.init.capabilities.positionEncoding, undefined);
    assert.deepEqual(s.init.capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll'] });
  });

  test('diagnostics carry no version and no documentation link, but the related places it declared', async () => {
    const file = join(s.dir, 'caps.yaml');
    const diagnostics = await s.client.open(file, SCORE);
    const published = s.client.published.filter((p) => p.uri === uriOf(file)).at(-1);
    assert.equal(published?.version, undefined);
    assert.ok(diagnostics.length >= 3, JSON.stringify(diagnostics));
    for (const d of diagnostics) assert.equal(d.codeDescription, undefined);
    assert.ok((diagnostics.find((d) => d.code === 'D001')?.relatedInformation?.length ?? 0) >= 2);
    await s.client.close(file);
  });

  test('completion is plain text on one line: no snippet syntax, no insertTextFormat, no tags it did not declare', async () => {
    const file = join(s.dir, 'complete.yaml');
    await s.client.open(file, TYPO);
    const items = await keyItems(s.client, uriOf(file), TYPO);
    assert.ok(items.length > 10);
    for (const item of items) {
      const text = item.textEdit?.newText ?? item.insertText ?? item.label;
      assert.doesNotMatch(text, /\n|\$\{|\$\d/, `${item.label}: ${JSON.stringify(text)}`);
      assert.equal(item.insertTextFormat, undefined, item.label);
      assert.equal(item.tags, undefined, item.label);
      assert.equal(item.deprecated, undefined, item.label);
    }
    assert.equal(items.find((i) => i.label === 'retry')?.textEdit?.newText, 'retry:');
    assert.equal(items.find((i) => i.label === 'pause_between_sheets_seconds')?.textEdit?.newText, 'pause_between_sheets_seconds: ');
    await s.client.close(file);
  });

  test('quick fixes: text edits as `changes`, a new file created by the server (it declared no documentChanges), never isPreferred', async () => {
    const file = join(s.dir, 'fix.yaml');
    const diagnostics = await s.client.open(file, SCORE);
    const missing = diagnostics.filter((d) => d.code === 'V003');
    const actions = ((await s.client.codeActions(uriOf(file), missing, ['quickfix'])) ?? []) as CodeAction[];
    const create = actions.find((a) => /starter template/.test(a.title));
    assert.ok(create, actions.map((a) => a.title).join(' | '));
    assert.equal(create.isPreferred, undefined);
    assert.equal(create.edit, undefined, 'no resource operation sent');
    assert.equal(create.command?.command, 'mozart.applyFix');
    await s.client.apply(create);
    assert.ok(existsSync(join(s.dir, 'prompts', 'new.j2')));
    assert.match(readFileSync(join(s.dir, 'prompts', 'new.j2'), 'utf8'), /\{\{ sheet_num \}\}/);

    const typo = join(s.dir, 'typo.yaml');
    const found = await s.client.open(typo, TYPO);
    const rename = ((await s.client.codeActions(uriOf(typo), found.filter((d) => d.code === 'V101'), ['quickfix'])) ?? []) as CodeAction[];
    const change = rename.find((a) => /Change to 'sheet_num'/.test(a.title));
    assert.deepEqual(editKinds(change?.edit), ['changes']);
    const clean = s.client.nextDiagnostics(uriOf(typo), (p) => p.diagnostics.length === 0);
    await s.client.apply(change as CodeAction);
    await clean;
    assert.match(s.client.text(uriOf(typo)), /Sheet \{\{ sheet_num \}\} about/);
    await s.client.close(typo);
  });
});

describe('a client declaring nothing', () => {
  let s: Session;
  before(async () => {
    s = await start({});
  });
  after(() => stop(s));

  test('initialize: code actions are announced as a plain `true`', () => {
    assert.equal(s.init.capabilities.codeActionProvider, true);
    assert.equal(s.init.capabilities.positionEncoding, undefined);
  });

  test('diagnostics: related places are in the message instead; no link, no version', async () => {
    const file = join(s.dir, 'caps.yaml');
    const diagnostics = await s.client.open(file, SCORE);
    const cycle = diagnostics.find((d) => d.code === 'D001') as Diagnostic;
    assert.equal(cycle.relatedInformation, undefined);
    assert.match(cycle.message, new RegExp(`\\n${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    for (const d of diagnostics) assert.equal(d.codeDescription, undefined);
    await s.client.close(file);
  });

  test('completion: documentation as a bare string without markdown, kinds from the first eighteen', async () => {
    const file = join(s.dir, 'complete.yaml');
    const text = TYPO.replace('  type: command', '  type: ');
    await s.client.open(file, text);
    for (const item of await keyItems(s.client, uriOf(file), text)) {
      assert.equal(typeof item.documentation, 'string', item.label);
      assert.doesNotMatch(item.documentation as string, /\*\*|`/, item.label);
      assert.ok((item.kind ?? 1) <= 18, `${item.label}: kind ${item.kind}`);
    }
    const values = await s.client.completion(uriOf(file), positionOf(text, '  type: ').line, 8);
    assert.ok(values.length > 0 && values.every((v) => v.kind === 12), JSON.stringify(values.map((v) => v.kind)));
    await s.client.close(file);
  });

  test('hover is a plain string; the outline is a flat list naming containers, kinds from the first eighteen', async () => {
    const file = join(s.dir, 'hover.yaml');
    await s.client.open(file, TYPO);
    const hover = await s.client.hover(uriOf(file), positionOf(TYPO, 'total_items').line, 4);
    assert.equal(typeof hover?.contents, 'string');
    assert.match(hover?.contents as string, /total_items: integer/);
    const symbols = await s.client.flatSymbols(uriOf(file));
    assert.ok(symbols.every((sym) => 'location' in sym && sym.kind <= 18), JSON.stringify(symbols));
    assert.ok(symbols.some((sym) => sym.name === 'Sheet 1' && sym.containerName === 'sheet'));
    assert.ok(symbols.some((sym) => sym.name === 'topic' && sym.containerName === 'prompt.variables'));
    await s.client.close(file);
  });

  test('code actions are Commands; a fix needing a text edit is not offered (no literals, no applyEdit); a folder is created', async () => {
    const file = join(s.dir, 'fix.yaml');
    const diagnostics = await s.client.open(file, SCORE.replace('  template_file: prompts/new.j2', '  template: "{{ sheet_nun }}"'));
    const all = (await s.client.codeActions(uriOf(file), diagnostics, ['quickfix'])) ?? [];
    assert.ok(all.length > 0 && all.every(isCommand), JSON.stringify(all));
    assert.ok(!all.some((a) => /Change to/.test(a.title)), 'the V101 rename cannot reach this client');
    const folder = all.find((a) => /Create folder/.test(a.title)) as Command;
    const clean = s.client.nextDiagnostics(uriOf(file), (p) => !p.diagnostics.some((d) => d.code === 'V002'));
    await s.client.apply(folder);
    await clean;
    assert.ok(existsSync(join(s.dir, 'not-yet')));
    await s.client.close(file);
  });
});

describe('a client declaring what VS Code declares', () => {
  let s: Session;
  before(async () => {
    s = await start(VSCODE_CAPABILITIES);
  });
  after(() => stop(s));

  test('names UTF-16 as the position encoding; snippets with their format; keys this version ignores come last, tagged', async () => {
    assert.equal(s.init.capabilities.positionEncoding, 'utf-16');
    const file = join(s.dir, 'complete.yaml');
    await s.client.open(file, TYPO);
    const items = await keyItems(s.client, uriOf(file), TYPO);
    const ordered = [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
    const inactive = ordered.filter((i) => i.tags?.includes(1));
    assert.ok(inactive.length >= 5, 'the x-inactive keys are tagged');
    assert.ok(inactive.some((i) => i.label === 'grounding'));
    assert.equal(ordered[0]?.tags, undefined, `first offer is active: ${ordered[0]?.label}`);
    const firstInactive = ordered.findIndex((i) => i.tags !== undefined);
    assert.ok(ordered.slice(firstInactive).every((i) => i.tags?.includes(1)), 'every inactive key after every active one');
    assert.match(items.find((i) => i.label === 'grounding')?.detail ?? '', /no effect in this version/);
    assert.equal(items.find((i) => i.label === 'retry')?.insertTextFormat, 2);
    assert.match(items.find((i) => i.label === 'retry')?.textEdit?.newText ?? '', /^retry:\n {2}/);
    await s.client.close(file);
  });

  test('diagnostics with documentation links and related places, without the version VS Code does not declare', async () => {
    const file = join(s.dir, 'diagnostics.yaml');
    const diagnostics = await s.client.open(file, SCORE);
    assert.equal(s.client.published.filter((p) => p.uri === uriOf(file)).at(-1)?.version, undefined);
    assert.ok(diagnostics.every((d) => /checks\.md#(L\d+|[a-z]\d{3})$/.test(d.codeDescription?.href ?? '')), JSON.stringify(diagnostics));
    assert.ok((diagnostics.find((d) => d.code === 'D001')?.relatedInformation?.length ?? 0) >= 2);
    await s.client.close(file);
  });

  test('a new file is a create operation inside documentChanges, after a new folder the server makes both; text edits are versioned', async () => {
    const template = async (name: string): Promise<CodeAction | undefined> => {
      const file = join(s.dir, name);
      const diagnostics = await s.client.open(file, SCORE);
      const actions = ((await s.client.codeActions(uriOf(file), diagnostics.filter((d) => d.code === 'V003'), ['quickfix'])) ?? []) as CodeAction[];
      await s.client.close(file);
      return actions.find((a) => /starter template/.test(a.title));
    };
    const inNewFolder = await template('in-new-folder.yaml');
    assert.equal(inNewFolder?.edit, undefined);
    assert.deepEqual((inNewFolder?.command?.arguments?.[0] as { actions: { kind: string }[] }).actions.map((a) => a.kind), ['createDirectory', 'createFile']);
    mkdirSync(join(s.dir, 'prompts'));
    const create = await template('in-existing-folder.yaml');
    assert.equal(create?.command, undefined);
    assert.deepEqual(create?.edit?.documentChanges?.map((c) => ('kind' in c ? c.kind : 'edit')), ['create', 'edit']);
    const typo = join(s.dir, 'typo.yaml');
    const found = await s.client.open(typo, TYPO);
    const rename = ((await s.client.codeActions(uriOf(typo), found.filter((d) => d.code === 'V101'), ['quickfix'])) ?? []) as CodeAction[];
    const edit = rename.find((a) => /Change to/.test(a.title))?.edit?.documentChanges?.[0];
    assert.ok(edit && 'textDocument' in edit);
    assert.equal(edit.textDocument.version, 1);
    await s.client.close(typo);
  });
});

describe('a client with workspace/applyEdit but no code action literals', () => {
  let s: Session;
  before(async () => {
    s = await start({ workspace: { applyEdit: true } });
  });
  after(() => stop(s));

  test('a quick fix is a Command; the server sends its text edit back through workspace/applyEdit as `changes`', async () => {
    const file = join(s.dir, 'typo.yaml');
    const found = await s.client.open(file, TYPO);
    const actions = (await s.client.codeActions(uriOf(file), found.filter((d) => d.code === 'V101'), ['quickfix'])) ?? [];
    const rename = actions.find((a) => /Change to 'sheet_num'/.test(a.title));
    assert.ok(rename && isCommand(rename), JSON.stringify(actions));
    const clean = s.client.nextDiagnostics(uriOf(file), (p) => p.diagnostics.length === 0);
    await s.client.apply(rename);
    await clean;
    assert.deepEqual(s.client.edits.map(editKinds), [['changes']]);
    assert.match(s.client.text(uriOf(file)), /Sheet \{\{ sheet_num \}\} about/);
    await s.client.close(file);
  });
});
