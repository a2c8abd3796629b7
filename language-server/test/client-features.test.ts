// Each capability the server reads, as a unit: what a client declaring nothing gets (the least the
// protocol guarantees), next to what a client declaring that one capability gets, so every test
// would fail if the capability were ignored in either direction. No server process: the adapters
// (completion, diagnostics, fix plans, markup) are called with the features directly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClientCapabilities, CodeAction, CompletionItem, Position } from 'vscode-languageserver';
import type { ClientFeatures } from '../src/client-features.js';
import { BASELINE_FEATURES, clientFeatures, documentation } from '../src/client-features.js';
import { completeScore } from '../src/completion.js';
import type { EditTarget } from '../src/convert.js';
import { codeActionFor, planFixes, toDiagnostic } from '../src/convert.js';
import type { Finding, Fix } from '../../score/src/findings.js';

const NONE = clientFeatures({});
const with_ = (capabilities: ClientCapabilities): ClientFeatures => clientFeatures(capabilities);
const item = (completionItem: NonNullable<NonNullable<ClientCapabilities['textDocument']>['completion']>['completionItem']): ClientFeatures =>
  with_({ textDocument: { completion: { completionItem } } });
const diagnostics = (publishDiagnostics: NonNullable<ClientCapabilities['textDocument']>['publishDiagnostics']): ClientFeatures => with_({ textDocument: { publishDiagnostics } });
const edits = (workspaceEdit: NonNullable<ClientCapabilities['workspace']>['workspaceEdit']): ClientFeatures =>
  with_({ workspace: { workspaceEdit }, textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } } });

/** Key completion on an empty line under `parent` (top level when undefined). */
function keys(features: ClientFeatures, parent?: string): CompletionItem[] {
  const lines = parent ? ['name: x', `${parent}:`, '  '] : ['name: x', ''];
  const position: Position = { line: lines.length - 1, character: parent ? 2 : 0 };
  return completeScore(lines, position, new Map(), features);
}
const textOf = (i: CompletionItem): string => i.textEdit?.newText ?? i.insertText ?? i.label;
const byLabel = (items: CompletionItem[], label: string): CompletionItem => {
  const found = items.find((i) => i.label === label);
  assert.ok(found, `no item ${label} among ${items.map((i) => i.label).join(', ')}`);
  return found;
};

test('a client declaring nothing: every decision is the protocol baseline', () => {
  assert.deepEqual(NONE, BASELINE_FEATURES);
  const flags: (keyof ClientFeatures)[] = ['snippets', 'completionDeprecated', 'diagnosticVersion', 'relatedInformation', 'codeDescription', 'codeActionLiterals', 'isPreferred', 'documentChanges', 'createFiles', 'applyEdit', 'hierarchicalSymbols'];
  for (const flag of flags) assert.equal(NONE[flag], false, flag);
  assert.equal(NONE.completionTags.size, 0);
  assert.equal(NONE.diagnosticTags.size, 0);
  assert.equal(NONE.hoverDocs, 'string');
  assert.equal(NONE.completionDocs, 'string');
});

