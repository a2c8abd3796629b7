// The learning commands (`patterns-list`, `patterns-why`, `patterns-entropy`, `patterns-budget`,
// `learning-stats`, `learning-insights`, `learning-drift`, `learning-epistemic-drift`,
// `learning-activity`, `entropy-status`) with the original's options — including its short flags,
// which differ from the other commands' (`-h` is --hours in learning-activity, `-j` is --job in
// patterns-budget) — parsed here, in one place. They ask the conductor, which owns the store.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { ConductorClient } from '../../../protocol/src/client.js';
import { EXIT } from '../output.js';
import { print } from './follow.js';
import { withClient } from './jobs.js';
import * as out from './learning-output.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface LearningCommand {
  usage: string;
  options: Options;
  positional?: 'optional';
  run(client: ConductorClient, v: Values, positional: string | undefined): Promise<void>;
}

const json = { json: { type: 'boolean', short: 'j' } } as const;
const jsonLong = { json: { type: 'boolean' } } as const;

/** A number option within [min, max], or a usage error. */
function number(v: Values, name: string, fallback: number, min: number, max: number, integer = false): number {
  const raw = v[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max} (got '${String(raw)}')`);
  return n;
}

/** Bad usage of a learning command (exit 2). */
export class UsageError extends Error {}

const show = (v: Values, data: unknown, text: () => string[]): void => print(v.json ? JSON.stringify(data, null, 2) : text().join('\n'));

export const LEARNING_COMMANDS: Readonly<Record<string, LearningCommand>> = {
  'patterns-list': {
    usage: 'patterns-list [--min-priority P] [--limit N] [--quarantined] [--high-trust] [--low-trust] [--json]',
    options: { global: { type: 'boolean', short: 'g' }, local: { type: 'boolean', short: 'l' }, 'min-priority': { type: 'string', short: 'p' }, limit: { type: 'string', short: 'n' }, quarantined: { type: 'boolean', short: 'q' }, 'high-trust': { type: 'boolean' }, 'low-trust': { type: 'boolean' }, ...json },
    async run(client, v) {
      const patterns = await client.request('learning.patterns', {
        minPriority: number(v, 'min-priority', 0, 0, 1),
        limit: number(v, 'limit', 20, 1, 100_000, true),
        ...(v.quarantined ? { status: 'quarantined' as const } : {}),
        ...(v['high-trust'] ? { minTrust: 0.7 } : {}),
        ...(v['low-trust'] ? { maxTrust: 0.3 } : {}),
      });
      show(v, patterns.map(out.patternJson), () => out.patternsText(patterns));
    },
  },
  'patterns-why': {
    usage: 'patterns-why [PATTERN_ID] [--min-obs N] [--limit N] [--json]',
    options: { 'min-obs': { type: 'string', short: 'm' }, limit: { type: 'string', short: 'n' }, ...json },
    positional: 'optional',
    async run(client, v, id) {
      const results = await client.request('learning.why', { ...(id ? { id } : {}), minObservations: number(v, 'min-obs', 1, 0, 1_000_000, true), limit: number(v, 'limit', 10, 1, 100_000, true) });
      const minObs = number(v, 'min-obs', 1, 0, 1_000_000, true);
      if (id) show(v, out.whyJson(results[0]), () => out.whyText(results[0]));
      else show(v, results.map((w) => ({ pattern_id: w.pattern.id, pattern_name: w.pattern.name, analysis: out.whyJson(w) })), () => out.whyListText(results, minObs));
    },
  },
  'patterns-entropy': {
    usage: 'patterns-entropy [--threshold T] [--history] [--limit N] [--record] [--json]',
    options: { threshold: { type: 'string', short: 't' }, history: { type: 'boolean', short: 'H' }, limit: { type: 'string', short: 'n' }, record: { type: 'boolean', short: 'r' }, ...json },
    async run(client, v) {
      const threshold = number(v, 'threshold', 0.5, 0, 1);
      const r = await client.request('learning.entropy', { threshold, history: v.history === true, limit: number(v, 'limit', 20, 1, 100_000, true), record: v.record === true });
      if (v.history) show(v, r.history.map(out.entropyJson), () => out.entropyHistoryText(r.history, threshold));
      else show(v, { ...out.entropyJson(r.current), alert_threshold: threshold }, () => out.entropyText(r.current, threshold, r.recorded));
    },
  },
  'patterns-budget': {
    usage: 'patterns-budget [--job JOB] [--history] [--limit N] [--json]',
    options: { job: { type: 'string', short: 'j' }, history: { type: 'boolean', short: 'H' }, limit: { type: 'string', short: 'n' }, ...jsonLong },
    async run(client, v) {
      const r = await client.request('learning.budget', { ...(typeof v.job === 'string' ? { job: v.job } : {}), limit: number(v, 'limit', 20, 1, 100_000, true) });
      if (v.history) show(v, r.history.map(out.budgetJson), () => out.budgetHistoryText(r.history));
      else show(v, out.budgetReportJson(r), () => out.budgetText(r));
    },
  },
  'learning-stats': {
    usage: 'learning-stats [--json]',
    options: { ...json },
    async run(client, v) {
      const s = await client.request('learning.stats', {});
      show(v, out.statsJson(s), () => out.statsText(s));
    },
  },
  'learning-insights': {
    usage: 'learning-insights [--limit N] [--pattern-type TYPE] [--json]',
    options: { limit: { type: 'string' }, 'pattern-type': { type: 'string' }, ...json },
    async run(client, v) {
      const kind = v['pattern-type'];
      if (kind !== undefined && !out.isPatternKind(kind)) throw new UsageError(`--pattern-type must be one of ${out.KINDS.join(', ')} (got '${String(kind)}')`);
      const patterns = await client.request('learning.patterns', { limit: number(v, 'limit', 10, 1, 100_000, true), ...(kind ? { kind } : {}) });
      show(v, patterns.map(out.patternJson), () => out.insightsText(patterns));
    },
  },
  'learning-drift': {
    usage: 'learning-drift [--threshold T] [--window N] [--limit N] [--summary] [--json]',
    options: { threshold: { type: 'string', short: 't' }, window: { type: 'string', short: 'w' }, limit: { type: 'string', short: 'l' }, summary: { type: 'boolean', short: 's' }, ...json },
    async run(client, v) {
      const r = await client.request('learning.drift', { threshold: number(v, 'threshold', 0.2, 0, 1), window: number(v, 'window', 5, 1, 25, true), limit: number(v, 'limit', 10, 1, 100_000, true) });
      if (v.summary) show(v, out.driftSummaryJson(r), () => out.driftSummaryText(r));
      else show(v, out.driftJson(r), () => out.driftText(r));
    },
  },
  'learning-epistemic-drift': {
    usage: 'learning-epistemic-drift [--threshold T] [--window N] [--limit N] [--summary] [--json]',
    options: { threshold: { type: 'string', short: 't' }, window: { type: 'string', short: 'w' }, limit: { type: 'string', short: 'l' }, summary: { type: 'boolean', short: 's' }, ...json },
    async run(client, v) {
      const r = await client.request('learning.epistemicDrift', { threshold: number(v, 'threshold', 0.15, 0, 1), window: number(v, 'window', 5, 1, 25, true), limit: number(v, 'limit', 10, 1, 100_000, true) });
      if (v.summary) show(v, out.epistemicSummaryJson(r), () => out.epistemicSummaryText(r));
      else show(v, out.epistemicJson(r), () => out.epistemicText(r));
    },
  },
  'learning-activity': {
    usage: 'learning-activity [--hours N] [--json]',
    options: { hours: { type: 'string', short: 'h' }, ...json },
    async run(client, v) {
      const a = await client.request('learning.activity', { hours: number(v, 'hours', 24, 1, 24 * 31, true) });
      show(v, out.activityJson(a), () => out.activityText(a));
    },
  },
  'entropy-status': {
    usage: 'entropy-status [--job JOB] [--history] [--limit N] [--check] [--json]',
    options: { job: { type: 'string', short: 'j' }, history: { type: 'boolean', short: 'H' }, limit: { type: 'string', short: 'n' }, check: { type: 'boolean', short: 'c' }, ...jsonLong },
    async run(client, v) {
      const r = await client.request('learning.entropyStatus', { ...(typeof v.job === 'string' ? { job: v.job } : {}), limit: number(v, 'limit', 20, 1, 100_000, true), check: v.check === true });
      if (v.check && r.check) show(v, { needs_response: r.check.needed, current_entropy: r.check.entropy ?? null, reason: r.check.reason }, () => out.entropyCheckText(r.check as NonNullable<typeof r.check>));
      else if (v.history) show(v, r.history.map(out.responseJson), () => out.responseHistoryText(r.history));
      else show(v, out.entropyStatusJson(r), () => out.entropyStatusText(r));
    },
  },
};

/** Runs a learning command; resolves to its exit code. Connection failures are left to the caller. */
export async function learningCommand(name: string, args: string[], socket: string | undefined): Promise<number> {
  const command = LEARNING_COMMANDS[name];
  if (!command) throw new Error(`not a learning command: ${name}`);
  const options: Options = { ...command.options, socket: { type: 'string' }, help: { type: 'boolean' } };
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    return usage(`${(error as Error).message}\nUsage: mozart ${command.usage}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    print(learningHelp(command));
    return EXIT.ok;
  }
  // Said before the conductor is asked, so it is said even when none answers.
  if (name === 'patterns-list' && values.local) process.stderr.write('mozart: --local has no effect in this version: one learning store per user serves every workspace, so the global patterns are shown.\n');
  if (positionals.length > (command.positional ? 1 : 0)) return usage(`${name} takes ${command.positional ? 'at most one pattern id' : 'no arguments'}\nUsage: mozart ${command.usage}`);
  try {
    await withClient(typeof values.socket === 'string' ? values.socket : socket, (client) => command.run(client, values, positionals[0]));
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    throw error;
  }
  return EXIT.ok;
}

/** `--help`: the usage line and every option with its short form (the original's letters). */
function learningHelp(command: LearningCommand): string {
  const lines = Object.entries(command.options).map(([name, o]) => `  ${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}${name === 'local' ? '  no effect here: one learning store per user serves every workspace' : ''}`);
  return [`Usage: mozart ${command.usage}`, '', 'Options:', ...lines, '      --socket PATH', '      --help'].join('\n');
}

function usage(message: string): number {
  process.stderr.write(`mozart: ${message}\n`);
  return EXIT.unusable;
}
