// `mozart config show|set|path|init|check`: the conductor config file ($MOZART_HOME/conductor.yaml,
// or -c FILE). `show` asks the running conductor for its settings (else works them out as a
// conductor started now would); `set` edits the file keeping its comments, checks it, and has the
// running conductor re-read it; `init` writes a commented starter file; `check` validates it.
import { chmodSync, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMap, parse, parseDocument } from 'yaml';
import type { ConductorConfigReport, ConductorSetting } from '../../../protocol/src/methods.js';
import { socketPath } from '../../../protocol/src/paths.js';
import { checkConductorConfig, formatConfigFinding, schemaOfKey } from '../../../score/src/conductor-config.js';
import type { ConfigSchemaNode } from '../../../score/src/conductor-config.js';
import { effectiveSettings, showValue } from '../../../score/src/conductor-settings.js';
import type { Finding } from '../../../score/src/findings.js';
import { closestName } from '../../../score/src/suggest.js';
import { connectConductor, NoConductorError } from '../conductor.js';
import { readConfig, socketFromConfig } from '../config-file.js';
import { EXIT } from '../output.js';
import { configKeys, starterConfig } from './config-init.js';
import { c, print } from './follow.js';

export const CONFIG_SUBCOMMANDS = ['show', 'set', 'path', 'init', 'check'] as const;

export interface ConfigArgs {
  sub: string;
  positionals: string[];
  /** -c FILE: another config file. */
  file?: string;
  socket?: string;
  json: boolean;
  force: boolean;
}

export async function configCommand(args: ConfigArgs): Promise<number> {
  switch (args.sub) {
    case 'path':
      return pathCommand(args);
    case 'check':
      return checkCommand(args);
    case 'init':
      return initCommand(args);
    case 'show':
      return showCommand(args);
    case 'set':
      return setCommand(args);
    default:
      process.stderr.write(`mozart: config takes one of ${CONFIG_SUBCOMMANDS.join(', ')} (got '${args.sub}').\nRun 'mozart --help' for usage.\n`);
      return EXIT.unusable;
  }
}

function pathCommand(args: ConfigArgs): number {
  const read = readConfig(args.file);
  if (args.json) print(JSON.stringify({ path: read.path, exists: read.exists }, null, 2));
  else print(`${read.path}  (${read.exists ? 'exists' : "not created; 'mozart config init' writes one"})`);
  return EXIT.ok;
}

const printFindings = (findings: readonly Finding[]): void => {
  for (const finding of findings) process.stderr.write(`${(finding.severity === 'error' ? c.red : c.yellow)(formatConfigFinding(finding))}\n`);
};

function checkCommand(args: ConfigArgs): number {
  const read = readConfig(args.file);
  if (!read.exists || !read.check) {
    process.stderr.write(`mozart config check: ${read.path} does not exist (the defaults apply; 'mozart config init' writes a starter file).\n`);
    return EXIT.unusable;
  }
  const { findings } = read.check;
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (args.json) print(JSON.stringify({ path: read.path, valid: errors === 0, findings }, null, 2));
  else {
    printFindings(findings);
    // Variables that could not be used are worth knowing here too; they never make the file invalid.
    const problems = read.check.data ? effectiveSettings({ env: process.env, defaults: { socketPath: socketPath() }, file: { path: read.path, data: read.check.data } }).problems : [];
    for (const problem of problems) process.stderr.write(`${c.yellow(`warning: ${problem.message}`)}\n`);
    print(errors === 0 ? `${read.path}: valid${findings.length > 0 ? ` (${findings.length} warning${findings.length === 1 ? '' : 's'})` : ''}` : `${read.path}: ${errors} error${errors === 1 ? '' : 's'}; the conductor does not start with it (a running one keeps its settings on reload)`);
  }
  return errors === 0 ? EXIT.ok : EXIT.failure;
}

function initCommand(args: ConfigArgs): number {
  const read = readConfig(args.file);
  if (read.exists && !args.force) {
    process.stderr.write(`mozart config init: ${read.path} already exists; it was left as it is (--force overwrites it).\n`);
    return EXIT.failure;
  }
  writeAtomically(read.path, starterConfig());
  print(`Wrote ${read.path}: every setting with its default and what it does. 'mozart config show' prints what is in effect.`);
  return EXIT.ok;
}