describe('completion.completionItem.snippetSupport', () => {
  const sections = [undefined, 'sheet', 'prompt', 'backend', 'retry'];

  test('declared nothing: every key is plain text on one line, without placeholders or an insertTextFormat', () => {
    for (const parent of sections) {
      const items = keys(NONE, parent);
      assert.ok(items.length > 3, `keys under ${parent ?? 'the top level'}`);
      for (const i of items) {
        assert.doesNotMatch(textOf(i), /[\n\0]|\$\d|\$\{/, `${parent ?? ''}.${i.label}: ${JSON.stringify(textOf(i))}`);
        assert.equal(i.insertTextFormat, undefined, i.label);
        assert.equal(i.insertText, undefined, i.label);
      }
    }
    const top = keys(NONE);
    assert.equal(textOf(byLabel(top, 'retry')), 'retry:');
    assert.equal(textOf(byLabel(top, 'sheet')), 'sheet:');
    assert.equal(textOf(byLabel(top, 'pause_between_sheets_seconds')), 'pause_between_sheets_seconds: ');
    assert.equal(textOf(byLabel(keys(NONE, 'prompt'), 'template')), 'template: |');
  });

  test('declared false explicitly: the same plain text', () => {
    assert.deepEqual(keys(item({ snippetSupport: false })).map(textOf), keys(NONE).map(textOf));
  });

  test('declared true: whole sections as multi-line snippets with placeholders', () => {
    const top = keys(item({ snippetSupport: true }));
    const sheet = byLabel(top, 'sheet');
    assert.equal(sheet.insertTextFormat, 2);
    assert.match(textOf(sheet), /^sheet:\n {2}\S.*\$\{?\d/s);
    assert.match(textOf(byLabel(keys(item({ snippetSupport: true }), 'prompt'), 'template')), /^template: \|\n {2}\$0$/);
  });
});

describe('completion item tags and deprecated (keys this version ignores)', () => {
  const grounding = (features: ClientFeatures): CompletionItem => byLabel(keys(features), 'grounding');

  test('declared nothing: neither tags nor deprecated, but still sorted last and named in the detail', () => {
    const i = grounding(NONE);
    assert.equal(i.tags, undefined);
    assert.equal(i.deprecated, undefined);
    assert.match(i.detail ?? '', /no effect in this version/);
    assert.match(i.sortText ?? '', /^1/);
  });

  test('tagSupport with the deprecated tag: tags, not the older property', () => {
    const i = grounding(item({ tagSupport: { valueSet: [1] }, deprecatedSupport: true }));
    assert.deepEqual(i.tags, [1]);
    assert.equal(i.deprecated, undefined);
  });

  test('only deprecatedSupport: deprecated true, no tags', () => {
    const i = grounding(item({ deprecatedSupport: true }));
    assert.equal(i.tags, undefined);
    assert.equal(i.deprecated, true);
  });

  test('tagSupport without the deprecated tag in its value set: no tags', () => {
    assert.equal(grounding(item({ tagSupport: { valueSet: [] } })).tags, undefined);
  });
});

describe('markup: hover contentFormat and completion documentationFormat', () => {
  const markdown = '**retry** — `integer`, see [the docs](https://example.test/x#retry) and _this_';

  test('declared nothing: a bare string without markdown marks', () => {
    const plain = documentation(markdown, NONE.hoverDocs);
    assert.equal(plain, 'retry — integer, see the docs (https://example.test/x#retry) and this');
    for (const i of keys(NONE)) assert.equal(typeof i.documentation, 'string', i.label);
  });

  test('plaintext only: plain MarkupContent', () => {
    const features = with_({ textDocument: { hover: { contentFormat: ['plaintext'] } } });
    assert.deepEqual(documentation(markdown, features.hoverDocs), { kind: 'plaintext', value: 'retry — integer, see the docs (https://example.test/x#retry) and this' });
  });

  test('markdown declared (in any position): markdown as written', () => {
    const features = with_({ textDocument: { hover: { contentFormat: ['plaintext', 'markdown'] }, completion: { completionItem: { documentationFormat: ['markdown'] } } } });
    assert.deepEqual(documentation(markdown, features.hoverDocs), { kind: 'markdown', value: markdown });
    for (const i of keys(features)) assert.equal((i.documentation as { kind: string }).kind, 'markdown', i.label);
  });
});

describe('publishDiagnostics: codeDescription, relatedInformation, tags', () => {
  const file = '/scores/a.yaml';
  const range = { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } };
  const cycle: Finding = {
    id: 'D001',
    severity: 'error',
    message: 'Sheets 1 and 2 depend on each other.',
    file,
    range,
    related: [{ file, range: { start: { line: 8, character: 4 }, end: { line: 8, character: 5 } }, message: 'sheet 2 depends on 1 here' }],
  };
  const inactive: Finding = { id: 'S009', severity: 'info', message: 'grounding has no effect in this version.', file, range };
  const diagnostic = (finding: Finding, features: ClientFeatures) => toDiagnostic(finding, {}, 'https://example.test/checks.md', features);

  test('declared nothing: no link, no related places (they go into the message), no tags', () => {
    const d = diagnostic(cycle, NONE);
    assert.ok(d);
    assert.equal(d.codeDescription, undefined);
    assert.equal(d.relatedInformation, undefined);
    assert.equal(d.message, 'Sheets 1 and 2 depend on each other.\n/scores/a.yaml:9:5: sheet 2 depends on 1 here');
    assert.equal(diagnostic(inactive, NONE)?.tags, undefined);
  });

  test('codeDescriptionSupport: the link to the check', () => {
    assert.equal(diagnostic(cycle, diagnostics({ codeDescriptionSupport: true }))?.codeDescription?.href, 'https://example.test/checks.md#d001');
  });

  test('relatedInformation: the places as locations, the message as found', () => {
    const d = diagnostic(cycle, diagnostics({ relatedInformation: true }));
    assert.equal(d?.message, cycle.message);
    assert.deepEqual(d?.relatedInformation, [{ location: { uri: 'file:///scores/a.yaml', range: cycle.related?.[0]?.range }, message: 'sheet 2 depends on 1 here' }]);
  });

  test('tagSupport: a field with no effect is tagged unnecessary only when the value set has it', () => {
    assert.deepEqual(diagnostic(inactive, diagnostics({ tagSupport: { valueSet: [1, 2] } }))?.tags, [1]);
    assert.equal(diagnostic(inactive, diagnostics({ tagSupport: { valueSet: [2] } }))?.tags, undefined);
    assert.equal(diagnostic(cycle, diagnostics({ tagSupport: { valueSet: [1, 2] } }))?.tags, undefined);
  });
});

describe('workspaceEdit: documentChanges and resourceOperations', () => {
  const file = '/scores/a.yaml';
  const range = { start: { line: 1, character: 5 }, end: { line: 1, character: 14 } };
  const rename: Fix = { title: "Change to 'sheet_num'", safe: true, actions: [{ kind: 'edit', file, range, newText: 'sheet_num' }] };
  const template: Fix = { title: 'Create a starter template', safe: true, actions: [{ kind: 'createFile', path: '/scores/prompts/new.j2', content: 'Sheet {{ sheet_num }}\n' }] };
  const target = (features: ClientFeatures): EditTarget => ({ features, versionOf: () => 4, exists: (path) => path === '/scores/prompts' || path === file });

  test('declared nothing: text edits as `changes`; a new file left to the server, never a resource operation', () => {
    assert.deepEqual(planFixes([rename], target(NONE)), { edit: { changes: { 'file:///scores/a.yaml': [{ range, newText: 'sheet_num' }] } }, onDisk: [] });
    assert.deepEqual(planFixes([template], target(NONE)), { onDisk: template.actions });
  });

  test('resourceOperations without documentChanges (what Neovim 0.7 declares): still `changes`, still no create', () => {
    const features = edits({ resourceOperations: ['create', 'rename', 'delete'] });
    assert.equal(features.createFiles, false);
    assert.ok(planFixes([rename], target(features)).edit?.changes);
    assert.deepEqual(planFixes([template], target(features)), { onDisk: template.actions });
  });

  test('documentChanges without resourceOperations: versioned text edits; the new file still left to the server', () => {
    const features = edits({ documentChanges: true });
    assert.deepEqual(planFixes([rename], target(features)).edit, { documentChanges: [{ textDocument: { uri: 'file:///scores/a.yaml', version: 4 }, edits: [{ range, newText: 'sheet_num' }] }] });
    const plan = planFixes([template], target(features));
    assert.equal(plan.edit, undefined);
    assert.deepEqual(plan.onDisk, template.actions);
    const action = codeActionFor(template.title, 'quickfix', [template], target(features)) as CodeAction;
    assert.equal(action.edit, undefined);
    assert.equal(action.command?.command, 'mozart.applyFix');
  });

  test('documentChanges and the create operation: the file is created by the editor', () => {
    const plan = planFixes([template], target(edits({ documentChanges: true, resourceOperations: ['create'] })));
    assert.deepEqual(plan.onDisk, []);
    assert.deepEqual(
      plan.edit?.documentChanges?.map((c) => ('kind' in c ? c.kind : 'edit')),
      ['create', 'edit'],
    );
  });
});

describe('codeAction.codeActionLiteralSupport and isPreferredSupport', () => {
  const fix: Fix = { title: 'Create folder', safe: true, actions: [{ kind: 'createDirectory', path: '/scores/later' }] };
  const target = (features: ClientFeatures): EditTarget => ({ features, versionOf: () => null, exists: () => false });

  test('declared nothing: a Command, no CodeAction literal', () => {
    const action = codeActionFor(fix.title, 'quickfix', [fix], target(NONE), { preferred: true });
    assert.equal(action.command, 'mozart.applyFix');
    assert.equal('kind' in action, false);
  });

  test('literals without isPreferredSupport: a CodeAction, never isPreferred', () => {
    const action = codeActionFor(fix.title, 'quickfix', [fix], target(edits({})), { preferred: true }) as CodeAction;
    assert.equal(action.kind, 'quickfix');
    assert.equal(action.isPreferred, undefined);
    const preferred = codeActionFor(fix.title, 'quickfix', [fix], target(with_({ textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: [] } }, isPreferredSupport: true } } })), { preferred: true }) as CodeAction;
    assert.equal(preferred.isPreferred, true);
  });
});
