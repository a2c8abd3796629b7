// What every check receives: the source text with positions, the score with defaults applied, the
// raw data as written (to tell "set by the user" from "defaulted"), the plan, and a file view.
import type { Finding, Fix } from '../findings.js';
import type { FileView } from '../files.js';
import type { SheetPlan } from '../plan.js';
import type { Score } from '../score-types.js';
import type { NodePath, ScoreSource } from '../source.js';
import { severityOf } from '../catalog.js';

export interface CheckContext {
  source: ScoreSource;
  score: Score;
  /** The data exactly as written in the file (no defaults). */
  raw: Record<string, unknown>;
  plan?: SheetPlan;
  files: FileView;
}

/** A check: reads the context, returns findings. Checks never run the score's commands. */
export type Check = (ctx: CheckContext) => Finding[];

/** True when the user wrote a value at this path (as opposed to a default filling it in). */
export function isSet(ctx: CheckContext, path: NodePath): boolean {
  let current: unknown = ctx.raw;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current !== undefined && current !== null;
}

/** Builds a finding (its severity from the catalog) located at the value (or key) of a path in the score file. */
export function findingAt(
  ctx: CheckContext,
  id: string,
  path: NodePath,
  message: string,
  options: { atKey?: boolean; fixes?: Fix[]; alternative?: boolean } = {},
): Finding {
  const range = options.atKey ? ctx.source.keyRange(path) : ctx.source.valueRange(path);
  return { id, severity: severityOf(id, options.alternative ? 'alternative' : 'usual'), message, file: ctx.source.file, range, ...(options.fixes?.length ? { fixes: options.fixes } : {}) };
}
