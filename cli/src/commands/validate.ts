// `mozart validate <score> [--json]`: check a score without running anything and without a conductor.
import { relative, resolve } from 'node:path';
import { checkScoreFile, isValid } from '../../../score/src/engine.js';
import type { ScoreCheckResult } from '../../../score/src/engine.js';
import type { Finding } from '../../../score/src/findings.js';
import { clip, excerptOf, MAX_EXCERPT, MAX_MESSAGE } from '../../../score/src/finding-text.js';
import { EXIT, palette, useColour } from '../output.js';

/** What `validate` prints with `--json`: positions are 1-based, like the text output. */
export interface ValidateReport {
  file: string;
  valid: boolean;
  /** False when the file could not be read or parsed as YAML. */
  parsed: boolean;
  error?: string;
  counts: { error: number; warning: number; info: number };
  findings: {
    id: string;
    severity: Finding['severity'];
    message: string;
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    docs: string;
    fixes: { title: string; automatic: boolean }[];
  }[];
  summary?: { name: string; sheets: number; stages: number; workspace: string; backend: string };
}

/** Builds the machine-readable report for one check result. */
export function buildReport(file: string, result: ScoreCheckResult): ValidateReport {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of result.findings) counts[f.severity]++;
  const report: ValidateReport = {
    file,
    valid: isValid(result),
    parsed: result.parsed,
    counts,
    findings: result.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.range.start.line + 1,
      column: f.range.start.character + 1,
      endLine: f.range.end.line + 1,
      endColumn: f.range.end.character + 1,
      docs: `docs/checks.md#${f.id.toLowerCase()}`,
      fixes: (f.fixes ?? []).map((fix) => ({ title: fix.title, automatic: fix.safe })),
    })),
  };
  if (report.valid && result.score && result.plan && result.workspace) {
    report.summary = {
      name: result.score.name,
      sheets: result.plan.totalSheets,
      stages: result.plan.totalStages,
      workspace: result.workspace,
      backend: result.score.backend.type,
    };
  }
  return report;
}

/** Runs the command; returns the exit code. */
export function validateCommand(args: { score: string; json: boolean; dag?: boolean }, out: NodeJS.WriteStream = process.stdout): number {
  const file = resolve(args.score);
  const checked = checkScoreFile(file);
  if (checked.error !== undefined) {
    const reason = checked.error.startsWith(file) ? args.score + checked.error.slice(file.length) : checked.error;
    if (args.json) {
      const report: ValidateReport = { file, valid: false, parsed: false, error: `cannot read ${reason}`, counts: { error: 0, warning: 0, info: 0 }, findings: [] };
      out.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      process.stderr.write(`mozart validate: cannot read ${reason}\n`);
    }
    return EXIT.unusable;
  }
  const result = checked.result;
  const report = buildReport(file, result);
  const dag = args.dag && result.plan ? dagOf(result.plan) : undefined;
  if (args.json) out.write(JSON.stringify(dag ? { ...report, dag } : report, null, 2) + '\n');
  else out.write(formatText(report, result, useColour(out)) + (dag ? dagText(dag) : ''));
  if (!result.parsed) return EXIT.unusable;
  return report.valid ? EXIT.ok : EXIT.failure;
}

/** Findings of one id printed in full; the rest are counted (a score with 100,000 typos prints a page). */
const MAX_SHOWN_PER_ID = 20;

