// The claude_cli backend with the real Claude Code CLI, pointed at a scripted local Messages API.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeApi } from '../support/fake-anthropic.js';
import type { FakeApi, Reply } from '../support/fake-anthropic.js';
import { runScore } from '../support/job.js';

const CLAUDE = resolve(__dirname, '../../../node_modules/.bin/claude');
let api: FakeApi | undefined;

before(() => {
  process.env.MOZART_CLAUDE_PATH = CLAUDE;
  process.env.ANTHROPIC_API_KEY = 'test-key-not-secret';
  process.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1';
  process.env.CLAUDE_CODE_MAX_RETRIES = '0';
  process.env.IS_SANDBOX = '1';
  process.env.HOME = mkdtempSync(join(tmpdir(), 'claude-home-')); // the CLI keeps its settings here
});

after(async () => {
  await api?.close();
});

async function withApi(script: Reply[]): Promise<FakeApi> {
  await api?.close();
  api = await startFakeApi(script);
  process.env.ANTHROPIC_BASE_URL = api.url;
  return api;
}

/** A fresh, existing workspace (the Write tool's target path must be known up front). */
function workspaceDir(): string {
  const ws = join(mkdtempSync(join(tmpdir(), 'claude-ws-')), 'ws');
  mkdirSync(ws, { recursive: true });
  return ws;
}

const score = (ws: string, extra = '', format = 'json', backendExtra = '') => `name: claude-job
workspace: ${ws}
pause_between_sheets_seconds: 0
backend:
  type: claude_cli
  output_format: ${format}${backendExtra}
  timeout_seconds: 120
  working_directory: ${ws}
retry: { max_retries: 1, base_delay_seconds: 1 }
${extra}
sheet: { size: 1, total_items: 1 }
prompt:
  template: "Write the report for sheet {{ sheet_num }} into {{ workspace }}/report.md"
validations:
  - { type: content_contains, path: "{workspace}/report.md", pattern: "all checks green", retry_count: 0 }
`;

test('the real CLI writes the file through its Write tool; the sheet completes with cost and tokens', async () => {
  const ws = workspaceDir();
  const fake = await withApi([{ kind: 'write', filePath: join(ws, 'report.md'), content: 'Report: all checks green\n' }, { kind: 'text', text: 'Report written.' }]);
  const { state, workspace } = await runScore(score(ws));
  const sheet = state.sheets['1']!;
  assert.equal(state.status, 'completed', JSON.stringify(sheet.errors));
  assert.match(readFileSync(join(workspace, 'report.md'), 'utf8'), /all checks green/);
  assert.ok(sheet.inputTokens > 0 && sheet.outputTokens > 0, 'tokens were read from the JSON result');
  assert.ok(state.costUsd > 0, 'cost was read from the JSON result');
  // The prompt reached the API with Mozart's preamble and the success requirements.
  const firstUser = JSON.stringify(fake.requests[0]?.messages[0]?.content);
  assert.match(firstUser, /mozart-preamble/);
  assert.match(firstUser, /Success requirements/);
});

test('HTTP 429 from the API is a rate limit: the sheet waits without spending a retry, then completes', async () => {
  const ws = workspaceDir();
  await withApi([
    { kind: 'status', status: 429, errorType: 'rate_limit_error', message: 'Rate limited' },
    { kind: 'write', filePath: join(ws, 'report.md'), content: 'all checks green\n' },
    { kind: 'text', text: 'Done.' },
  ]);
  const { state } = await runScore(score(ws, 'rate_limit: { wait_minutes: 1 }'));
  const sheet = state.sheets['1']!;
  assert.equal(state.status, 'completed', JSON.stringify(sheet.errors));
  assert.equal(sheet.retries, 0);
  assert.equal(sheet.rateLimitWaits, 1);
  assert.equal(sheet.errors[0]?.code, 'E101');
});

test('a job over cost_limits.max_cost_per_job stops with E701 and keeps its completed sheet', async () => {
  const ws = workspaceDir();
  await withApi([
    { kind: 'write', filePath: join(ws, 'report.md'), content: 'all checks green\n' },
    { kind: 'text', text: 'Done.' },
  ]);
  const text = score(ws, 'cost_limits: { enabled: true, max_cost_per_job: 0.0000001 }').replace('total_items: 1', 'total_items: 2');
  const { state, events } = await runScore(text);
  assert.equal(state.status, 'failed');
  assert.equal(state.error?.code, 'E701');
  const warning = events.find((e) => e.type === 'job.cost_warning');
  assert.ok(warning?.type === 'job.cost_warning' && warning.percent === 80 && warning.sheet === undefined, 'warn_at_percent (80) was crossed on the way');
  assert.match(state.error?.message ?? '', /max_cost_per_job/);
  assert.equal(state.sheets['2']!.status, 'pending', 'no sheet starts after the limit');
  assert.ok(state.costUsd > 0);
});

test('output_format text still records cost and tokens, and the sheet keeps the text answer; sheet_overrides picks the model', async () => {
  const ws = workspaceDir();
  const fake = await withApi([{ kind: 'write', filePath: join(ws, 'report.md'), content: 'all checks green\n' }, { kind: 'text', text: 'Report written.' }]);
  const { state, events } = await runScore(score(ws, '', 'text', '\n  sheet_overrides: { 1: { cli_model: claude-override-model } }'));
  const sheet = state.sheets['1']!;
  assert.equal(state.status, 'completed', JSON.stringify(sheet.errors));
  assert.ok(state.costUsd > 0 && sheet.inputTokens > 0 && sheet.outputTokens > 0, 'cost and tokens came from the event stream');
  assert.equal(sheet.stdoutTail?.trim(), 'Report written.');
  const shown = events.filter((e) => e.type === 'sheet.output' && e.stream === 'stdout').map((e) => (e.type === 'sheet.output' ? e.text : '')).join('');
  assert.match(shown, /Report written\./);
  assert.doesNotMatch(shown, /"type":/, 'the person watching sees words, not JSON events');
  assert.equal((fake.requests[0] as unknown as { model: string }).model, 'claude-override-model');
});
