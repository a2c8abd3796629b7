// Validation conditions: "sheet_num >= 3 and stage == 2". Comparisons of the sheet's numbers with
// integers, joined by "and". A condition that is empty or cannot be parsed counts as satisfied, so
// a typo never silently disables a rule — the rule just always applies.

/** The numbers a condition may compare. */
export interface ConditionContext {
  sheet_num: number;
  total_sheets: number;
  start_item: number;
  end_item: number;
  stage: number;
  instance: number;
  fan_count: number;
  total_stages: number;
}

const COMPARISON = /^\s*([a-z_]+)\s*(>=|<=|==|!=|>|<)\s*(-?\d+)\s*$/;

/** One parsed comparison. */
interface Comparison {
  name: keyof ConditionContext;
  op: string;
  value: number;
}

/** Parses a condition; undefined when it is not in the supported form. */
export function parseCondition(condition: string): Comparison[] | undefined {
  const parts = condition.split(/\band\b/);
  const out: Comparison[] = [];
  for (const part of parts) {
    const m = COMPARISON.exec(part);
    if (!m) return undefined;
    const name = m[1] as keyof ConditionContext;
    if (!['sheet_num', 'total_sheets', 'start_item', 'end_item', 'stage', 'instance', 'fan_count', 'total_stages'].includes(name)) return undefined;
    out.push({ name, op: m[2] as string, value: Number(m[3]) });
  }
  return out;
}

/** True when the rule applies to this sheet. */
export function conditionHolds(condition: string | null | undefined, ctx: ConditionContext): boolean {
  if (!condition || condition.trim() === '') return true;
  const comparisons = parseCondition(condition);
  if (!comparisons) return true;
  return comparisons.every(({ name, op, value }) => {
    const actual = ctx[name];
    switch (op) {
      case '>=':
        return actual >= value;
      case '<=':
        return actual <= value;
      case '==':
        return actual === value;
      case '!=':
        return actual !== value;
      case '>':
        return actual > value;
      default:
        return actual < value;
    }
  });
}
