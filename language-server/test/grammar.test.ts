// The Jinja injection grammar (syntaxes/jinja-in-yaml.tmLanguage.json) tokenized the way VS Code
// does it: vscode-textmate with the Oniguruma WebAssembly engine, the injection found through the
// manifest's `injectTo`. VS Code's own YAML grammar is not on npm, so a small stand-in with the same
// scope names hosts the injection (test/fixtures/yaml-min.tmLanguage.json says what it covers).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import type { IGrammar, StateStack } from 'vscode-textmate';
import { INITIAL, parseRawGrammar, Registry } from 'vscode-textmate';

const ROOT = resolve(__dirname, '../..');
const YAML_STAND_IN = join(__dirname, 'fixtures/yaml-min.tmLanguage.json');

interface GrammarContribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
}
const contributed: GrammarContribution[] = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).contributes.grammars ?? [];

/** One token: its text and its scopes, outermost first. */
interface Token {
  text: string;
  scopes: string[];
}

let yaml: IGrammar;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm);
  const files = new Map<string, string>([['source.yaml', YAML_STAND_IN], ...contributed.map((g): [string, string] => [g.scopeName, join(ROOT, g.path)])]);
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (sources) => new oniguruma.OnigScanner(sources), createOnigString: (text) => new oniguruma.OnigString(text) }),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      return file ? parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
    },
    // As VS Code does: every contributed grammar that names a scope in `injectTo` is injected there.
    getInjections: (scopeName) => contributed.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
  const grammar = await registry.loadGrammar('source.yaml');
  assert.ok(grammar, 'the YAML stand-in loads');
  yaml = grammar;
});

