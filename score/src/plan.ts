// Sheet planning: how many sheets a score has, which items each covers, how fan-out expands stages
// into parallel instances, and the dependency graph between sheets. Pure: data in, plan out.
import type { NodePath } from './source.js';

/** The sheet section fields planning needs (after defaults). */
export interface SheetSpec {
  size: number;
  total_items: number;
  start_item: number;
  dependencies: Record<string, number[] | undefined>;
  fan_out: Record<string, number | undefined>;
}

/** One concrete sheet of a job. */
export interface PlannedSheet {
  num: number;
  stage: number;
  instance: number;
  fanCount: number;
  startItem: number;
  endItem: number;
  /** Sheets that must be completed (or skipped) before this one may start. */
  dependsOn: number[];
}

/** The whole job's sheets and their order constraints. */
export interface SheetPlan {
  totalSheets: number;
  totalStages: number;
  sheets: PlannedSheet[];
  /** Sheets of each stage, in instance order. */
  stageSheets: Map<number, number[]>;
  /** True when `dependencies` is set: sheets run by the graph; otherwise strictly in order. */
  hasDependencies: boolean;
}

/** A planning problem, located by the score path it comes from. */
export interface PlanProblem {
  id: 'S006' | 'D001' | 'D002' | 'D003';
  message: string;
  path: NodePath;
  /** Point at the key of `path` rather than its value. */
  atKey?: boolean;
  related?: { path: NodePath; message: string }[];
}

/** Sheets in a job without fan-out: ceil((total_items − start_item + 1) / size). */
export function countSheets(spec: Pick<SheetSpec, 'size' | 'total_items' | 'start_item'>): number {
  const items = spec.total_items - spec.start_item + 1;
  if (items <= 0 || spec.size <= 0) return 0;
  return Math.ceil(items / spec.size);
}

/** The most sheets one job may have (after fan-out): what the conductor plans and holds in memory. */
export const MAX_SHEETS = 100_000;
/** The most instances one stage may fan out to. */
export const MAX_FAN_OUT = 10_000;

/** Builds the plan, or reports why it cannot be built. Never throws. */
export function planSheets(spec: SheetSpec): { plan?: SheetPlan; problems: PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const fanOut = numericEntries(spec.fan_out);
  const hasFanOut = fanOut.length > 0;

  if (spec.start_item > spec.total_items) {
    problems.push({
      id: 'S006',
      message: `sheet.start_item (${spec.start_item}) is after sheet.total_items (${spec.total_items}), so there is nothing to do. Lower start_item or raise total_items.`,
      path: ['sheet', 'start_item'],
    });
    return { problems };
  }
  if (hasFanOut && spec.size !== 1) {
    problems.push({
      id: 'S006',
      message: `sheet.fan_out needs sheet.size: 1 (each stage is one sheet before it fans out); size is ${spec.size}.`,
      path: ['sheet', 'size'],
    });
  }
  if (hasFanOut && spec.start_item !== 1) {
    problems.push({
      id: 'S006',
      message: `sheet.fan_out needs sheet.start_item: 1; it is ${spec.start_item}.`,
      path: ['sheet', 'start_item'],
    });
  }
  if (problems.length) return { problems };

  const unitCount = countSheets(spec); // stages with fan-out, sheets without
  const unitWord = hasFanOut ? 'stage' : 'sheet';
  // What the conductor can plan and hold: worked out before a single sheet is built.
  if (unitCount > MAX_SHEETS) {
    problems.push({ id: 'S006', message: `The score makes ${unitCount.toLocaleString('en')} ${unitWord}s (sheet.total_items / sheet.size); this version plans at most ${MAX_SHEETS.toLocaleString('en')} sheets per job. Split the work into several scores or raise sheet.size.`, path: ['sheet', 'total_items'] });
    return { problems };
  }
  let total = unitCount;
  for (const [stage, count] of fanOut) {
    if (count > MAX_FAN_OUT) {
      problems.push({ id: 'S006', message: `sheet.fan_out gives stage ${stage} ${count.toLocaleString('en')} instances; this version fans a stage out to at most ${MAX_FAN_OUT.toLocaleString('en')}.`, path: ['sheet', 'fan_out', String(stage)] });
      return { problems };
    }
    if (stage <= unitCount) total += count - 1;
  }
  if (total > MAX_SHEETS) {
    problems.push({ id: 'S006', message: `With its fan-out the score makes ${total.toLocaleString('en')} sheets; this version plans at most ${MAX_SHEETS.toLocaleString('en')} sheets per job.`, path: ['sheet', 'fan_out'] });
    return { problems };
  }
  for (const [stage] of fanOut) {
    if (stage > unitCount) {
      problems.push({
        id: 'S006',
        message: `sheet.fan_out names stage ${stage}, but the score has ${unitCount} stage${unitCount === 1 ? '' : 's'} (sheet.total_items). Use a stage between 1 and ${unitCount}.`,
        path: ['sheet', 'fan_out', String(stage)],
        atKey: true,
      });
    }
  }

  const dependencies = numericEntries(spec.dependencies);
  for (const [unit, deps] of dependencies) {
    if (unit > unitCount) {
      problems.push({
        id: 'D003',
        message: `sheet.dependencies names ${unitWord} ${unit}, but the score has ${unitCount} ${unitWord}s. Use ${unitWord}s 1–${unitCount}.`,
        path: ['sheet', 'dependencies', String(unit)],
        atKey: true,
      });
    }
    deps.forEach((dep, index) => {
      if (dep === unit) {
        problems.push({
          id: 'D002',
          message: `${capitalise(unitWord)} ${unit} depends on itself, so it could never start. Remove ${dep} from its list.`,
          path: ['sheet', 'dependencies', String(unit), index],
        });
      } else if (!Number.isInteger(dep) || dep < 1 || dep > unitCount) {
        problems.push({
          id: 'D003',
          message: `${capitalise(unitWord)} ${unit} depends on ${unitWord} ${dep}, which does not exist (the score has ${unitWord}s 1–${unitCount}).`,
          path: ['sheet', 'dependencies', String(unit), index],
        });
      }
    });
  }
  if (problems.length) return { problems };

  const cycle = findCycle(dependencies);
  if (cycle) {
    const members = cycle.join(' → ') + ` → ${cycle[0]}`;
    problems.push({
      id: 'D001',
      message: `Dependency cycle: ${unitWord}s ${members}. None of them could ever start; break the cycle by removing one of these dependencies.`,
      path: ['sheet', 'dependencies', String(cycle[0])],
      atKey: true,
      related: cycle.slice(1).map((member) => ({
        path: ['sheet', 'dependencies', String(member)],
        message: `${capitalise(unitWord)} ${member} is part of the cycle`,
      })),
    });
    return { problems };
  }

  return { plan: buildPlan(spec, unitCount, new Map(fanOut), dependencies, hasFanOut), problems };
}

