// `mozart mcp` against a real conductor: the SDK's own client spawns `node dist/cli.js mcp` over
// stdio, lists the tools, starts a job on the command backend, follows it with get_job, reads what it
// wrote, is refused a path out of the workspace (by `..` and by a link), and reads the resources.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { JobState } from '../../protocol/src/job-state.js';
import { CLI, EventLog, harness, scoreFile } from '../../conductor/test/daemon/harness.js';

const h = harness();
let client: Client;
let stderr = '';

before(async () => {
  const started = h.mozart('start');
  assert.equal(started.code, 0, started.err);
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], env: h.env as Record<string, string>, stderr: 'pipe' });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'mozart-test', version: '1' });
  await client.connect(transport); // a stray line on stdout would fail the handshake
});

after(async () => {
  await client?.close();
  h.mozart('stop');
});

const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
const text = (r: CallToolResult): string => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

test('the tools keep the original names', async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, ['cancel_job', 'get_job', 'list_jobs', 'mozart_artifact_get_artifact', 'mozart_artifact_get_logs', 'mozart_artifact_list', 'mozart_artifact_list_artifacts', 'mozart_artifact_read', 'pause_job', 'resume_job', 'start_job']);
  const start = tools.find((t) => t.name === 'start_job');
  assert.deepEqual(start?.inputSchema.required, ['config_path']);
  assert.ok(stderr.includes('serving the Model Context Protocol'), 'the greeting goes to stderr, not stdout');
});

