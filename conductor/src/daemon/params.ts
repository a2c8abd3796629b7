// Checks a request's params against its method's schema (protocol/src/param-schemas.ts, compiled
// at build time) and says what is wrong in words that name the field.
import type { ErrorObject } from 'ajv';
import { PARAM_SCHEMAS } from '../../../protocol/src/param-schemas.js';
import type { Method, Params } from '../../../protocol/src/methods.js';
import validators from './param-validators.generated.js';

export type ParamCheck<M extends Method> = { ok: true; params: Params<M> } | { ok: false; message: string };

/** The JSON schema of one param, as far as the messages need it. */
interface FieldSchema {
  type?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  items?: { enum?: readonly string[] };
}

/**
 * Checks `raw` (a request's `params` member) for `method`. Omitted params and `[]` mean none; a
 * param sent as null means "not given" and is dropped, so a handler never sees null.
 */
export function checkParams<M extends Method>(method: M, raw: unknown): ParamCheck<M> {
  let params: unknown = raw === undefined || (Array.isArray(raw) && raw.length === 0) ? {} : raw;
  if (Array.isArray(params)) return { ok: false, message: `Invalid params: '${method}' takes its params by name, as an object, not as a list.` };
  if (typeof params !== 'object' || params === null) return { ok: false, message: 'Invalid params: params must be an object (or left out).' };
  params = withoutNulls(params as Record<string, unknown>);
  const validate = validators[method];
  if (validate(params)) return { ok: true, params: params as Params<M> };
  return { ok: false, message: paramErrorMessage(method, validate.errors?.[0]) };
}

/** The message for ajv's first error on a method's params. */
export function paramErrorMessage(method: Method, error: ErrorObject | undefined): string {
  const schema = PARAM_SCHEMAS[method] as { properties?: Record<string, FieldSchema> };
  const properties = schema.properties ?? {};
  if (!error) return `Invalid params for '${method}'.`;
  if (error.keyword === 'required') {
    const field = String((error.params as { missingProperty: string }).missingProperty);
    return `Invalid params: '${field}' is required (${describe(properties[field])}).`;
  }
  if (error.keyword === 'additionalProperties') {
    const field = String((error.params as { additionalProperty: string }).additionalProperty);
    const takes = Object.keys(properties);
    return `Invalid params: '${field}' is not a parameter of '${method}' (${takes.length ? `it takes ${takes.map((t) => `'${t}'`).join(', ')}` : 'it takes none'}).`;
  }
  const field = error.instancePath.split('/')[1] ?? '';
  return `Invalid params: '${field}' must be ${describe(properties[field])}.`;
}

/** A param's schema in words: "a non-empty string", "an integer ≥ 1", … */
export function describe(schema: FieldSchema | undefined): string {
  switch (schema?.type) {
    case 'string':
      if (schema.enum) return `one of ${schema.enum.join(', ')}`;
      if (schema.minLength && schema.minLength > 1) return `a string of at least ${schema.minLength} characters`;
      return schema.minLength ? 'a non-empty string' : 'a string';
    case 'integer':
      if (schema.minimum !== undefined && schema.maximum !== undefined) return `an integer from ${schema.minimum} to ${schema.maximum}`;
      return schema.minimum !== undefined ? `an integer ≥ ${schema.minimum}` : 'an integer';
    case 'number':
      return schema.minimum !== undefined && schema.maximum !== undefined ? `a number from ${schema.minimum} to ${schema.maximum}` : 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return schema.items?.enum ? `a list of ${schema.items.enum.join(', ')}` : 'a list';
    default:
      return 'valid';
  }
}

/** The object without its null-valued members (the same object when it has none). */
function withoutNulls(params: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in params) {
    if (params[key] !== null) continue;
    copy ??= { ...params };
    delete copy[key];
  }
  return copy ?? params;
}
