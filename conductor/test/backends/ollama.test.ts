// The ollama backend against a real local HTTP server speaking Ollama's chat API (NDJSON stream):
// what each kind of answer becomes, and what the runner then decides.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { OllamaBackend } from '../../src/backends/ollama.js';
import type { OllamaConfig } from '../../src/backends/ollama.js';
import { agentRequest, assertAbortCancelsInFlight, runnerView } from './attempt.js';
import { deadUrl, hang, json, startServer } from './http-server.js';

function backend(url: string, config: Partial<OllamaConfig> = {}): OllamaBackend {
  return new OllamaBackend({ base_url: url, model: 'llama3.1:8b', num_ctx: 32768, timeout_seconds: 300, keep_alive: '5m', ...config });
}

/** Streams chat chunks the way Ollama does, one JSON object per line, the last with the counts. */
function streamChat(res: ServerResponse, model: string, parts: string[], counts: { prompt: number; eval: number }): void {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const at = new Date().toISOString();
  for (const content of parts) res.write(`${JSON.stringify({ model, created_at: at, message: { role: 'assistant', content }, done: false })}\n`);
  res.end(`${JSON.stringify({ model, created_at: at, message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: counts.prompt, eval_count: counts.eval })}\n`);
}

const never = new AbortController().signal;

test('a streamed chat answer becomes exit 0 with its text and tokens; settings reach the server', async () => {
  const server = await startServer((req, res) => streamChat(res, String(req.body.model), ['Local ', 'answer.'], { prompt: 42, eval: 7 }));
  try {
    const request = agentRequest();
    const result = await backend(server.url, { num_ctx: 8192, keep_alive: '10m' }).execute(request, never);
    assert.deepEqual([result.exitCode, result.resultText, result.stdout], [0, 'Local answer.', 'Local answer.']);
    assert.deepEqual([result.inputTokens, result.outputTokens, result.costUsd], [42, 7, 0]);
    assert.deepEqual(request.output, [{ stream: 'stdout', text: 'Local ' }, { stream: 'stdout', text: 'answer.' }]);
    const [sent] = server.requests;
    assert.equal(sent?.url, '/api/chat');
    assert.deepEqual(sent?.body, { model: 'llama3.1:8b', messages: [{ role: 'user', content: 'Summarise sheet 1.' }], stream: true, keep_alive: '10m', options: { num_ctx: 8192 } });
  } finally {
    await server.close();
  }
});

test('HTTP 404 (model not pulled) is a configuration error naming the model, not retried', async () => {
  const server = await startServer((_req, res) => json(res, 404, { error: "model 'llama9:70b' not found, try pulling it first" }));
  try {
    const result = await backend(server.url, { model: 'llama9:70b' }).execute(agentRequest(), never);
    assert.equal(result.startError?.code, 'E301');
    assert.match(result.startError?.message ?? '', /no model 'llama9:70b'.*ollama pull llama9:70b/);
    const { error, decision } = runnerView(result);
    assert.deepEqual([error.category, error.retryable, decision.kind], ['configuration', false, 'fail']);
  } finally {
    await server.close();
  }
});

test('a server error (HTTP 500) is reported with its status and retried', async () => {
  const server = await startServer((_req, res) => json(res, 500, { error: 'model runner has unexpectedly stopped' }));
  try {
    const result = await backend(server.url).execute(agentRequest(), never);
    assert.deepEqual([result.exitCode, result.isError, result.apiErrorStatus], [1, true, 500]);
    assert.match(result.stderr, /unexpectedly stopped/);
    const { error, decision } = runnerView(result);
    assert.deepEqual([error.code, decision.kind], ['E503', 'retry']);
  } finally {
    await server.close();
  }
});

test('an error line inside the stream fails the attempt with its message', async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(`${JSON.stringify({ error: 'out of memory loading model' })}\n`);
  });
  try {
    const result = await backend(server.url).execute(agentRequest(), never);
    assert.deepEqual([result.exitCode, result.isError], [1, true]);
    assert.match(result.stderr, /out of memory loading model/);
  } finally {
    await server.close();
  }
});

test('no server at base_url: "cannot reach Ollama at URL", E501, retried', async () => {
  const url = await deadUrl();
  const result = await backend(url).execute(agentRequest(), never);
  assert.equal(result.startError?.code, 'E501');
  assert.match(result.startError?.message ?? '', new RegExp(`Cannot reach Ollama at ${url.replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
  const { error, decision } = runnerView(result);
  assert.deepEqual([error.category, decision.kind], ['network', 'retry']);
});

test("backend.ollama.timeout_seconds ends a request that never answers, even within the sheet's limit", async () => {
  const server = await startServer(hang);
  try {
    const result = await backend(server.url, { timeout_seconds: 0.3 }).execute(agentRequest({ timeoutMs: 60_000 }), never);
    assert.deepEqual([result.timedOut, result.cancelled, result.exitCode], [true, false, null]);
    assert.equal(runnerView(result).error.code, 'E001');
  } finally {
    await server.close();
  }
});

test('cancelling mid-answer keeps the text that arrived', async () => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(`${JSON.stringify({ model: 'm', created_at: new Date().toISOString(), message: { role: 'assistant', content: 'partial' }, done: false })}\n`);
  });
  try {
    const controller = new AbortController();
    // Cancel as soon as the first chunk is seen: no timing involved.
    const request = agentRequest({ onOutput: () => controller.abort() });
    const result = await backend(server.url).execute(request, controller.signal);
    assert.deepEqual([result.cancelled, result.stdout, result.resultText], [true, 'partial', 'partial']);
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
