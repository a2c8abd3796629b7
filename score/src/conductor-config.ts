// The conductor config file ($MOZART_HOME/conductor.yaml): parsed with the score engine's YAML
// source (so every problem has its file:line:col), checked by the validator generated at build time
// from schemas/conductor.schema.json (nothing is compiled when a program starts), and the keys the
// schema marks x-inactive reported as having no effect. Read by the conductor and the CLI alike.
import type { ErrorObject } from 'ajv';
import conductorSchemaJson from '../../schemas/conductor.schema.json';
import validateConductorConfig from './conductor-config-validator.generated.js';
import type { Finding, Range } from './findings.js';
import { ScoreSource } from './source.js';
import type { NodePath } from './source.js';
import { closestName } from './suggest.js';

/** One node of the conductor schema, as far as messages and `config set` need it. */
export interface ConfigSchemaNode {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  properties?: Record<string, ConfigSchemaNode>;
  items?: ConfigSchemaNode;
  'x-inactive'?: string;
}

export const conductorSchema = conductorSchemaJson as unknown as ConfigSchemaNode;

/** Finding ids: C001 YAML syntax, C002 a value the schema refuses, C003 a key with no effect. */
export const CONFIG_IDS = { syntax: 'C001', schema: 'C002', inactive: 'C003' } as const;

/** The file's data when it is valid (plain YAML data, nothing filled in). */
export type ConductorConfigData = Record<string, unknown>;

export interface ConductorConfigCheck {
  /** The data, when the file parses and matches the schema. */
  data?: ConductorConfigData;
  /** Errors (C001, C002) and warnings for keys with no effect (C003), in file order. */
  findings: Finding[];
  /** Where each key's value is written, for `config show`: dotted key → 1-based line. */
  lines: Map<string, number>;
}

/** The schema node of a dotted key (`socket.path`), or undefined for a key the schema lacks. */
export function schemaOfKey(key: string): ConfigSchemaNode | undefined {
  let node: ConfigSchemaNode | undefined = conductorSchema;
  for (const part of key.split('.')) node = node?.properties?.[part];
  return node;
}

/** Checks a config file's text; `file` is used in the findings. */
export function checkConductorConfig(file: string, text: string): ConductorConfigCheck {
  const source = new ScoreSource(file, text);
  const lines = new Map<string, number>();
  if (source.problems.length > 0) {
    return { findings: source.problems.map((p) => ({ id: CONFIG_IDS.syntax, severity: 'error', message: p.message, file, range: p.range })), lines };
  }
  const data = source.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { findings: [{ id: CONFIG_IDS.schema, severity: 'error', message: 'The conductor config must be a mapping of settings (key: value), like the one `mozart config init` writes.', file, range: source.firstContentLine() }], lines };
  }
  recordLines(source, data as Record<string, unknown>, [], lines);
  const findings: Finding[] = [];
  if (!validateConductorConfig(data)) {
    for (const error of validateConductorConfig.errors ?? []) findings.push(schemaFinding(source, data as Record<string, unknown>, error));
  }
  findings.push(...inactiveFindings(source, data as Record<string, unknown>));
  findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const valid = findings.every((f) => f.severity !== 'error');
  return { ...(valid ? { data: data as ConductorConfigData } : {}), findings, lines };
}

/** `file:line:col: severity ID message`, positions counted from 1. */
export function formatConfigFinding(finding: Finding): string {
  const { line, character } = finding.range.start;
  return `${finding.file}:${line + 1}:${character + 1}: ${finding.severity} ${finding.id} ${finding.message}`;
}

function recordLines(source: ScoreSource, data: Record<string, unknown>, path: string[], lines: Map<string, number>): void {
  for (const [key, value] of Object.entries(data)) {
    const here = [...path, key];
    lines.set(here.join('.'), source.keyRange(here).start.line + 1);
    const node = schemaOfKey(here.join('.'));
    if (node?.properties && value && typeof value === 'object' && !Array.isArray(value)) recordLines(source, value as Record<string, unknown>, here, lines);
  }
}

function pathOf(pointer: string): NodePath {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function dotted(path: NodePath): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out;
}

const TYPE_WORDS: Record<string, string> = { integer: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false', object: 'a mapping', array: 'a list', null: 'null' };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function schemaFinding(source: ScoreSource, data: Record<string, unknown>, error: ErrorObject): Finding {
  const path = pathOf(error.instancePath);
  const name = dotted(path) || 'the file';
  const at = (range: Range, message: string): Finding => ({ id: CONFIG_IDS.schema, severity: 'error', message, file: source.file, range });
  let value: unknown = data;
  for (const segment of path) value = (value as Record<string | number, unknown> | undefined)?.[segment];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((path.length === 0 ? conductorSchema : (schemaOfKey(path.filter((p) => typeof p === 'string').join('.')) ?? {})).properties ?? {});
      const guess = closestName(key, known);
      const where = path.length === 0 ? 'a conductor setting' : `a key of ${name}`;
      return at(source.keyRange([...path, key]), `'${key}' is not ${where}${guess ? `; did you mean '${guess}'?` : ''} (the keys are listed by 'mozart config show').`);
    }
    case 'enum':
      return at(source.valueRange(path), `${name} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (it is ${describe(value)}).`);
    case 'type':
      return at(source.valueRange(path), `${name} must be ${String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ')} (it is ${describe(value)}).`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return at(source.valueRange(path), `${name} must be ${error.keyword === 'minimum' ? '≥' : error.keyword === 'maximum' ? '≤' : '>'} ${String(params.limit)} (it is ${describe(value)}).`);
    case 'minLength':
      return at(source.valueRange(path), `${name} must not be empty.`);
    case 'required':
      return at(source.valueRange(path), `${name} needs '${String(params.missingProperty)}'.`);
    default:
      return at(source.valueRange(path), `${name} ${error.message ?? 'is not valid'}.`);
  }
}

/** A warning for each key the schema marks x-inactive: accepted, with no effect in this version. */
function inactiveFindings(source: ScoreSource, data: Record<string, unknown>, node: ConfigSchemaNode = conductorSchema, path: string[] = []): Finding[] {
  const out: Finding[] = [];
  for (const [key, value] of Object.entries(data)) {
    const child = node.properties?.[key];
    if (!child) continue;
    const here = [...path, key];
    if (child['x-inactive']) {
      out.push({ id: CONFIG_IDS.inactive, severity: 'warning', message: `${here.join('.')} has no effect in this version: ${child['x-inactive']}.`, file: source.file, range: source.keyRange(here) });
    } else if (child.properties && value && typeof value === 'object' && !Array.isArray(value)) {
      out.push(...inactiveFindings(source, value as Record<string, unknown>, child, here));
    }
  }
  return out;
}