/** The running conductor's settings, or undefined when none answers on `socket`. */
async function liveReport(socket: string | undefined): Promise<ConductorConfigReport | undefined> {
  let client;
  try {
    client = await connectConductor(socket);
  } catch (error) {
    if (error instanceof NoConductorError) return undefined;
    throw error;
  }
  try {
    return await client.request('daemon.config', {});
  } finally {
    client.close();
  }
}

async function showCommand(args: ConfigArgs): Promise<number> {
  const socket = socketFromConfig(args.socket, args.file);
  const live = await liveReport(socket);
  let report: ConductorConfigReport;
  if (live) {
    report = live;
    // The file may have changed since the conductor read it: errors in it now are worth saying.
    const now = readConfig(live.file);
    const errors = now.check?.findings.filter((f) => f.severity === 'error') ?? [];
    if (errors.length > 0) report = { ...live, notes: [...live.notes, ...errors.map(formatConfigFinding), `${live.file} has errors now: the conductor keeps the settings above (a reload refuses the file).`] };
  } else {
    const read = readConfig(args.file);
    const errors = read.check?.findings.filter((f) => f.severity === 'error') ?? [];
    if (errors.length > 0) {
      printFindings(errors);
      process.stderr.write(`mozart config show: ${read.path} has errors; a conductor would not start with it.\n`);
      return EXIT.failure;
    }
    const data = read.check?.data;
    const resolved = effectiveSettings({ env: process.env, defaults: { socketPath: socketPath(undefined, { ...process.env, MOZART_SOCKET: undefined }) }, ...(data ? { file: { path: read.path, data, lines: read.check?.lines ?? new Map() } } : {}) });
    report = {
      file: read.path,
      exists: read.exists,
      settings: resolved.settings.map((s) => ({ key: s.key, value: s.value, shown: showValue(s), source: s.source, ...(s.origin ? { origin: s.origin } : {}), applies: s.applies })),
      notes: [...(read.check?.findings ?? []).map(formatConfigFinding), ...resolved.problems.map((p) => p.message)],
      loadedAt: new Date().toISOString(),
    };
  }
  if (args.json) {
    print(JSON.stringify({ live: live !== undefined, ...report }, null, 2));
    return EXIT.ok;
  }
  print(live ? `Conductor settings, live from the running conductor (file ${report.file}${report.exists ? '' : ', not created'}, read ${report.loadedAt}):` : `No conductor is running; a conductor started now would use (file ${report.file}${report.exists ? '' : ', not created'}):`);
  const rows = report.settings.map((s) => [s.key, s.shown, sourceText(s), APPLIES[s.applies]] as const);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length), ['KEY', 'VALUE', 'SOURCE'][i]?.length ?? 0));
  const pad = (text: string, i: number) => text.padEnd(widths[i] ?? 0);
  print(c.bold(`  ${pad('KEY', 0)}  ${pad('VALUE', 1)}  ${pad('SOURCE', 2)}  CHANGES`));
  for (const row of rows) print(`  ${pad(row[0], 0)}  ${pad(row[1], 1)}  ${(row[2] === 'default' ? c.dim : (t: string) => t)(pad(row[2], 2))}  ${c.dim(row[3])}`);
  for (const note of report.notes) print(c.yellow(`  ${note}`));
  return EXIT.ok;
}

const APPLIES: Record<ConductorSetting['applies'], string> = { now: 'apply at once', 'new-jobs': 'apply to new jobs', restart: 'after a restart' };

function sourceText(setting: ConductorSetting): string {
  if (setting.source === 'default') return 'default';
  if (setting.source === 'file') return `file${setting.origin ? ` (line ${setting.origin.slice(setting.origin.lastIndexOf(':') + 1)})` : ''}`;
  return `${setting.source} ${setting.origin ?? ''}`.trim();
}

