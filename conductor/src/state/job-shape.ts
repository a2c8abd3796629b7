// What a job checkpoint's snapshot and journal records must look like before they are applied. A
// file edited by hand or written by something else is caught here, with what is wrong in it, instead
// of as a TypeError halfway through applying it: that answered `status` with an internal error and
// left the job out of `list`. Only what applying and summing up the state relies on is checked.
import type { StoreShape } from './journal-store.js';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalObject = (value: unknown): boolean => value === undefined || isObject(value);

function sheetProblem(sheet: unknown): string | undefined {
  if (!isObject(sheet)) return 'is not an object';
  if (typeof sheet.status !== 'string') return 'has no status';
  if (!Array.isArray(sheet.errors)) return 'has no list of errors';
  if (sheet.spans !== undefined && !Array.isArray(sheet.spans)) return 'has spans that are not a list';
  return undefined;
}

/** What is wrong with a job's state, or undefined when it can be used. */
export function jobStateProblem(state: unknown): string | undefined {
  if (!isObject(state)) return 'its state is not an object';
  for (const key of ['jobId', 'status', 'updatedAt']) if (typeof state[key] !== 'string') return `its state has no ${key}`;
  if (!Number.isSafeInteger(state.totalSheets)) return 'its state has no totalSheets';
  if (typeof state.costUsd !== 'number') return 'its state has no costUsd';
  if (!isObject(state.sheets)) return 'its state has no sheets';
  for (const [key, sheet] of Object.entries(state.sheets)) {
    const problem = sheetProblem(sheet);
    if (problem) return `its sheet ${key} ${problem}`;
  }
  return undefined;
}

/** What is wrong with a journal record of a job, or undefined when applyJobRecord can take it. */
export function jobRecordProblem(record: unknown): string | undefined {
  if (!isObject(record)) return 'its record is not an object';
  if (record.t === 'init') {
    const problem = jobStateProblem(record.state);
    return problem ? `it starts a job, but ${problem}` : undefined;
  }
  if (typeof record.at !== 'string') return 'its record has no time (at)';
  switch (record.t) {
    case 'job':
      if (typeof record.status !== 'string') return 'its job record has no status';
      return record.error === null || optionalObject(record.error) ? undefined : 'its job record has an error that is not an object';
    case 'sheet':
      if (!Number.isSafeInteger(record.num) || (record.num as number) < 1) return 'its sheet record has no sheet number';
      if (!isObject(record.patch)) return 'its sheet record has no patch';
      if (!optionalObject(record.error) || !optionalObject(record.span)) return 'its sheet record has an error or span that is not an object';
      return record.addCostUsd === undefined || typeof record.addCostUsd === 'number' ? undefined : 'its sheet record has a cost that is not a number';
    case 'plan':
      if (!Number.isSafeInteger(record.totalSheets) || (record.totalSheets as number) < 0) return 'its plan record has no sheet count';
      return record.fanOutStages === undefined || Array.isArray(record.fanOutStages) ? undefined : 'its plan record has stages that are not a list';
    case 'worktree':
      return record.worktree === null || isObject(record.worktree) ? undefined : 'its worktree record has no worktree';
    default:
      return `its record is of no known kind (t: ${JSON.stringify(record.t) ?? 'missing'})`;
  }
}

/** The checks a job's store makes of what it loads. */
export const jobShape: StoreShape = { state: jobStateProblem, record: jobRecordProblem };