test('a job started over MCP runs to the end; its files are read, escapes are refused', async () => {
  const file = scoreFile('mcp-job', 'echo "agent says hi $MOZART_SHEET_NUM"; echo "result $MOZART_SHEET_NUM" > "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  const outside = join(dirname(file), 'secret.txt');
  writeFileSync(outside, 'not for agents');
  const workspace = join(mkdtempSync(join(tmpdir(), 'mozart-mcp-ws-')), 'given');

  const watcher = await h.connect();
  const events = new EventLog(watcher);
  await watcher.request('events.subscribe', { jobId: 'mcp-job' });
  const started = await call('start_job', { config_path: file, workspace });
  assert.equal(started.isError, undefined, text(started));
  assert.match(text(started), /Job 'mcp-job' started: 2 sheets/);
  assert.equal((started.structuredContent as { workspace: string }).workspace, workspace, 'the job runs in the workspace given');
  await events.waitFor((e) => e.type === 'job.completed' || e.type === 'job.failed');
  watcher.close();

  const got = await call('get_job', { job_id: 'mcp-job' });
  const state = got.structuredContent as unknown as JobState;
  assert.equal(state.status, 'completed', text(got));
  assert.equal(readFileSync(join(workspace, 's2'), 'utf8'), 'result 2\n');

  const listed = await call('list_jobs', { status_filter: 'completed' });
  assert.deepEqual((listed.structuredContent as { jobs: { jobId: string }[] }).jobs.map((j) => j.jobId), ['mcp-job']);

  const artifact = await call('mozart_artifact_get_artifact', { job_id: 'mcp-job', artifact_path: 's1' });
  assert.equal((artifact.structuredContent as { text: string }).text, 'result 1\n');
  const byWorkspace = await call('mozart_artifact_read', { workspace, file_path: 's2' });
  assert.equal((byWorkspace.structuredContent as { text: string }).text, 'result 2\n');
  const all = await call('mozart_artifact_list_artifacts', { job_id: 'mcp-job' });
  const paths = (all.structuredContent as { entries: { path: string }[] }).entries.map((e) => e.path);
  assert.ok(paths.includes('s1') && paths.includes('s2'), paths.join(', '));

  const escape = await call('mozart_artifact_get_artifact', { job_id: 'mcp-job', artifact_path: `../../${resolve(outside).split('/').slice(-2).join('/')}` });
  assert.equal(escape.isError, true);
  assert.match(text(escape), /^access_denied: .*leads out of the workspace/);
  const absolute = await call('mozart_artifact_read', { job_id: 'mcp-job', file_path: outside });
  assert.match(text(absolute), /^access_denied: .*absolute path/);
  symlinkSync(outside, join(workspace, 'link'));
  mkdirSync(join(workspace, 'sub'));
  symlinkSync(dirname(outside), join(workspace, 'sub', 'up'));
  const viaLink = await call('mozart_artifact_get_artifact', { job_id: 'mcp-job', artifact_path: 'link' });
  assert.match(text(viaLink), /^access_denied: .*symbolic link/);
  const viaDirLink = await call('mozart_artifact_read', { job_id: 'mcp-job', file_path: 'sub/up/secret.txt' });
  assert.match(text(viaDirLink), /^access_denied: /);
  assert.doesNotMatch(JSON.stringify([escape, absolute, viaLink, viaDirLink]), /not for agents/);
  const stranger = await call('mozart_artifact_list', { workspace: dirname(outside) });
  assert.match(text(stranger), /^access_denied: .*not the workspace of any job/);

  const logs = await call('mozart_artifact_get_logs', { job_id: 'mcp-job', sheet: 2 });
  assert.match(text(logs), /agent says hi 2/);
});

test('conductor refusals become tool errors with their code and message', async () => {
  const missing = await call('get_job', { job_id: 'no-such-job' });
  assert.equal(missing.isError, true);
  assert.match(text(missing), /^refused: .*no-such-job/);
  const bad = join(mkdtempSync(join(tmpdir(), 'mozart-mcp-bad-')), 'bad.yaml');
  writeFileSync(bad, 'name: broken\nsheet: { size: 1, total_items: 1 }\n');
  const refused = await call('start_job', { config_path: bad });
  assert.equal(refused.isError, true);
  assert.match(text(refused), /^refused: /);
  assert.equal((refused.structuredContent as { error: { rpcCode: number } }).error.rpcCode, -32000);
});

test('the resources: the score schema, the jobs, and one job', async () => {
  const { resources } = await client.listResources();
  const uris = resources.map((r) => r.uri);
  assert.ok(uris.includes('config://schema') && uris.includes('mozart://jobs'), uris.join(', '));
  assert.ok(uris.includes('mozart://jobs/mcp-job'), 'each job is listed as a resource');
  const schema = await client.readResource({ uri: 'config://schema' });
  const first = schema.contents[0] as { text: string; mimeType: string };
  assert.equal(first.mimeType, 'application/json');
  assert.deepEqual(JSON.parse(first.text), JSON.parse(readFileSync(resolve(__dirname, '../../schemas/score.schema.json'), 'utf8')));
  const job = await client.readResource({ uri: 'mozart://jobs/mcp-job' });
  assert.equal((JSON.parse((job.contents[0] as { text: string }).text) as JobState).status, 'completed');
});

test("the original's filters do what they say: get_logs level and workspace, list_artifacts artifact_type, artifact_read encoding; an unknown argument is refused", async () => {
  // Sheet 1 writes an output file; sheet 2 fails (no retry), so the event log has errors and warnings.
  const file = scoreFile('mcp-filters', 'n=$MOZART_SHEET_NUM; echo "sheet $n says"; echo done > "$MOZART_WORKSPACE/output-$n.txt"; if [ $n = 1 ]; then touch "$MOZART_WORKSPACE/s1"; else echo "it broke" >&2; exit 3; fi', 2, 'retry: { max_retries: 0 }\n');
  const workspace = join(dirname(file), 'ws');
  const watcher = await h.connect();
  const events = new EventLog(watcher);
  await watcher.request('events.subscribe', { jobId: 'mcp-filters' });
  assert.equal((await call('start_job', { config_path: file })).isError, undefined);
  await events.waitFor((e) => e.type === 'job.failed');
  watcher.close();

  const types = async (args: Record<string, unknown>): Promise<string[]> => {
    const r = await call('mozart_artifact_get_logs', { job_id: 'mcp-filters', lines: 1000, ...args });
    assert.equal(r.isError, undefined, text(r));
    return text(r).split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
  };
  const all = await types({});
  assert.ok(all.includes('sheet.started') && all.includes('sheet.failed'), all.join(', '));
  assert.deepEqual([...new Set(await types({ level: 'error' }))].sort(), ['job.failed', 'sheet.failed']);
  const warnings = await types({ level: 'warning' });
  assert.ok(warnings.includes('sheet.validation_failed') && warnings.includes('sheet.failed') && !warnings.includes('sheet.started'), warnings.join(', '));
  assert.deepEqual(await types({ level: 'all' }), all);
  assert.deepEqual(await types({ workspace }), all, "the job's own workspace");
  const elsewhere = await call('mozart_artifact_get_logs', { job_id: 'mcp-filters', workspace: dirname(workspace) });
  assert.match(text(elsewhere), /^access_denied: .* is not the workspace of job 'mcp-filters' \(its workspace is .*ws\)/);
  const sheetLevel = await call('mozart_artifact_get_logs', { job_id: 'mcp-filters', sheet: 2, level: 'error' });
  assert.equal(sheetLevel.isError, true);
  assert.match(text(sheetLevel), /^invalid_params: level 'error' filters the job's event log; a sheet's agent output has no levels/);

  const listed = async (args: Record<string, unknown>) => {
    const r = await call('mozart_artifact_list_artifacts', { job_id: 'mcp-filters', include_hidden: true, ...args });
    assert.equal(r.isError, undefined, text(r));
    return (r.structuredContent as { entries: { path: string; category: string }[] }).entries;
  };
  const everything = await listed({});
  assert.ok(everything.some((e) => e.category === 'other'), 'the sheets\' s1 is none of the four');
  assert.deepEqual((await listed({ artifact_type: 'output' })).map((e) => e.path).sort(), ['output-1.txt', 'output-2.txt']);
  const logs = (await listed({ artifact_type: 'log' })).map((e) => e.path);
  assert.ok(logs.includes('mozart.log') && logs.includes('.mozart/logs/sheet-01.log') && logs.every((p) => p.endsWith('.log')), logs.join(', '));
  const state = (await listed({ artifact_type: 'state' })).map((e) => e.path);
  assert.ok(state.includes('mcp-filters.json') && state.some((p) => p.startsWith('.mozart/state/')), state.join(', '));
  assert.equal((await listed({ artifact_type: 'all' })).length, everything.length);
  assert.deepEqual(await listed({ workspace }), everything);
  assert.match(text(await call('mozart_artifact_list_artifacts', { job_id: 'mcp-filters', workspace: tmpdir() })), /^access_denied: /);
  assert.match(text(await call('mozart_artifact_get_artifact', { job_id: 'mcp-filters', artifact_path: 'output-1.txt', workspace: tmpdir() })), /^access_denied: /);
  assert.equal(((await call('mozart_artifact_get_artifact', { job_id: 'mcp-filters', artifact_path: 'output-1.txt', workspace })).structuredContent as { text: string }).text, 'done\n');

  writeFileSync(join(workspace, 'latin.txt'), Buffer.from('caf\xe9\n', 'latin1'));
  const asLatin = await call('mozart_artifact_read', { job_id: 'mcp-filters', file_path: 'latin.txt', encoding: 'latin-1' });
  assert.equal((asLatin.structuredContent as { text: string }).text, 'café\n', text(asLatin));
  assert.equal((asLatin.structuredContent as { encoding: string }).encoding, 'windows-1252');
  const asUtf8 = await call('mozart_artifact_read', { job_id: 'mcp-filters', file_path: 'latin.txt' });
  assert.equal((asUtf8.structuredContent as { hexHead: string }).hexHead, '636166e90a', 'not valid UTF-8: its bytes in hex');
  const unknown = await call('mozart_artifact_read', { job_id: 'mcp-filters', file_path: 'latin.txt', encoding: 'klingon' });
  assert.equal(unknown.isError, true);
  assert.match(text(unknown), /^unknown_encoding: 'klingon' is not a text encoding/);

  const typo = await call('mozart_artifact_get_logs', { job_id: 'mcp-filters', levle: 'error' });
  assert.equal(typo.isError, true, 'a misspelt filter is not ignored');
  assert.match(text(typo), /levle/);
  assert.match(text(await call('list_jobs', { status: 'failed' })), /Unrecognized key.*status/s);
});
