// Validates the score's data against the JSON schema with ajv, applies the schema's defaults, and
// turns ajv's errors into findings that point at the offending key or value in the YAML text.
// The validator is compiled at build time (score-validator.generated.js), so no start pays for it.
import type { ErrorObject } from 'ajv';
import type { Finding, Fix } from './findings.js';
import { closestName } from './suggest.js';
import { alternatives, deref, propertyNames, schemaAt, scoreSchema, typesOf } from './schema-index.js';
import type { SchemaNode } from './schema-index.js';
import type { NodePath, ScoreSource } from './source.js';
import { severityOf } from './catalog.js';
import scoreValidator from './score-validator.generated.js';

/**
 * Checks `data` (mutated: defaults are filled in) and returns schema findings. Absent object
 * sections are created first so that their fields' defaults apply too.
 */
export function checkSchema(source: ScoreSource, data: Record<string, unknown>): { findings: Finding[]; usable: boolean } {
  createMissingSections(scoreSchema, data);
  const validate = scoreValidator;
  if (validate(data)) return { findings: [], usable: true };
  const errors = validate.errors ?? [];
  const findings = toFindings(source, data, errors);
  // Unknown keys are warnings (the original ignores them): drop them and look again, so a typo
  // in one key neither blocks a run nor hides every other problem in the file.
  if (!errors.every((e) => e.keyword === 'additionalProperties')) return { findings, usable: false };
  for (const error of errors) {
    const parent = valueAt(data, pathOf(error.instancePath, data));
    if (parent && typeof parent === 'object') delete (parent as Record<string, unknown>)[String(error.params.additionalProperty)];
  }
  createMissingSections(scoreSchema, data);
  return { findings, usable: validate(data) };
}

function createMissingSections(node: SchemaNode, data: Record<string, unknown>): void {
  for (const alt of alternatives(node)) {
    for (const [name, child] of Object.entries(alt.properties ?? {})) {
      const resolved = deref(child);
      if (!resolved) continue;
      const isPlainObject = resolved.type === 'object' && resolved.properties !== undefined;
      if (!isPlainObject) continue;
      // A missing required section stays missing, so it is reported as such (not as its missing fields).
      if (data[name] === undefined && resolved.default === undefined && !(alt.required ?? []).includes(name)) data[name] = {};
      const value = data[name];
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        createMissingSections(resolved, value as Record<string, unknown>);
      }
    }
  }
}

/** The path of a JSON pointer into `data`: list indexes become numbers, map keys stay text (even `2`). */
function pathOf(instancePath: string, data: unknown): (string | number)[] {
  if (instancePath === '') return [];
  const path: (string | number)[] = [];
  let current = data;
  for (const raw of instancePath.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment = Array.isArray(current) && /^\d+$/.test(part) ? Number(part) : part;
    path.push(segment);
    current = current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[segment] : undefined;
  }
  return path;
}

/** A readable dotted name for a path: `validations[2].pattern`. */
export function displayPath(path: NodePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? 'the score' : out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  null: 'empty (null)',
};

function expectedTypes(schema: SchemaNode | undefined): string {
  const words = typesOf(schema).map((t) => TYPE_WORDS[t] ?? t);
  return words.length === 0 ? 'a different value' : words.join(' or ');
}

