// V110: a `sheet.skip_when` condition that cannot work — it does not parse, or reads a name, field,
// sheet or function a condition does not have. Reported at the exact place inside the string: at
// run time such a condition fails, and a failing condition skips its sheet.
import { checkExpression, parseExpression } from '../expression.js';
import type { ExprProblem } from '../expression.js';
import type { Finding, Position } from '../findings.js';
import type { CheckContext } from './context.js';
import { severityOf } from '../catalog.js';

export function checkSkipWhen(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const [key, text] of Object.entries(ctx.score.sheet.skip_when)) {
    if (typeof text !== 'string') continue;
    const path = ['sheet', 'skip_when', key];
    const parsed = parseExpression(text);
    const problems: ExprProblem[] = parsed.problem ? [parsed.problem] : parsed.expression ? checkExpression(parsed.expression, { ...(ctx.plan ? { sheetCount: ctx.plan.totalSheets } : {}), ownSheet: Number(key) }) : [];
    for (const problem of problems) {
      const at = (offset: number): Position => {
        const { line, character } = lineAndCharacter(text, offset);
        return ctx.source.positionInScalar(path, line, character) ?? ctx.source.valueRange(path).start;
      };
      findings.push({
        id: 'V110',
        severity: problem.severity === severityOf('V110') ? severityOf('V110') : severityOf('V110', 'alternative'),
        message: `sheet.skip_when for sheet ${key}: ${problem.message}`,
        file: ctx.source.file,
        range: { start: at(problem.start), end: at(Math.max(problem.start + 1, problem.end)) },
      });
    }
  }
  return findings;
}

function lineAndCharacter(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: (before[before.length - 1] ?? '').length };
}