/** A value typed on the command line, as the schema wants it: text stays text; lists and mappings are YAML. */
export function coerceValue(raw: string, node: ConfigSchemaNode): unknown {
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  if (types.length === 1 && types[0] === 'string') return raw;
  const lower = raw.toLowerCase();
  if (types.includes('boolean') && ['true', 'yes', 'on'].includes(lower)) return true;
  if (types.includes('boolean') && ['false', 'no', 'off'].includes(lower)) return false;
  if (['null', 'none', '~'].includes(lower) && types.includes('null')) return null;
  if ((types.includes('integer') || types.includes('number')) && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  if (types.includes('array') || types.includes('object')) return parse(raw) as unknown;
  return raw;
}

async function setCommand(args: ConfigArgs): Promise<number> {
  if (args.positionals.length !== 2) {
    process.stderr.write("mozart: config set takes a KEY and a VALUE, e.g. 'mozart config set max_concurrent_jobs 4'.\nRun 'mozart --help' for usage.\n");
    return EXIT.unusable;
  }
  const [key, raw] = args.positionals as [string, string];
  const node = schemaOfKey(key);
  if (!node || (node.properties && node.type === 'object' && key !== 'observer')) {
    const guess = closestName(key, configKeys());
    process.stderr.write(`mozart config set: '${key}' is not a setting${guess ? `; did you mean '${guess}'?` : ''} ('mozart config show' lists them).\n`);
    return EXIT.failure;
  }
  let value: unknown;
  try {
    value = coerceValue(raw, node);
  } catch (error) {
    process.stderr.write(`mozart config set: ${key}: the value is not YAML: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  // The socket is found before the file changes: a new socket.path is not where the conductor is yet.
  const socket = socketFromConfig(args.socket, args.file);
  const read = readConfig(args.file);
  const doc = parseDocument(read.text ?? '');
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents))) {
    printFindings(read.check?.findings.filter((f) => f.severity === 'error') ?? []);
    process.stderr.write(`mozart config set: ${read.path} must parse as a mapping before it can be edited; it was left as it is.\n`);
    return EXIT.failure;
  }
  if (!read.exists) doc.commentBefore = ' Mozart conductor settings (mozart config set wrote this file; `mozart config init` writes one with every setting explained).';
  doc.setIn(key.split('.'), value);
  const text = doc.toString();
  const check = checkConductorConfig(read.path, text);
  const errors = check.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    printFindings(errors);
    process.stderr.write(`mozart config set: ${key} was not set: the file would be invalid (positions are in the file as it would be); ${read.path} was left as it is.\n`);
    return EXIT.failure;
  }
  writeAtomically(read.path, text);
  print(`Set ${key} = ${showValue({ value, source: 'file' })} in ${read.path}`);
  if (node['x-inactive']) print(c.yellow(`  ${key} has no effect in this version: ${node['x-inactive']}.`));
  return tellConductor(socket, read.path);
}

/** Has the running conductor re-read the file, and says what became of each change. */
async function tellConductor(socket: string | undefined, path: string): Promise<number> {
  let client;
  try {
    client = await connectConductor(socket);
  } catch (error) {
    if (!(error instanceof NoConductorError)) throw error;
    print(`No conductor is running on ${socketPath(socket)}; the next one started reads the file.`);
    return EXIT.ok;
  }
  try {
    const current = await client.request('daemon.config', {});
    if (current.file !== path) {
      print(c.yellow(`The running conductor reads ${current.file}, not ${path}: it was not asked to reload.`));
      return EXIT.ok;
    }
    const result = await client.request('daemon.reloadConfig', {});
    if (result.changes.length === 0) print('The running conductor re-read the file; nothing it uses changed.');
    for (const change of result.changes) {
      const effect = change.effect === 'applied' ? 'applied now' : change.effect === 'new-jobs' ? 'applies to jobs started from now on' : change.effect === 'restart' ? `takes effect after restart${change.key === 'socket.path' ? ` ('mozart stop --socket ${change.from}', then 'mozart start')` : " ('mozart restart')"}` : `not applied: ${change.by} overrides the file`;
      print(`  ${change.key}: ${change.from} → ${change.to} — ${effect}`);
    }
    return EXIT.ok;
  } finally {
    client.close();
  }
}

/** Writes through a temporary file renamed over the old one, keeping its mode (0600 for a new file). */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o600;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}
