// Workspace lifecycle on --fresh: before a job starts over, the previous run's files move into an
// archive folder inside the workspace, so old outputs cannot satisfy the new run's validations.
// `planArchive` decides (pure: names in, moves out); `archiveWorkspace` carries the plan out.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { minimatch } from 'minimatch';
import type { Score } from '../../../score/src/score-types.js';

export type LifecycleConfig = Score['workspace_lifecycle'];

/** Mozart's own folder in the workspace (checkpoint, logs, prompts): never archived, reset by --fresh. */
export const MOZART_DIR = '.mozart';

/** What the workspace holds at its top level. */
export interface WorkspaceEntry {
  name: string;
  isDir: boolean;
}

/** An existing archive folder and its modification time. */
export interface ExistingArchive {
  name: string;
  mtimeMs: number;
}

export type ArchivePlan =
  | { kind: 'nothing'; reason: string }
  | { kind: 'refused'; message: string }
  | { kind: 'archive'; archiveDir: string; archiveName: string; move: string[]; keep: string[]; rotate: string[] };

/** Everything the decision depends on. */
export interface ArchiveInputs {
  workspace: string;
  config: LifecycleConfig;
  entries: readonly WorkspaceEntry[];
  /** The text of the workspace's .iteration file, if it has one. */
  iterationText?: string;
  existingArchives: readonly ExistingArchive[];
  now: Date;
}

/** Decides what moves where. Never moves the archive folder, or a folder containing it, into itself. */
export function planArchive(inputs: ArchiveInputs): ArchivePlan {
  const { workspace, config } = inputs;
  if (!config.archive_on_fresh) return { kind: 'nothing', reason: 'workspace_lifecycle.archive_on_fresh is off' };
  const archiveDir = isAbsolute(config.archive_dir) ? config.archive_dir : resolve(workspace, config.archive_dir);
  const inside = relative(workspace, archiveDir);
  if (inside === '' || inside === '.') return { kind: 'refused', message: `workspace_lifecycle.archive_dir '${config.archive_dir}' is the workspace itself; an archive cannot hold the folder it is in. Name a folder inside the workspace, such as 'archive'.` };
  // The top-level entry the archive lives under (when it lives in the workspace) always stays.
  const archiveTop = inside.startsWith('..') || isAbsolute(inside) ? undefined : (inside.split(sep)[0] as string);
  const move: string[] = [];
  const keep: string[] = [];
  for (const entry of [...inputs.entries].sort((a, b) => a.name.localeCompare(b.name))) {
    const preserved = entry.name === MOZART_DIR || entry.name === archiveTop || isPreserved(entry.name, config.preserve_patterns);
    (preserved ? keep : move).push(entry.name);
  }
  if (move.length === 0) return { kind: 'nothing', reason: 'the workspace has nothing to archive' };
  const taken = new Set(inputs.existingArchives.map((a) => a.name));
  const archiveName = uniqueName(baseName(config, inputs.iterationText, inputs.now), taken);
  const rotate = config.max_archives > 0 ? oldestBeyond([...inputs.existingArchives, { name: archiveName, mtimeMs: Number.POSITIVE_INFINITY }], config.max_archives) : [];
  return { kind: 'archive', archiveDir, archiveName, move, keep, rotate };
}

/** True when a top-level name matches a preserve pattern (`dir/**` also keeps `dir` itself). */
export function isPreserved(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    if (minimatch(name, pattern, { dot: true })) return true;
    if (pattern.endsWith('/**')) return minimatch(name, pattern.slice(0, -3), { dot: true });
    return false;
  });
}

function baseName(config: LifecycleConfig, iterationText: string | undefined, now: Date): string {
  if (config.archive_naming === 'iteration' && iterationText !== undefined) {
    const n = Number(iterationText.trim());
    if (Number.isInteger(n) && n >= 0) return `iteration-${n}`;
  }
  // Without a readable .iteration the run is named by its time, as the original does.
  const pad = (v: number) => String(v).padStart(2, '0');
  return `archive-${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
}

function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** The archives to delete so that at most `max` remain: oldest first (by time, then by name). */
function oldestBeyond(archives: readonly ExistingArchive[], max: number): string[] {
  const sorted = [...archives].sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name, undefined, { numeric: true }));
  return sorted.slice(0, Math.max(0, sorted.length - max)).map((a) => a.name);
}

/** What archiving did, for the job's event log and the reply to `run --fresh`. */
export type ArchiveReport =
  | { kind: 'nothing'; reason: string }
  | { kind: 'refused'; message: string }
  | { kind: 'archived'; path: string; moved: string[]; kept: string[]; removed: string[]; problems: string[]; summary: string };

/** Reads the workspace, plans, and moves. Missing workspace: nothing to do. */
export function archiveWorkspace(workspace: string, config: LifecycleConfig, now = new Date()): ArchiveReport {
  if (!config.archive_on_fresh) return { kind: 'nothing', reason: 'workspace_lifecycle.archive_on_fresh is off' };
  if (!existsSync(workspace)) return { kind: 'nothing', reason: 'the workspace does not exist yet' };
  const entries = readdirSync(workspace, { withFileTypes: true }).map((d) => ({ name: d.name, isDir: d.isDirectory() }));
  let iterationText: string | undefined;
  try {
    iterationText = readFileSync(join(workspace, '.iteration'), 'utf8');
  } catch {
    iterationText = undefined;
  }
  const archiveRoot = isAbsolute(config.archive_dir) ? config.archive_dir : resolve(workspace, config.archive_dir);
  const existingArchives = listArchives(archiveRoot);
  const plan = planArchive({ workspace, config, entries, ...(iterationText !== undefined ? { iterationText } : {}), existingArchives, now });
  if (plan.kind !== 'archive') return plan;
  const target = join(plan.archiveDir, plan.archiveName);
  mkdirSync(target, { recursive: true });
  const moved: string[] = [];
  const problems: string[] = [];
  for (const name of plan.move) {
    try {
      renameSync(join(workspace, name), join(target, name));
      moved.push(name);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
  }
  const removed: string[] = [];
  for (const name of plan.rotate) {
    try {
      rmSync(join(plan.archiveDir, name), { recursive: true, force: true });
      removed.push(name);
    } catch (error) {
      problems.push(`removing old archive ${name}: ${(error as Error).message}`);
    }
  }
  const summary = `Archived ${moved.length} item${moved.length === 1 ? '' : 's'} of the previous run to ${target}${removed.length ? `; removed the oldest archive${removed.length === 1 ? '' : 's'} (${removed.join(', ')}) to keep ${config.max_archives}` : ''}${problems.length ? `; could not move: ${problems.join('; ')}` : ''}.`;
  return { kind: 'archived', path: target, moved, kept: plan.keep, removed, problems, summary };
}

function listArchives(root: string): ExistingArchive[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => ({ name: d.name, mtimeMs: statSync(join(root, d.name)).mtimeMs }));
  } catch {
    return [];
  }
}
