// A whole job on the anthropic_api backend through the real runner: the local API first answers
// 429 with retry-after, then the real answer. The sheet waits (as long as the API asked, not
// rate_limit.wait_minutes) without spending a retry, and completes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runScore } from '../support/job.js';
import { apiError, streamText } from './anthropic-replies.js';
import { startServer } from './http-server.js';
import type { TestServer } from './http-server.js';

const KEY = 'sk-ant-test-SENTINEL-job-93f2';
const KEY_ENV = 'MOZART_TEST_ANTHROPIC_JOB_KEY';
let server: TestServer;
const saved = { base: process.env.ANTHROPIC_BASE_URL };

before(async () => {
  server = await startServer(
    (_req, res) => apiError(res, 429, 'rate_limit_error', 'Too many requests', { 'retry-after': '1' }),
    (req, res) => streamText(res, String(req.body.model), ['Report: ', 'SHEET-DONE'], { input: 200, output: 40 }),
  );
  // createBackend reads the environment the conductor would have.
  process.env[KEY_ENV] = KEY;
  process.env.ANTHROPIC_BASE_URL = server.url;
});

after(async () => {
  delete process.env[KEY_ENV];
  if (saved.base === undefined) delete process.env.ANTHROPIC_BASE_URL;
  else process.env.ANTHROPIC_BASE_URL = saved.base;
  await server.close();
});

test('a 429 with retry-after is waited out without spending a retry; the sheet then completes', async () => {
  // The API's text lands in the sheet log, which is what the validation reads. wait_minutes is an
  // hour: the wait must come from retry-after (1 s), which the decision reason reports.
  const { state, events, workspace } = await runScore(`name: api-job
workspace: ./ws
pause_between_sheets_seconds: 0
backend:
  type: anthropic_api
  model: claude-sonnet-4-20250514
  api_key_env: ${KEY_ENV}
  timeout_seconds: 60
retry: { max_retries: 2, base_delay_seconds: 1 }
rate_limit: { wait_minutes: 60 }
sheet: { size: 1, total_items: 1 }
prompt: { template: "Write the report for sheet {{ sheet_num }}." }
validations:
  - { type: content_contains, path: "{workspace}/.mozart/logs/sheet-01.log", pattern: "SHEET-DONE", retry_count: 0 }
`);
  assert.equal(state.status, 'completed');
  const sheet = state.sheets['1']!;
  assert.deepEqual([sheet.status, sheet.attempts, sheet.retries, sheet.rateLimitWaits], ['completed', 2, 0, 1]);
  assert.equal(sheet.errors[0]?.code, 'E101');
  assert.deepEqual([sheet.inputTokens, sheet.outputTokens], [200, 40]);
  assert.ok((sheet.costUsd ?? 0) > 0);

  const waiting = events.find((e) => e.type === 'sheet.waiting');
  assert.ok(waiting && waiting.type === 'sheet.waiting' && waiting.wait === 'rate_limit');
  assert.match(waiting.reason, /HTTP 429.*retry after 1 s/);
  assert.equal(events.filter((e) => e.type === 'sheet.retrying').length, 0);

  assert.equal(server.requests.length, 2);
  assert.match(JSON.stringify(server.requests[1]?.body.messages), /Write the report for sheet 1\./);
  for (const text of [JSON.stringify(state), JSON.stringify(events), readFileSync(join(workspace, '.mozart', 'logs', 'sheet-01.log'), 'utf8')]) {
    assert.ok(!text.includes(KEY), 'the key leaked into the checkpoint, events or sheet log');
  }
});
