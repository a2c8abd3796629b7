// The anthropic_api backend against a real local HTTP server speaking the Messages API: what each
// kind of answer becomes, and what the runner then decides (wait, fail fast, retry).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnthropicApiBackend } from '../../src/backends/anthropic-api.js';
import type { AnthropicApiConfig } from '../../src/backends/anthropic-api.js';
import type { AgentResult } from '../../src/backends/types.js';
import { apiError, startMessage, streamError, streamText } from './anthropic-replies.js';
import { agentRequest, assertAbortCancelsInFlight, runnerView } from './attempt.js';
import { deadUrl, hang, startServer } from './http-server.js';

/** A sentinel key: it must reach the server and appear nowhere in what the backend reports. */
const KEY = 'sk-ant-test-SENTINEL-5c1e8b7d0a';
const KEY_ENV = 'MOZART_TEST_ANTHROPIC_KEY';
const MODEL = 'claude-sonnet-4-20250514';

function backend(url: string, config: Partial<AnthropicApiConfig> = {}, env: NodeJS.ProcessEnv = { [KEY_ENV]: KEY }): AnthropicApiBackend {
  return new AnthropicApiBackend({ model: MODEL, api_key_env: KEY_ENV, max_tokens: 8192, sheet_overrides: {}, ...config }, { ...env, ANTHROPIC_BASE_URL: url });
}

function assertNoKey(result: AgentResult, output: unknown[]): void {
  assert.ok(!JSON.stringify(result).includes(KEY), 'the key leaked into the result');
  assert.ok(!JSON.stringify(output).includes(KEY), 'the key leaked into the live output');
}

const never = new AbortController().signal;