function valueAt(data: unknown, path: NodePath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function toFindings(source: ScoreSource, data: unknown, errors: ErrorObject[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const reportedPaths = new Set<string>();
  const add = (key: string, finding: Finding, instancePath: string): void => {
    if (seen.has(key)) return;
    seen.add(key);
    reportedPaths.add(instancePath);
    findings.push(finding);
  };
  // A type error makes other errors at the same place noise (e.g. anyOf branches); report it alone.
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));

  for (const error of errors) {
    const path = pathOf(error.instancePath, data);
    const name = displayPath(path);
    switch (error.keyword) {
      case 'additionalProperties': {
        const extra = String((error.params as { additionalProperty: string }).additionalProperty);
        const keyPath = [...path, extra];
        const known = propertyNames(schemaAt(path));
        const suggestion = closestName(extra, known);
        const range = source.keyRange(keyPath);
        const fixes: Fix[] = suggestion
          ? [{ title: `Rename '${extra}' to '${suggestion}'`, safe: false, actions: [{ kind: 'edit', file: source.file, range, newText: suggestion }] }]
          : [];
        const where = path.length === 0 ? 'at the top level' : `in ${name}`;
        const hint = suggestion
          ? ` Did you mean '${suggestion}'?`
          : known.length > 0 && known.length <= 12
            ? ` Allowed keys: ${known.join(', ')}.`
            : ' Check the spelling against the documentation.';
        add(`S001:${error.instancePath}/${extra}`, {
          id: 'S001',
          severity: severityOf('S001'),
          message: `Unknown key '${extra}' ${where}.${hint}`,
          file: source.file,
          range,
          ...(fixes.length ? { fixes } : {}),
        }, error.instancePath);
        break;
      }
      case 'required': {
        const missing = String((error.params as { missingProperty: string }).missingProperty);
        const range = path.length === 0 ? source.firstContentLine() : source.keyRange(path);
        const description = schemaAt([...path, missing])?.description;
        add(`S003:${error.instancePath}/${missing}`, {
          id: 'S003',
          severity: severityOf('S003'),
          message: `Missing required field '${displayPath([...path, missing])}'${description ? ` (${lowerFirst(description)})` : ''}. Add it ${path.length === 0 ? 'at the top level' : `under ${name}`}.`,
          file: source.file,
          range,
        }, error.instancePath);
        break;
      }
      case 'type': {
        const value = valueAt(data, path);
        add(`S002:${error.instancePath}`, {
          id: 'S002',
          severity: severityOf('S002'),
          message: `${name} must be ${expectedTypes(schemaAt(path))}, but it is ${typeName(value)}.`,
          file: source.file,
          range: source.valueRange(path),
        }, error.instancePath);
        break;
      }
      case 'propertyNames':
      case 'pattern':
      case 'enum':
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
      case 'minLength':
      case 'maxLength':
      case 'minItems':
      case 'const': {
        if (typeErrorPaths.has(error.instancePath)) break;
        const finding = valueFinding(source, data, error, path);
        if (finding) add(`S005:${error.instancePath}:${error.keyword}`, finding, error.instancePath);
        break;
      }
      default:
        // anyOf/oneOf: their member errors say more; speak only when nothing else covered the path.
        if (!reportedPaths.has(error.instancePath)) {
          add(`S005:${error.instancePath}:${error.keyword}`, {
            id: 'S005',
            severity: severityOf('S005'),
            message: `${name} has a value that is not allowed: ${error.message ?? 'check the documentation'}.`,
            file: source.file,
            range: source.valueRange(path),
          }, error.instancePath);
        }
    }
  }
  return findings;
}

function valueFinding(source: ScoreSource, data: unknown, error: ErrorObject, path: (string | number)[]): Finding | undefined {
  const name = displayPath(path);
  const schema = schemaAt(path);
  const value = valueAt(data, path);
  const params = error.params as Record<string, unknown>;
  let message: string;
  let range = source.valueRange(path);
  const fixes: Fix[] = [];
  switch (error.keyword) {
    case 'propertyNames': {
      const badKey = String(params.propertyName);
      range = source.keyRange([...path, badKey]);
      message = `Key '${badKey}' in ${name} must be a sheet or stage number (1, 2, 3, …).`;
      break;
    }
    case 'enum': {
      const allowed = (schema?.enum ?? (params.allowedValues as unknown[]) ?? []).map(String);
      const suggestion = typeof value === 'string' ? closestName(value, allowed) : undefined;
      message = `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; '${String(value)}' is not one of them.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`;
      if (suggestion) {
        fixes.push({ title: `Change to '${suggestion}'`, safe: false, actions: [{ kind: 'edit', file: source.file, range, newText: suggestion }] });
      }
      break;
    }
    case 'pattern':
      // Ajv reports propertyNames failures as a pattern error on the map itself with a propertyName param.
      if (params.propertyName !== undefined || error.propertyName !== undefined) return undefined;
      message = `${name} must match the pattern ${String(params.pattern)}; '${String(value)}' does not.`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = {
        minimum: 'at least',
        maximum: 'at most',
        exclusiveMinimum: 'greater than',
        exclusiveMaximum: 'less than',
      };
      message = `${name} must be ${words[error.keyword]} ${String(params.limit)}; it is ${String(value)}.`;
      break;
    }
    case 'minLength':
      message = `${name} must not be empty.`;
      break;
    case 'maxLength':
      message = `${name} must be at most ${String(params.limit)} characters long.`;
      break;
    case 'minItems':
      message = `${name} must have at least ${String(params.limit)} entries.`;
      break;
    default:
      message = `${name}: ${error.message ?? 'value not allowed'}.`;
  }
  return { id: 'S005', severity: severityOf('S005'), message, file: source.file, range, ...(fixes.length ? { fixes } : {}) };
}

function lowerFirst(text: string): string {
  const first = text.split(/(?<=\.)\s/)[0] ?? text;
  return first.charAt(0).toLowerCase() + first.slice(1).replace(/\.$/, '');
}
