// How ajv validates a score, shared by the build step that generates the validator
// (scripts/gen-param-validators.ts) and nothing else at run time: the score engine loads the
// generated score-validator.generated.js instead of compiling the schema at every start.
import type { Options } from 'ajv';

/** Every error (a finding each), defaults filled in, unions as the schema writes them. */
export const SCORE_AJV_OPTIONS: Options = { allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true };

/** The schema's annotation keywords: ajv must know them under `strict`, they validate nothing. */
export const SCORE_KEYWORDS = ['x-backend', 'x-path', 'x-template', 'x-inactive'] as const;