test('a streamed answer becomes exit 0 with its text, tokens and an estimated cost', async () => {
  const server = await startServer((req, res) => streamText(res, String(req.body.model), ['Hello, ', 'sheet one.'], { input: 120, output: 30 }));
  try {
    const request = agentRequest();
    const result = await backend(server.url).execute(request, never);
    assert.equal(result.exitCode, 0);
    assert.equal(result.isError, undefined);
    assert.equal(result.resultText, 'Hello, sheet one.');
    assert.equal(result.stdout, 'Hello, sheet one.');
    assert.deepEqual([result.inputTokens, result.outputTokens], [120, 30]);
    // claude-sonnet-4 list price: $3 in / $15 out per million tokens.
    assert.ok(Math.abs((result.costUsd ?? 0) - (120 * 3 + 30 * 15) / 1e6) < 1e-12);
    assert.deepEqual(request.output, [{ stream: 'stdout', text: 'Hello, ' }, { stream: 'stdout', text: 'sheet one.' }]);

    const [sent] = server.requests;
    assert.equal(sent?.url, '/v1/messages');
    assert.equal(sent?.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(sent?.body, { model: MODEL, max_tokens: 8192, messages: [{ role: 'user', content: 'Summarise sheet 1.' }], stream: true });
    assertNoKey(result, request.output);
  } finally {
    await server.close();
  }
});

test("a sheet's overrides pick the model and max_tokens; an unpriced model reports tokens but no cost", async () => {
  const server = await startServer((req, res) => streamText(res, String(req.body.model), ['ok'], { input: 10, output: 2 }));
  try {
    const override = { model: 'claude-experimental-x', max_tokens: 100, cli_model: null, temperature: null, timeout_seconds: null };
    const result = await backend(server.url, { sheet_overrides: { '2': override } }).execute(agentRequest({ sheetNum: 2 }), never);
    assert.equal(result.exitCode, 0);
    assert.deepEqual([server.requests[0]?.body.model, server.requests[0]?.body.max_tokens], ['claude-experimental-x', 100]);
    assert.deepEqual([result.inputTokens, result.outputTokens, result.costUsd], [10, 2, undefined]);
  } finally {
    await server.close();
  }
});

test('HTTP 429 with retry-after: one request only, and the runner waits what the API asked without spending a retry', async () => {
  const server = await startServer((_req, res) => apiError(res, 429, 'rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit', { 'retry-after': '7' }));
  try {
    const request = agentRequest();
    const result = await backend(server.url).execute(request, never);
    assert.equal(server.requests.length, 1, 'the SDK must not retry by itself');
    assert.deepEqual([result.exitCode, result.isError, result.apiErrorStatus, result.retryAfterMs], [1, true, 429, 7000]);
    assert.match(result.stderr, /per-minute rate limit/);
    const { error, decision } = runnerView(result);
    assert.deepEqual([error.code, error.wait, error.waitMs], ['E101', 'rate_limit', 7000]);
    assert.deepEqual(decision, { kind: 'wait', wait: 'rate_limit', delayMs: 7000, reason: error.message });
    assertNoKey(result, request.output);
  } finally {
    await server.close();
  }
});

test('HTTP 401 is an auth error that is not retried, and a key the server echoes back is redacted', async () => {
  const server = await startServer((req, res) => apiError(res, 401, 'authentication_error', `invalid x-api-key: ${String(req.headers.authorization)}`));
  try {
    const request = agentRequest();
    const result = await backend(server.url).execute(request, never);
    assert.deepEqual([result.exitCode, result.isError, result.apiErrorStatus], [1, true, 401]);
    assert.match(result.stderr, new RegExp(`\\[redacted\\][\\s\\S]*${KEY_ENV}`));
    const { error, decision } = runnerView(result);
    assert.deepEqual([error.code, error.category, error.retryable, decision.kind], ['E502', 'auth', false, 'fail']);
    assertNoKey(result, request.output);
    assert.ok(!error.message.includes(KEY));
  } finally {
    await server.close();
  }
});

test('HTTP 404 for an unknown model is a configuration error naming the model', async () => {
  const server = await startServer((_req, res) => apiError(res, 404, 'not_found_error', 'model: claude-nope'));
  try {
    const result = await backend(server.url, { model: 'claude-nope' }).execute(agentRequest(), never);
    assert.equal(result.startError?.code, 'E301');
    assert.match(result.startError?.message ?? '', /model 'claude-nope'/);
    const { error, decision } = runnerView(result);
    assert.deepEqual([error.category, error.retryable, decision.kind], ['configuration', false, 'fail']);
  } finally {
    await server.close();
  }
});

test('an overload error inside the stream counts as capacity: the runner waits', async () => {
  const server = await startServer((_req, res) => {
    startMessage(res, MODEL, 50);
    streamError(res, 'overloaded_error', 'Overloaded');
  });
  try {
    const result = await backend(server.url).execute(agentRequest(), never);
    assert.deepEqual([result.exitCode, result.isError, result.apiErrorStatus], [1, true, 529]);
    const { error, decision } = runnerView(result);
    assert.deepEqual([error.code, decision.kind], ['E103', 'wait']);
  } finally {
    await server.close();
  }
});

test('a server that never answers hits the time limit: timedOut, E001, retried', async () => {
  const server = await startServer(hang);
  try {
    const result = await backend(server.url).execute(agentRequest({ timeoutMs: 300 }), never);
    assert.deepEqual([result.timedOut, result.cancelled, result.exitCode], [true, false, null]);
    const { error, decision } = runnerView(result);
    assert.deepEqual([error.code, decision.kind], ['E001', 'retry']);
  } finally {
    await server.close();
  }
});

test('a reply that goes silent is stopped by stale detection', async () => {
  const server = await startServer((_req, res) => startMessage(res, MODEL, 5));
  try {
    const result = await backend(server.url).execute(agentRequest({ idleTimeoutMs: 200 }), never);
    assert.deepEqual([result.stalled, result.timedOut, result.cancelled], [true, false, false]);
  } finally {
    await server.close();
  }
});

test('aborting the signal cancels the request in flight', async () => {
  const server = await startServer(hang);
  try {
    await assertAbortCancelsInFlight(backend(server.url), server);
  } finally {
    await server.close();
  }
});

test('a missing or empty key variable is a clear start error naming it, and nothing is sent', async () => {
  const server = await startServer(hang);
  try {
    for (const env of [{}, { [KEY_ENV]: '' }]) {
      const result = await backend(server.url, {}, env).execute(agentRequest(), never);
      assert.equal(result.startError?.code, 'E502');
      assert.match(result.startError?.message ?? '', new RegExp(KEY_ENV));
      assert.equal(runnerView(result).decision.kind, 'fail');
    }
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('an unreachable API is a connection error (E501) that the runner retries', async () => {
  const url = await deadUrl();
  const result = await backend(url).execute(agentRequest(), never);
  assert.equal(result.startError?.code, 'E501');
  assert.match(result.startError?.message ?? '', new RegExp(`${url.replace(/\./g, '\\.')}.*ECONNREFUSED`));
  const { error, decision } = runnerView(result);
  assert.deepEqual([error.category, decision.kind], ['network', 'retry']);
});
