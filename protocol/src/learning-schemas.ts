// The learning methods' params as JSON schemas, typed against learning.ts like the others in
// param-schemas.ts (which merges these into the one table). Data only.
import type { JSONSchemaType } from 'ajv';
import type { LearningMethods } from './learning.js';
import { PATTERN_KINDS, PATTERN_STATUSES } from './learning.js';

type Params<M extends keyof LearningMethods> = LearningMethods[M][0];

const share = { type: 'number', minimum: 0, maximum: 1, nullable: true } as const;
const count = { type: 'integer', minimum: 1, nullable: true } as const;
const flag = { type: 'boolean', nullable: true } as const;
const optionalText = { type: 'string', minLength: 1, nullable: true } as const;
/** Two windows of this many applications are compared; 50 applications per pattern are kept. */
const window = { type: 'integer', minimum: 1, maximum: 25, nullable: true } as const;
const drift = { type: 'object', properties: { threshold: share, window, limit: count }, required: [], additionalProperties: false } as const;

export const LEARNING_PARAM_SCHEMAS: { [M in keyof LearningMethods]: JSONSchemaType<Params<M>> } = {
  'learning.patterns': {
    type: 'object',
    properties: {
      minPriority: share,
      limit: count,
      status: { type: 'string', enum: PATTERN_STATUSES, nullable: true },
      minTrust: share,
      maxTrust: share,
      kind: { type: 'string', enum: PATTERN_KINDS, nullable: true },
    },
    required: [],
    additionalProperties: false,
  },
  // A pattern id or a prefix of at least 4 of its 16 hex digits.
  'learning.why': { type: 'object', properties: { id: { type: 'string', minLength: 4, nullable: true }, minObservations: { type: 'integer', minimum: 0, nullable: true }, limit: count }, required: [], additionalProperties: false },
  'learning.stats': { type: 'object', required: [], additionalProperties: false },
  'learning.activity': { type: 'object', properties: { hours: { type: 'integer', minimum: 1, maximum: 744, nullable: true } }, required: [], additionalProperties: false },
  'learning.drift': drift,
  'learning.epistemicDrift': drift,
  'learning.entropy': { type: 'object', properties: { threshold: share, history: flag, limit: count, record: flag }, required: [], additionalProperties: false },
  'learning.budget': { type: 'object', properties: { job: optionalText, limit: count }, required: [], additionalProperties: false },
  'learning.entropyStatus': { type: 'object', properties: { job: optionalText, limit: count, check: flag }, required: [], additionalProperties: false },
  'learning.setStatus': {
    type: 'object',
    properties: { id: { type: 'string', minLength: 4 }, status: { type: 'string', enum: PATTERN_STATUSES }, reason: optionalText },
    required: ['id', 'status'],
    additionalProperties: false,
  },
  'learning.sheetPatterns': { type: 'object', properties: { jobId: { type: 'string', minLength: 1 }, sheet: { type: 'integer', minimum: 1 } }, required: ['jobId', 'sheet'], additionalProperties: false },
};
