// Each method's params as a JSON schema: the contract the conductor checks a request against
// before its handler runs. `JSONSchemaType<Params<M>>` ties each schema to the TypeScript type in
// methods.ts, so the two cannot drift apart (a new field, a changed type or a required field left
// out of either fails to compile). Data only: the conductor checks with validators generated from
// these at build time (scripts/gen-param-validators.ts); nothing here loads ajv.
import type { JSONSchemaType } from 'ajv';
import type { JobStatus } from './job-state.js';
import type { Method, Params } from './methods.js';
import { LEARNING_PARAM_SCHEMAS } from './learning-schemas.js';

/** Every job status, for `job.clear`'s `statuses`. */
export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'paused', 'cancelled'] as const satisfies readonly JobStatus[];
// A status added to JobStatus but not listed above fails here.
const everyStatusListed: Exclude<JobStatus, (typeof JOB_STATUSES)[number]> extends never ? true : never = true;
void everyStatusListed;

// Optional params are `nullable`: a client may send null for "not given" (the server drops it).
const jobId = { type: 'string', minLength: 1 } as const;
const optionalJobId = { type: 'string', minLength: 1, nullable: true } as const;
const optionalText = { type: 'string', minLength: 1, nullable: true } as const;
const flag = { type: 'boolean', nullable: true } as const;
const sheetNumber = { type: 'integer', minimum: 1, nullable: true } as const;

const noParams = { type: 'object', required: [], additionalProperties: false } as const;
const onlyJobId = { type: 'object', properties: { jobId }, required: ['jobId'], additionalProperties: false } as const;

export const PARAM_SCHEMAS: { [M in Method]: JSONSchemaType<Params<M>> } = {
  'daemon.status': noParams,
  'daemon.shutdown': noParams,
  'daemon.health': noParams,
  'daemon.config': noParams,
  'daemon.reloadConfig': noParams,
  'job.submit': {
    type: 'object',
    properties: { scoreFile: { type: 'string', minLength: 1 }, fresh: flag, startSheet: sheetNumber, selfHealing: flag, autoConfirm: flag, workspace: optionalText },
    required: ['scoreFile'],
    additionalProperties: false,
  },
  'job.status': onlyJobId,
  'job.list': { type: 'object', properties: { all: flag }, required: [], additionalProperties: false },
  'job.pause': onlyJobId,
  'job.resume': {
    type: 'object',
    // force: a completed job runs its last sheet again (the original's `resume --force`).
    properties: { jobId, scoreFile: optionalText, selfHealing: flag, autoConfirm: flag, force: flag },
    required: ['jobId'],
    additionalProperties: false,
  },
  'job.cancel': onlyJobId,
  'job.diagnose': onlyJobId,
  'job.errors': { type: 'object', properties: { jobId, sheet: sheetNumber }, required: ['jobId'], additionalProperties: false },
  'job.logs': {
    type: 'object',
    // A negative offset counts from the end of the log.
    properties: { jobId, sheet: sheetNumber, offset: { type: 'integer', nullable: true }, maxBytes: { type: 'integer', minimum: 1, nullable: true } },
    required: ['jobId'],
    additionalProperties: false,
  },
  'job.clear': {
    type: 'object',
    properties: { jobId: optionalJobId, statuses: { type: 'array', items: { type: 'string', enum: JOB_STATUSES }, nullable: true } },
    required: [],
    additionalProperties: false,
  },
  'job.modify': { type: 'object', properties: { jobId, scoreFile: optionalText, resume: flag }, required: ['jobId'], additionalProperties: false },
  'job.recover': { type: 'object', properties: { jobId, dryRun: flag, sheet: sheetNumber }, required: ['jobId'], additionalProperties: false },
  'job.approve': { type: 'object', properties: { jobId, sheet: sheetNumber, skip: flag }, required: ['jobId'], additionalProperties: false },
  'job.adopt': { type: 'object', properties: { jobId, workspace: { type: 'string', minLength: 1 } }, required: ['jobId', 'workspace'], additionalProperties: false },
  'events.subscribe': { type: 'object', properties: { jobId: optionalJobId, editor: flag, records: flag }, required: [], additionalProperties: false },
  ...LEARNING_PARAM_SCHEMAS,
};
