// V111: template syntax inside prompt.variables. Variables are inserted as text, so the agent gets
// `{{ workspace }}` literally (the original behaves the same) — unless prompt.render_variables is
// on, which renders them once; then variables referring to each other in a circle are an error.
import type { Finding, Fix } from '../findings.js';
import { TEMPLATE_SYNTAX, variableCycle } from '../variables.js';
import type { CheckContext } from './context.js';
import { findingAt, isSet } from './context.js';
import { severityOf } from '../catalog.js';

export function checkVariableTemplates(ctx: CheckContext): Finding[] {
  const variables = ctx.score.prompt.variables;
  if (ctx.score.prompt.render_variables) {
    const cycle = variableCycle(variables);
    if (!cycle) return [];
    return [findingAt(ctx, 'V111', ['prompt', 'variables', cycle[0] as string], `prompt.variables ${cycle.map((n) => `'${n}'`).join(' → ')} refer to each other in a circle; with render_variables each is rendered once, so break the circle.`, { atKey: true, alternative: true })];
  }
  const findings: Finding[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') continue;
    const match = TEMPLATE_SYNTAX.exec(value);
    if (!match) continue;
    const path = ['prompt', 'variables', name];
    const start = ctx.source.positionInScalar(path, ...lineAndCharacter(value, match.index));
    const end = ctx.source.positionInScalar(path, ...lineAndCharacter(value, match.index + match[0].length));
    const range = start && end ? { start, end } : ctx.source.valueRange(path);
    const fix = renderFix(ctx);
    findings.push({
      id: 'V111',
      severity: severityOf('V111'),
      message: `prompt.variables.${name} contains template syntax (${oneLine(match[0])}), but variables are inserted as written: the agent would receive the braces literally. Set prompt.render_variables: true to render variables first, or write the value out.`,
      file: ctx.source.file,
      range,
      ...(fix ? { fixes: [fix] } : {}),
    });
  }
  return findings;
}

/** Inserts `render_variables: true` above `variables:` when the prompt is a block mapping. */
function renderFix(ctx: CheckContext): Fix | undefined {
  if (isSet(ctx, ['prompt', 'render_variables'])) return undefined;
  const key = ctx.source.keyRange(['prompt', 'variables']);
  const promptKey = ctx.source.keyRange(['prompt']);
  if (key.start.line === promptKey.start.line) return undefined; // a flow mapping: no line to add
  const indent = ctx.source.lineText(key.start.line).slice(0, key.start.character);
  if (indent.trim() !== '') return undefined;
  const at = { line: key.start.line, character: 0 };
  return { title: 'Render variables as templates (prompt.render_variables: true)', safe: false, actions: [{ kind: 'edit', file: ctx.source.file, range: { start: at, end: at }, newText: `${indent}render_variables: true\n` }] };
}

function lineAndCharacter(text: string, offset: number): [number, number] {
  const before = text.slice(0, offset).split('\n');
  return [before.length - 1, (before[before.length - 1] ?? '').length];
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 39)}…` : flat;
}
