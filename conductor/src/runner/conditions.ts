// Validation conditions live in the score engine (score/src/conditions.ts), so the dry-run plan
// and the runner decide which rules apply to a sheet with the same code.
export { conditionHolds, parseCondition } from '../../../score/src/conditions.js';
export type { ConditionContext } from '../../../score/src/conditions.js';