function buildPlan(
  spec: SheetSpec,
  unitCount: number,
  fanOut: Map<number, number>,
  dependencies: [number, number[]][],
  hasFanOut: boolean,
): SheetPlan {
  const sheets: PlannedSheet[] = [];
  const stageSheets = new Map<number, number[]>();
  for (let stage = 1; stage <= unitCount; stage++) {
    const count = hasFanOut ? (fanOut.get(stage) ?? 1) : 1;
    const members: number[] = [];
    for (let instance = 1; instance <= count; instance++) {
      const num = sheets.length + 1;
      const startItem = hasFanOut ? num : (num - 1) * spec.size + spec.start_item;
      const endItem = hasFanOut ? num : Math.min(startItem + spec.size - 1, spec.total_items);
      sheets.push({ num, stage, instance, fanCount: count, startItem, endItem, dependsOn: [] });
      members.push(num);
    }
    stageSheets.set(stage, members);
  }
  for (const [target, sources] of dependencies) {
    const targets = stageSheets.get(target) ?? [];
    for (const source of sources) linkStages(sheets, targets, stageSheets.get(source) ?? []);
  }
  return { totalSheets: sheets.length, totalStages: unitCount, sheets, stageSheets, hasDependencies: dependencies.length > 0 };
}

/**
 * Expands one stage→stage dependency to sheets: one source fans out to every target; many
 * sources fan in to one target; equal counts pair instance i with instance i; otherwise all-to-all.
 */
function linkStages(sheets: PlannedSheet[], targets: number[], sources: number[]): void {
  const add = (target: number, source: number): void => {
    const sheet = sheets[target - 1];
    if (sheet && !sheet.dependsOn.includes(source)) sheet.dependsOn.push(source);
  };
  if (sources.length === targets.length && sources.length > 1) {
    targets.forEach((target, i) => add(target, sources[i] as number));
    return;
  }
  for (const target of targets) for (const source of sources) add(target, source);
}

/** Finds one cycle in the declared graph (a list of nodes in order), or undefined. Iterative: chains can be long. */
function findCycle(edges: [number, number[]][]): number[] | undefined {
  const graph = new Map(edges);
  const state = new Map<number, 'visiting' | 'done'>();
  for (const [root] of [...graph.entries()].sort((a, b) => a[0] - b[0])) {
    if (state.has(root)) continue;
    const path: number[] = [root];
    const cursor: number[] = [0];
    state.set(root, 'visiting');
    while (path.length > 0) {
      const node = path[path.length - 1] as number;
      const next = (graph.get(node) ?? [])[cursor[cursor.length - 1] as number];
      if (next === undefined) {
        state.set(node, 'done');
        path.pop();
        cursor.pop();
        continue;
      }
      cursor[cursor.length - 1] = (cursor[cursor.length - 1] as number) + 1;
      const seen = state.get(next);
      if (seen === 'visiting') return path.slice(path.indexOf(next));
      if (seen === undefined) {
        state.set(next, 'visiting');
        path.push(next);
        cursor.push(0);
      }
    }
  }
  return undefined;
}

function numericEntries<T>(record: Record<string, T | undefined> | undefined): [number, T][] {
  return Object.entries(record ?? {})
    .filter((entry): entry is [string, T] => entry[1] !== undefined)
    .map(([key, value]) => [Number(key), value] as [number, T])
    .filter(([key]) => Number.isInteger(key))
    .sort((a, b) => a[0] - b[0]);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