/** Tokenizes a whole document, line by line, carrying the state across lines. */
function tokenize(text: string): Token[][] {
  let state: StateStack = INITIAL;
  return text.split('\n').map((line) => {
    const result = yaml.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The scopes of the token holding the character `offset` into the first (or `nth`) occurrence of `needle`. */
function scopesAt(lines: Token[][], needle: string, offset = 0, nth = 0): string[] {
  let seen = 0;
  for (const tokens of lines) {
    const line = tokens.map((t) => t.text).join('');
    let from = line.indexOf(needle);
    while (from >= 0) {
      if (seen++ === nth) {
        const at = from + offset;
        let start = 0;
        for (const token of tokens) {
          if (at < start + token.text.length) return token.scopes;
          start += token.text.length;
        }
      }
      from = line.indexOf(needle, from + 1);
    }
  }
  throw new Error(`not found: ${needle} (#${nth})`);
}

const jinja = (scopes: string[]): string[] => scopes.filter((s) => s.endsWith('.jinja'));

function assertHas(scopes: string[], scope: string, what: string): void {
  assert.ok(scopes.includes(scope), `${what}: expected ${scope} in [${scopes.join(', ')}]`);
}

const SCORE = [
  '# A score; {{ this }} is a YAML comment, not a template',
  'name: grammar-test',
  '"{{ quoted_key }}": a quoted key is still a key',
  'sheet:',
  '  size: 1',
  '  total_items: 3',
  'prompt:',
  '  template: |',
  '    Work on sheet {{ sheet_num }} of {{ total_sheets | default(3) }}.',
  '    {% for x in items %}- {{ x.name }}{% endfor %}',
  '    {# c #}',
  '    {%- if sheet_num == 1 and not done -%}first{%- elif x is defined %}next{% endif %}',
  '    {# {{ not_an_expression }} #}',
  '    {% raw %}{{ literal }}{% endraw %}',
  '    {% set label = "sheet " ~ sheet_num %}{{ label | upper }}',
  'validations:',
  '  - type: command_succeeds',
  '    command: "test {{ workspace }} != x"',
  "    description: 'Check {{ workspace }}'",
  '    path: out-{{ sheet_num }}.md',
].join('\n');

describe('Jinja injection grammar', () => {
  test('is contributed for YAML and loads as an injection', () => {
    const entry = contributed.find((g) => g.path === './syntaxes/jinja-in-yaml.tmLanguage.json');
    assert.ok(entry, 'contributes.grammars names the grammar');
    assert.deepEqual(entry.injectTo, ['source.yaml']);
    const raw = JSON.parse(readFileSync(join(ROOT, entry.path), 'utf8')) as { scopeName: string; injectionSelector: string };
    assert.equal(raw.scopeName, entry.scopeName);
    assert.match(raw.injectionSelector, /^L:source\.yaml /);
  });

  test('expressions in a block scalar get the template-expression scopes', () => {
    const lines = tokenize(SCORE);
    const open = scopesAt(lines, '{{ sheet_num }}');
    assertHas(open, 'string.unquoted.block.yaml', '{{ is inside the block scalar');
    assertHas(open, 'meta.embedded.expression.jinja', '{{');
    assertHas(open, 'punctuation.definition.template-expression.begin.jinja', '{{');
    assertHas(scopesAt(lines, 'sheet_num }}'), 'variable.other.jinja', 'sheet_num');
    assertHas(scopesAt(lines, '}} of'), 'punctuation.definition.template-expression.end.jinja', '}}');
    assert.deepEqual(jinja(scopesAt(lines, ' of {{')), [], 'text after }} is plain template text again');
    assertHas(scopesAt(lines, '| default'), 'keyword.operator.filter.jinja', '|');
    assertHas(scopesAt(lines, 'default'), 'entity.name.function.filter.jinja', 'filter name');
    assertHas(scopesAt(lines, '3) }}'), 'constant.numeric.jinja', 'number');
    assertHas(scopesAt(lines, 'name }}'), 'variable.other.property.jinja', 'attribute');
    assertHas(scopesAt(lines, '"sheet "'), 'string.quoted.double.jinja', 'Jinja string');
    assertHas(scopesAt(lines, '~'), 'keyword.operator.concatenation.jinja', '~');
    assertHas(scopesAt(lines, '== 1'), 'keyword.operator.comparison.jinja', '==');
    assertHas(scopesAt(lines, 'upper'), 'entity.name.function.filter.jinja', 'upper');
  });

  test('statements get keyword scopes, whitespace control included', () => {
    const lines = tokenize(SCORE);
    assertHas(scopesAt(lines, '{% for'), 'punctuation.definition.template-expression.begin.jinja', '{%');
    for (const keyword of ['for x', 'in items', 'endfor', 'if sheet_num', 'elif', 'endif', 'set label']) {
      const scopes = scopesAt(lines, keyword);
      assertHas(scopes, 'keyword.control.jinja', keyword);
      assertHas(scopes, 'meta.embedded.statement.jinja', keyword);
    }
    assertHas(scopesAt(lines, 'items %}'), 'variable.other.jinja', 'loop source');
    assertHas(scopesAt(lines, '%}- {{'), 'punctuation.definition.template-expression.end.jinja', '%}');
    assertHas(scopesAt(lines, '{%- if'), 'punctuation.definition.template-expression.begin.jinja', '{%-');
    assertHas(scopesAt(lines, '-%}first'), 'punctuation.definition.template-expression.end.jinja', '-%}');
    assert.deepEqual(jinja(scopesAt(lines, 'first')), [], 'text between tags');
    assertHas(scopesAt(lines, 'and not'), 'keyword.operator.word.jinja', 'and');
    assertHas(scopesAt(lines, 'defined'), 'entity.name.function.test.jinja', 'test after is');
  });

  test('comments and raw blocks hide what they hold', () => {
    const lines = tokenize(SCORE);
    assertHas(scopesAt(lines, '{# c #}'), 'comment.block.jinja', '{#');
    assertHas(scopesAt(lines, 'c #}'), 'comment.block.jinja', 'comment text');
    assertHas(scopesAt(lines, '#}'), 'punctuation.definition.comment.end.jinja', '#}');
    const inside = scopesAt(lines, 'not_an_expression');
    assertHas(inside, 'comment.block.jinja', 'an expression inside a comment');
    assert.ok(!inside.includes('meta.embedded.expression.jinja'), 'is not an expression');
    const literal = scopesAt(lines, 'literal');
    assertHas(literal, 'string.unquoted.raw.jinja', 'raw content');
    assert.ok(!literal.includes('variable.other.jinja'), 'raw content is not Jinja');
    assertHas(scopesAt(lines, 'endraw'), 'keyword.control.jinja', 'endraw');
  });

  test('quoted and plain scalars get it too; keys and YAML comments do not', () => {
    const lines = tokenize(SCORE);
    for (const [needle, host] of [
      ['{{ workspace }} !=', 'string.quoted.double.yaml'],
      ["{{ workspace }}'", 'string.quoted.single.yaml'],
      ['{{ sheet_num }}.md', 'string.unquoted.plain.out.yaml'],
    ] as const) {
      const scopes = scopesAt(lines, needle);
      assertHas(scopes, host, needle);
      assertHas(scopes, 'punctuation.definition.template-expression.begin.jinja', needle);
    }
    assertHas(scopesAt(lines, '!= x"', 4), 'punctuation.definition.string.end.yaml', 'the double-quoted scalar still closes');
    assert.deepEqual(jinja(scopesAt(lines, '{{ this }}')), [], 'YAML comment');
    assert.deepEqual(jinja(scopesAt(lines, '{{ quoted_key }}')), [], 'quoted key');
    for (const key of ['name:', 'prompt:', 'template:', 'validations:', 'command:', 'path:']) {
      const scopes = scopesAt(lines, key);
      assertHas(scopes, 'entity.name.tag.yaml', key);
      assert.deepEqual(jinja(scopes), [], `${key} is a plain key`);
    }
  });

  test('an unfinished tag inside a quoted scalar stops at its closing quote', () => {
    const lines = tokenize(['description: "Hello {{ name"', 'workspace: ./ws', "title: 'a {% if x'", 'sheet:', '  size: 1'].join('\n'));
    assertHas(scopesAt(lines, 'name"'), 'meta.embedded.expression.jinja', 'the open expression');
    assertHas(scopesAt(lines, 'name"', 4), 'punctuation.definition.string.end.yaml', 'closing quote');
    assert.deepEqual(jinja(scopesAt(lines, 'name"', 4)), []);
    assertHas(scopesAt(lines, "if x'", 4), 'punctuation.definition.string.end.yaml', 'closing single quote');
    for (const key of ['workspace', 'sheet', 'size']) {
      assertHas(scopesAt(lines, key), 'entity.name.tag.yaml', key);
      assert.deepEqual(jinja(scopesAt(lines, key)), [], `${key} after the unfinished tag`);
    }
  });

  test('an unfinished tag in a block scalar ends with the block', () => {
    const lines = tokenize(['prompt:', '  template: |', '    Start {{ sheet_num', '    more', 'sheet:', '  size: 1'].join('\n'));
    assertHas(scopesAt(lines, 'more'), 'meta.embedded.expression.jinja', 'Jinja tags may span lines');
    assertHas(scopesAt(lines, 'sheet:'), 'entity.name.tag.yaml', 'next key');
    assert.deepEqual(jinja(scopesAt(lines, 'sheet:')), []);
  });

  test('every example score: each {{ and {% in a template is a tag, and no key or comment gets a Jinja scope', () => {
    const dir = join(ROOT, 'examples');
    let tags = 0;
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const lines = tokenize(readFileSync(join(dir, name), 'utf8'));
      for (const tokens of lines) {
        for (const [i, token] of tokens.entries()) {
          const where = `${name}: ${tokens.map((t) => t.text).join('')}`;
          if (token.scopes.some((s) => s.startsWith('entity.name.tag.yaml') || s.startsWith('comment.line'))) {
            assert.deepEqual(jinja(token.scopes), [], `${where}: "${token.text}"`);
          }
          const inString = token.scopes.some((s) => s.startsWith('string.') && s.endsWith('.yaml') && !s.startsWith('string.unquoted.plain.yaml'));
          // Any {{ or {% in a YAML string must be a token of its own that opens a tag (unless a Jinja comment or raw block holds it).
          if (inString && /\{[{%]/.test(token.text) && !jinja(token.scopes).some((s) => s.startsWith('comment') || s.startsWith('string.unquoted.raw'))) {
            assert.match(token.text, /^\{[{%][-+]?$/, where);
            assertHas(token.scopes, 'punctuation.definition.template-expression.begin.jinja', where);
            tags++;
          }
          // A tag never runs past the end of the line it opened on in these files.
          if (i === tokens.length - 1 && token.scopes.some((s) => s.startsWith('meta.embedded.') && s.endsWith('.jinja'))) {
            assertHas(token.scopes, 'punctuation.definition.template-expression.end.jinja', `${where}: tag left open`);
          }
        }
      }
    }
    assert.ok(tags > 50, `found ${tags} tags`);
  });
});
