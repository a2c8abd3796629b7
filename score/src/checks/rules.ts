// Cross-field rules the schema cannot express: S003 a prompt with no template, S004 mutually
// exclusive fields, S006 inconsistent values (and the sheet plan's problems with D001–D003),
// S007 fields for a backend that is not selected, S008 an unusable backend.
import type { Finding } from '../findings.js';
import type { PlanProblem } from '../plan.js';
import { schemaAt } from '../schema-index.js';
import type { CheckContext } from './context.js';
import { findingAt, isSet } from './context.js';

/** S003 (no template at all) and S004 (both template and template_file). */
export function checkPromptSource(ctx: CheckContext): Finding[] {
  const hasInline = isSet(ctx, ['prompt', 'template']);
  const hasFile = isSet(ctx, ['prompt', 'template_file']);
  if (hasInline && hasFile) {
    return [
      findingAt(ctx, 'S004', ['prompt', 'template_file'], 'prompt.template and prompt.template_file are both set; a prompt has one source. Remove one of them.', { atKey: true }),
    ];
  }
  if (!hasInline && !hasFile && ctx.source.pairAt(['prompt'])) {
    return [
      findingAt(ctx, 'S003', ['prompt'], 'The prompt has no template: add prompt.template (inline Jinja) or prompt.template_file (a path). Without one the agent would get only a one-line placeholder prompt.', { atKey: true }),
    ];
  }
  return [];
}

/** S006: values that contradict each other. */
export function checkConsistency(ctx: CheckContext): Finding[] {
  const { score } = ctx;
  const findings: Finding[] = [];
  const { retry, stale_detection: stale, cost_limits: cost, logging } = score;
  if (retry.base_delay_seconds > retry.max_delay_seconds) {
    findings.push(findingAt(ctx, 'S006', ['retry', isSet(ctx, ['retry', 'base_delay_seconds']) ? 'base_delay_seconds' : 'max_delay_seconds'],
      `retry.base_delay_seconds (${retry.base_delay_seconds}) is larger than retry.max_delay_seconds (${retry.max_delay_seconds}). Make the base delay at most the maximum.`));
  }
  if (stale.check_interval_seconds >= stale.idle_timeout_seconds) {
    findings.push(findingAt(ctx, 'S006', ['stale_detection', isSet(ctx, ['stale_detection', 'check_interval_seconds']) ? 'check_interval_seconds' : 'idle_timeout_seconds'],
      `stale_detection.check_interval_seconds (${stale.check_interval_seconds}) must be smaller than idle_timeout_seconds (${stale.idle_timeout_seconds}), or a stalled agent is never noticed in time.`));
  }
  if (cost.enabled && cost.max_cost_per_sheet == null && cost.max_cost_per_job == null) {
    findings.push(findingAt(ctx, 'S006', ['cost_limits', 'enabled'],
      'cost_limits is enabled but sets no limit. Add max_cost_per_sheet or max_cost_per_job (USD), or turn cost_limits off.'));
  }
  if (logging.format === 'both' && (logging.file_path == null || logging.file_path === '')) {
    findings.push(findingAt(ctx, 'S006', ['logging', 'format'], "logging.format 'both' writes to a file too: set logging.file_path."));
  }
  if (ctx.plan) {
    const total = ctx.plan.totalSheets;
    const perSheetMaps: [string[], string][] = [
      [['sheet', 'skip_when'], 'sheet.skip_when'],
      [['sheet', 'skip_when_command'], 'sheet.skip_when_command'],
      [['sheet', 'prompt_extensions'], 'sheet.prompt_extensions'],
      [['backend', 'timeout_overrides'], 'backend.timeout_overrides'],
    ];
    for (const [path, label] of perSheetMaps) {
      const map = valueAt(ctx.score, path);
      if (!map || typeof map !== 'object') continue;
      for (const key of Object.keys(map)) {
        const sheet = Number(key);
        if (Number.isInteger(sheet) && (sheet < 1 || sheet > total)) {
          findings.push(findingAt(ctx, 'S006', [...path, key], `${label} names sheet ${key}, but the job has ${total} sheet${total === 1 ? '' : 's'}; this entry would never apply.`, { atKey: true }));
        }
      }
    }
  }
  return findings;
}

function valueAt(data: unknown, path: string[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** S007 (a field for another backend has no effect) and S008 (a backend that cannot run). */
export function checkBackend(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const backend = ctx.score.backend;
  const type = backend.type;
  if (type === 'recursive_light') {
    findings.push(findingAt(ctx, 'S008', ['backend', 'type'], "backend.type 'recursive_light' is not supported by this version of Mozart. Use claude_cli, anthropic_api, ollama or command."));
  }
  if (type === 'command' && (typeof backend.command !== 'string' || backend.command.trim() === '')) {
    findings.push(findingAt(ctx, 'S008', ['backend', isSet(ctx, ['backend', 'type']) ? 'type' : 'command'], "backend.type 'command' needs backend.command: the shell command that plays the agent (it reads the prompt on stdin)."));
  }
  const rawBackend = ctx.raw.backend;
  if (rawBackend && typeof rawBackend === 'object') {
    for (const key of Object.keys(rawBackend)) {
      const owner = schemaAt(['backend', key])?.['x-backend'];
      if (owner && owner !== type) {
        findings.push(findingAt(ctx, 'S007', ['backend', key], `backend.${key} only applies to the ${owner} backend, but backend.type is ${type}; it has no effect. Remove it or change backend.type.`, { atKey: true }));
      }
    }
  }
  return findings;
}

/** Turns the planner's problems into findings at the keys and values they name. */
export function planFindings(ctx: CheckContext, problems: PlanProblem[]): Finding[] {
  return problems.map((problem) => {
    const finding = findingAt(ctx, problem.id, problem.path, problem.message, { atKey: problem.atKey ?? false });
    if (problem.related?.length) {
      finding.related = problem.related.map((r) => ({ file: ctx.source.file, range: ctx.source.keyRange(r.path), message: r.message }));
    }
    return finding;
  });
}
