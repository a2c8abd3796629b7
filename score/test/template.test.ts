import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assemblePrompt, parseTemplate, PREAMBLE, renderTemplate, TemplateRenderError, undeclaredVariables } from '../src/template.js';

test('renders the Jinja that scores use: loops over dict items, filters, set, whitespace control', () => {
  const text = [
    '{% set title = "Report" -%}',
    '{{ title | upper }} for sheet {{ sheet_num }}/{{ total_sheets }}',
    '{%- for num, out in previous_outputs.items() %}',
    '- {{ num }}: {{ out | truncate(5, True, "") }}',
    '{%- endfor %}',
    '{{ items | join(", ") }} {{ missing | default("n/a") }} {{ items | length }}',
    '{% if stage == 2 and fan_count > 1 %}instance {{ instance }} of {{ fan_count }}{% endif %}',
  ].join('\n');
  const out = renderTemplate(text, { sheet_num: 2, total_sheets: 3, previous_outputs: { 1: 'hello world' }, items: ['a', 'b'], stage: 2, fan_count: 3, instance: 1 });
  assert.equal(out, 'REPORT for sheet 2/3\n- 1: hello\na, b n/a 2\ninstance 1 of 3');
});

test('an undefined variable is a render error, as with Jinja StrictUndefined', () => {
  assert.throws(() => renderTemplate('line one\n{{ nope }}', {}), (e: unknown) => e instanceof TemplateRenderError && e.line === 1);
});

test('an unclosed block reports the line of its opening tag and the closing tag to add', () => {
  const { problem } = parseTemplate('intro\n  {% if x %}\nbody\n');
  assert.deepEqual(problem && { line: problem.line, character: problem.character, closing: problem.closing }, { line: 1, character: 2, closing: '{% endif %}' });
});

test('an unclosed expression reports where it starts', () => {
  const { problem } = parseTemplate('a\nb {{ sheet_num \nc');
  assert.equal(problem?.line, 1);
  assert.equal(problem?.character, 2);
  assert.equal(problem?.closing, ' }}');
});

test('undeclared variables respect set, loops, macros, and default/defined guards', () => {
  const { ast } = parseTemplate(
    '{% set a = 1 %}{{ a }}{% for x in xs %}{{ x }}{{ loop.index }}{% endfor %}{{ x }}' +
      '{% macro m(p, q=2) %}{{ p }}{{ q }}{{ r }}{% endmacro %}{{ m(1) }}{{ maybe | default(1) }}{% if opt is defined %}{{ opt }}{% endif %}{{ d.k }}{{ f(key=1) }}',
  );
  assert.ok(ast);
  const names = undeclaredVariables(ast, new Set(['xs', 'f'])).map((u) => u.name);
  assert.deepEqual(names, ['x', 'r', 'd']);
});

test('the prompt is the preamble, the body, then the extensions', () => {
  assert.equal(assemblePrompt('BODY', ['one', ' ', 'two']), `${PREAMBLE}\nBODY\none\ntwo`);
});
