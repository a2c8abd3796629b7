// prompt.variables as templates: the V111 quick fix, rendering order, and circles refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkScore } from '../src/engine.js';
import { renderVariables, variableCycle, VariableRenderError } from '../src/variables.js';

const score = `name: v
workspace: /tmp
sheet: { size: 1, total_items: 1 }
prompt:
  template: "{{ preamble }}"
  variables:
    preamble: "Work in {{ workspace }}."
`;

test('V111 offers to turn on render_variables, and with it on the warning is gone', () => {
  const first = checkScore('/tmp/v.yaml', score).findings.find((f) => f.id === 'V111');
  assert.ok(first?.fixes?.length, 'a quick fix is offered');
  const edit = first.fixes[0]?.actions[0];
  assert.ok(edit?.kind === 'edit');
  const lines = score.split('\n');
  lines.splice(edit.range.start.line, 0, edit.newText.replace(/\n$/, ''));
  const fixed = lines.join('\n');
  assert.match(fixed, /prompt:\n {2}template: .*\n {2}render_variables: true\n {2}variables:/);
  assert.deepEqual(checkScore('/tmp/v.yaml', fixed).findings.filter((f) => f.id === 'V111'), []);
});

test('variables render once, after the variables they use, with the sheet values', () => {
  const out = renderVariables({ intro: '{{ goal }} in {{ workspace }}', goal: 'Build {{ project }}', project: 'mozart', count: 3 }, { workspace: '/ws' });
  assert.deepEqual(out, { intro: 'Build mozart in /ws', goal: 'Build mozart', project: 'mozart', count: 3 });
});

test('a circle of variables is found and refused', () => {
  assert.deepEqual(variableCycle({ a: '{{ b }}', b: '{{ c }}', c: '{{ a }}' }), ['a', 'b', 'c', 'a']);
  assert.equal(variableCycle({ a: '{{ b }}', b: 'plain' }), undefined);
  assert.throws(() => renderVariables({ a: '{{ a }}!' }, {}), VariableRenderError);
});
