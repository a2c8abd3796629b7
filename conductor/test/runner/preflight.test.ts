// The run-time error codes as decisions: each applies exactly where it should.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorHint } from '../../src/runner/errors.js';
import { hookFieldMissing, mcpConfigProblem, missingPath, promptSize, PROMPT_REFUSE_TOKENS, PROMPT_WARN_TOKENS, stateVersionProblem, timeoutError } from '../../src/runner/preflight.js';

test('E602: a prompt over 50K estimated tokens warns, over 150K is refused', () => {
  assert.equal(promptSize('x'.repeat(PROMPT_WARN_TOKENS * 4)).kind, 'ok');
  const warn = promptSize('x'.repeat(PROMPT_WARN_TOKENS * 4 + 4));
  assert.equal(warn.kind, 'warn');
  assert.equal(warn.tokens, 50_001);
  const refused = promptSize('x'.repeat(PROMPT_REFUSE_TOKENS * 4 + 4));
  assert.ok(refused.kind === 'refuse');
  assert.equal(refused.error.code, 'E602');
  assert.equal(refused.error.retryable, false);
  assert.match(refused.error.message, /about 150,001 tokens, over the 150,000/);
});

test('E303, E302, E305, E404, E504 apply where their facts hold, and nowhere else', () => {
  const exists = (p: string) => p === '/ws/mcp.json' || p === '/t/prompt.j2';
  assert.equal(missingPath('prompt.template_file', '/t/prompt.j2', exists), undefined);
  assert.equal(missingPath('prompt.template_file', '/t/gone.j2', exists)?.code, 'E303');
  assert.equal(hookFieldMissing({ type: 'run_job', job_path: null }, 0)?.code, 'E302');
  assert.equal(hookFieldMissing({ type: 'run_command', command: 'echo' }, 1), undefined);
  assert.equal(mcpConfigProblem(['--mcp-config', 'mcp.json'], '/ws', exists), undefined);
  assert.equal(mcpConfigProblem(['--mcp-config=/elsewhere/m.json'], '/ws', exists)?.code, 'E305');
  assert.equal(mcpConfigProblem(['--mcp-config', '{"mcpServers":{}}'], '/ws', exists), undefined);
  assert.equal(mcpConfigProblem([], '/ws', exists, 'Error: MCP server config invalid: missing command')?.code, 'E305');
  assert.equal(mcpConfigProblem([], '/ws', exists, 'rate limit reached'), undefined);
  assert.equal(stateVersionProblem(1, '/ws/.mozart/state'), undefined);
  assert.match(stateVersionProblem(2, '/ws/.mozart/state')?.message ?? '', /format version 2.*reads version 1/);
  assert.equal(timeoutError('anthropic_api', 30).code, 'E504');
  assert.equal(timeoutError('claude_cli', 30).code, 'E001');
  for (const code of ['E302', 'E303', 'E305', 'E404', 'E504', 'E602']) assert.ok(errorHint(code, 'x'), `${code} has a hint`);
});