export function formatText(report: ValidateReport, result: ScoreCheckResult, colour: boolean): string {
  const c = palette(colour);
  const shown = (path: string) => relative(process.cwd(), path) || path;
  const lines: string[] = [];
  const severityWord = { error: c.red('error'), warning: c.yellow('warning'), info: c.blue('info') };
  const shownPerId = new Map<string, number>();
  for (const [index, f] of report.findings.entries()) {
    const count = (shownPerId.get(f.id) ?? 0) + 1;
    shownPerId.set(f.id, count);
    if (count > MAX_SHOWN_PER_ID) continue;
    lines.push(`${c.bold(`${shown(f.file)}:${f.line}:${f.column}`)}: ${severityWord[f.severity]} ${c.bold(f.id)} ${clip(f.message, MAX_MESSAGE)}`);
    const sourceLine = f.file === result.source.file ? result.source.lineText(f.line - 1) : undefined;
    if (sourceLine !== undefined && sourceLine.trim() !== '') {
      const width = f.endLine === f.line ? Math.max(1, f.endColumn - f.column) : Math.max(1, sourceLine.length - f.column + 1);
      const excerpt = excerptOf(sourceLine, f.column - 1);
      lines.push(c.dim(`  ${String(f.line).padStart(4)} | `) + excerpt.text);
      lines.push(c.dim('       | ') + ' '.repeat(excerpt.caret) + c.cyan('^'.repeat(Math.min(width, excerpt.text.length - excerpt.caret, MAX_EXCERPT))));
    }
    for (const fix of result.findings[index]?.fixes ?? []) lines.push(c.dim(`       fix: ${clip(fix.title, MAX_MESSAGE)}`));
  }
  for (const [id, count] of shownPerId) {
    if (count > MAX_SHOWN_PER_ID) lines.push(c.dim(`… and ${count - MAX_SHOWN_PER_ID} more ${id} finding${count - MAX_SHOWN_PER_ID === 1 ? '' : 's'} (--json lists every one)`));
  }
  const { error, warning, info } = report.counts;
  const tally = [error && `${error} error${error === 1 ? '' : 's'}`, warning && `${warning} warning${warning === 1 ? '' : 's'}`, info && `${info} info`]
    .filter(Boolean)
    .join(', ');
  if (lines.length) lines.push('');
  if (!report.parsed) {
    lines.push(c.red(`✗ ${shown(report.file)} could not be read as YAML (${tally}).`));
  } else if (report.valid && report.summary) {
    const s = report.summary;
    const stages = s.stages !== s.sheets ? ` in ${s.stages} stages` : '';
    lines.push(c.green(`✓ ${shown(report.file)} is valid${tally ? ` (${tally})` : ''}.`));
    lines.push(`  ${s.name}: ${s.sheets} sheet${s.sheets === 1 ? '' : 's'}${stages} on the ${s.backend} backend`);
    lines.push(`  workspace: ${s.workspace}`);
  } else {
    lines.push(c.red(`✗ ${shown(report.file)} is not valid${tally ? `: ${tally}` : ''}.`));
    lines.push(c.dim('  Each id is explained in docs/checks.md.'));
  }
  return lines.join('\n') + '\n';
}

/** `validate -v`: the sheet DAG, as levels of sheets that can run side by side, each with what it waits for. */
interface DagView {
  levels: { level: number; sheets: { sheet: number; stage: number; instance: number; fanCount: number; dependsOn: number[] }[] }[];
}

function dagOf(plan: NonNullable<ScoreCheckResult['plan']>): DagView {
  const level = new Map<number, number>();
  for (const sheet of plan.sheets) level.set(sheet.num, Math.max(0, ...sheet.dependsOn.map((d) => (level.get(d) ?? 0) + 1)));
  const levels: DagView['levels'] = [];
  for (const sheet of plan.sheets) {
    const n = level.get(sheet.num) ?? 0;
    while (levels.length <= n) levels.push({ level: levels.length + 1, sheets: [] });
    levels[n]?.sheets.push({ sheet: sheet.num, stage: sheet.stage, instance: sheet.instance, fanCount: sheet.fanCount, dependsOn: sheet.dependsOn });
  }
  return { levels };
}

function dagText(dag: DagView): string {
  const lines = ['', 'Sheet DAG (sheets on one level can run side by side):'];
  for (const { level, sheets } of dag.levels) {
    lines.push(`  level ${level}:`);
    for (const s of sheets) {
      const fan = s.fanCount > 1 ? `, instance ${s.instance}/${s.fanCount}` : '';
      lines.push(`    sheet ${s.sheet} (stage ${s.stage}${fan})${s.dependsOn.length ? ` ← after ${s.dependsOn.join(', ')}` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
