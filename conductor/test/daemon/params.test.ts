// The param contract: every method has a schema and a generated validator, the committed
// validators match the schemas, and each kind of param is described in words.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { METHODS } from '../../../protocol/src/methods.js';
import { PARAM_SCHEMAS } from '../../../protocol/src/param-schemas.js';
import { checkParams, describe } from '../../src/daemon/params.js';
import validators from '../../src/daemon/param-validators.generated.js';
import { paramValidatorsCode, VALIDATORS_FILE } from '../../../scripts/gen-param-validators.js';

test('the committed validators are generated from the current schemas (npm run gen:params)', () => {
  assert.equal(readFileSync(VALIDATORS_FILE, 'utf8'), paramValidatorsCode());
});

test('every method has a schema and a validator, and nothing else does', () => {
  assert.deepEqual(Object.keys(PARAM_SCHEMAS).sort(), [...METHODS].sort());
  assert.deepEqual(Object.keys(validators).sort(), [...METHODS].sort());
});

test('every method takes {} or omitted params unless it needs a field', () => {
  for (const method of METHODS) {
    const required = (PARAM_SCHEMAS[method] as { required: readonly string[] }).required;
    assert.equal(checkParams(method, undefined).ok, required.length === 0, method);
    assert.equal(checkParams(method, {}).ok, required.length === 0, method);
  }
});

test('valid params pass unchanged, with null options dropped', () => {
  assert.deepEqual(checkParams('job.submit', { scoreFile: '/s.yaml', fresh: true, startSheet: 3, selfHealing: null }), { ok: true, params: { scoreFile: '/s.yaml', fresh: true, startSheet: 3 } });
  assert.deepEqual(checkParams('job.clear', { statuses: ['failed', 'cancelled'] }), { ok: true, params: { statuses: ['failed', 'cancelled'] } });
  assert.deepEqual(checkParams('job.logs', { jobId: 'a', offset: -65536, maxBytes: 1 }), { ok: true, params: { jobId: 'a', offset: -65536, maxBytes: 1 } });
});

test('each kind of param is described in words', () => {
  assert.equal(describe({ type: 'string', minLength: 1 }), 'a non-empty string');
  assert.equal(describe({ type: 'string' }), 'a string');
  assert.equal(describe({ type: 'integer', minimum: 1 }), 'an integer ≥ 1');
  assert.equal(describe({ type: 'integer' }), 'an integer');
  assert.equal(describe({ type: 'boolean' }), 'true or false');
  assert.equal(describe({ type: 'array', items: { enum: ['a', 'b'] } }), 'a list of a, b');
});
