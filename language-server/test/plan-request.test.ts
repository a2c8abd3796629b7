// `mozart/plan` over a real LSP connection: the plan and prompt the editor gets are the ones
// `mozart run --dry-run --json` prints for the same score, and they follow the unsaved buffer.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PlanParams, PlanResult } from '../../protocol/src/plan.js';
import { PLAN_METHOD } from '../../protocol/src/plan.js';
import { TestClient, uriOf } from './lsp-client.js';

const EXAMPLES = resolve(__dirname, '../../examples');
const CLI = resolve(__dirname, '../../dist/cli.js');

/** What `mozart run --dry-run --json` prints (its exit code may say the score has findings). */
function dryRunJson(file: string, prompt?: number): { plan: unknown; prompt?: unknown } {
  const args = [CLI, 'run', '--dry-run', '--json', ...(prompt !== undefined ? ['--prompt', String(prompt)] : []), file];
  try {
    return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as { plan: unknown; prompt?: unknown };
  } catch (error) {
    const out = (error as { stdout?: string }).stdout;
    if (!out) throw error;
    return JSON.parse(out) as { plan: unknown; prompt?: unknown };
  }
}

describe('mozart/plan request', () => {
  let client: TestClient;
  let dir: string;
  const plan = (params: PlanParams) => client.connection.sendRequest<PlanResult>(PLAN_METHOD, params);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mozart-plan-'));
    client = new TestClient({ languageServer: { debounceMs: 0 } });
    await client.initialize(dir);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
    assert.deepEqual(client.logs.filter((l) => /failed/.test(l)), [], 'no handler failed');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const example of ['parallel-research-fanout.yaml', 'staged-validations.yaml', 'cross-sheet-context.yaml']) {
    test(`${example}: the same plan and prompt as the dry run`, async () => {
      const file = join(EXAMPLES, example);
      await client.open(file);
      const answer = await plan({ uri: uriOf(file), promptSheet: 2 });
      const cli = dryRunJson(file, 2);
      assert.ok(answer.plan, answer.reason);
      assert.deepEqual(answer.plan, cli.plan);
      assert.deepEqual(answer.prompt, cli.prompt);
      assert.ok(answer.prompt?.prompt && answer.prompt.prompt.length > 0, 'sheet 2 has a prompt');
      await client.close(file);
    });
  }

  test('the fan-out example: five sheets, three instances of stage 2, the synthesis waits for all three', async () => {
    const file = join(EXAMPLES, 'parallel-research-fanout.yaml');
    await client.open(file);
    const { plan: view } = await plan({ uri: uriOf(file) });
    assert.ok(view);
    assert.equal(view.totalSheets, 5);
    assert.deepEqual(view.sheets.map((s) => [s.num, s.stage, s.instance, s.fanCount]), [[1, 1, 1, 1], [2, 2, 1, 3], [3, 2, 2, 3], [4, 2, 3, 3], [5, 3, 1, 1]]);
    assert.deepEqual(view.sheets[4]?.dependsOn, [2, 3, 4]);
    await client.close(file);
  });

  test('follows the unsaved buffer, not the file on disk', async () => {
    const file = join(dir, 'live.yaml');
    const original = readFileSync(join(EXAMPLES, 'parallel-research-fanout.yaml'), 'utf8');
    writeFileSync(file, original);
    await client.open(file);
    const uri = uriOf(file);
    assert.equal((await plan({ uri })).plan?.totalSheets, 5);
    const edited = original.replace(/fan_out:\n {4}2: 3/, 'fan_out:\n    2: 5');
    assert.notEqual(edited, original);
    const version = await client.change(uri, edited);
    const answer = await plan({ uri, promptSheet: 7 });
    assert.equal(answer.version, version, 'answered from the latest text');
    assert.equal(answer.plan?.totalSheets, 7);
    assert.deepEqual(answer.plan?.sheets[6]?.dependsOn, [2, 3, 4, 5, 6]);
    assert.equal(answer.prompt?.sheet, 7);
    assert.match(answer.prompt?.prompt ?? '', /Stage 3: synthesise/);
    assert.equal(readFileSync(file, 'utf8'), original, 'the file on disk is untouched');
    await client.close(file);
  });

  test('says why there is no plan: not open, not a score, a sheet that does not exist, broken YAML', async () => {
    const missing = await plan({ uri: uriOf(join(dir, 'nowhere.yaml')) });
    assert.equal(missing.plan, null);
    assert.match(missing.reason ?? '', /not open/);

    const notScore = join(dir, 'compose.yaml');
    await client.openQuietly(notScore, 'services:\n  web:\n    image: nginx\n');
    const other = await plan({ uri: uriOf(notScore) });
    assert.equal(other.plan, null);
    assert.match(other.reason ?? '', /not a Mozart score/);

    const file = join(EXAMPLES, 'hello-world.yaml');
    await client.open(file);
    const beyond = await plan({ uri: uriOf(file), promptSheet: 99 });
    assert.match(beyond.prompt?.error ?? '', /there is no sheet 99/);
    await client.close(file);

    const broken = join(dir, 'broken.yaml');
    await client.open(broken, 'name: broken\nworkspace: ./ws\nsheet:\n  size: [1\n');
    const answer = await plan({ uri: uriOf(broken), promptSheet: 1 });
    assert.equal(answer.plan, null);
    assert.ok(answer.reason);
    assert.ok(answer.findings.errors > 0 && answer.findings.first[0]?.line !== undefined, JSON.stringify(answer.findings));
    assert.equal(answer.prompt, null);
  });
});
