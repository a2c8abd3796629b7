// prompt.variables as templates (prompt.render_variables): each variable's text is rendered once,
// after the variables it refers to, with the sheet's values and the other variables. Variables
// that refer to each other in a circle cannot be ordered and are refused.
import { parseTemplate, renderTemplate, undeclaredVariables } from './template.js';

/** Template syntax inside a text: `{{ … }}` or `{% … %}`. */
export const TEMPLATE_SYNTAX = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/;

/** Which other variables each string variable reads. */
export function variableReferences(variables: Readonly<Record<string, unknown>>): Map<string, string[]> {
  const names = new Set(Object.keys(variables));
  const refs = new Map<string, string[]>();
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string' || !TEMPLATE_SYNTAX.test(value)) continue;
    const { ast } = parseTemplate(value);
    const read = ast ? undeclaredVariables(ast, new Set()).map((u) => u.name) : [];
    refs.set(name, [...new Set(read.filter((r) => names.has(r)))]);
  }
  return refs;
}

/** The first circle of variables referring to each other, as a path that ends where it began. */
export function variableCycle(variables: Readonly<Record<string, unknown>>): string[] | undefined {
  const refs = variableReferences(variables);
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of refs.get(name) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of refs.keys()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

/** A variable that could not be rendered, or a circle of them. */
export class VariableRenderError extends Error {}

/**
 * Renders every string variable that holds template syntax, dependencies first, with `context`
 * (the sheet's values) and the other variables. Values without template syntax stay as they are.
 */
export function renderVariables(variables: Readonly<Record<string, unknown>>, context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const cycle = variableCycle(variables);
  if (cycle) throw new VariableRenderError(`prompt.variables refer to each other in a circle (${cycle.join(' → ')}); with render_variables each variable is rendered once, so one of them must not use the others.`);
  const refs = variableReferences(variables);
  const out: Record<string, unknown> = { ...variables };
  const rendered = new Set<string>();
  const render = (name: string): void => {
    if (rendered.has(name)) return;
    rendered.add(name);
    for (const dep of refs.get(name) ?? []) render(dep);
    try {
      out[name] = renderTemplate(String(variables[name]), { ...context, ...out });
    } catch (error) {
      throw new VariableRenderError(`prompt.variables.${name} cannot be rendered: ${(error as Error).message}`);
    }
  };
  for (const name of refs.keys()) render(name);
  return out;
}
