// The offline examples of examples/ run to completion through a real conductor, as their headers say.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { EventLog, harness } from './harness.js';

const h = harness();
const dir = mkdtempSync(join(tmpdir(), 'mozart-examples-'));
cpSync(resolve(__dirname, '../../../examples'), dir, { recursive: true });

before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

for (const [name, files] of [
  ['sheet-review', ['review-1.md', 'review-2.md', 'review-3.md']],
  ['parallel-research-fanout', ['scope.md', 'research-1.md', 'research-2.md', 'research-3.md', 'synthesis.md']],
] as const) {
  test(`examples/${name}.yaml runs offline to completion`, async () => {
    const client = await h.connect();
    const log = new EventLog(client);
    await client.request('events.subscribe', { jobId: name });
    const started = h.mozart('run', join(dir, `${name}.yaml`));
    assert.equal(started.code, 0, started.err);
    const end = await log.waitFor((e) => e.type === 'job.completed' || e.type === 'job.failed');
    client.close();
    assert.equal(end.type, 'job.completed', h.mozart('status', name).out);
    const ws = join(dir, name === 'sheet-review' ? 'workspace-review' : 'workspace-fanout');
    for (const f of files) assert.ok(existsSync(join(ws, f)), f);
    if (name === 'sheet-review') assert.match(readFileSync(join(ws, 'review-3.md'), 'utf8'), /items 9-10[\s\S]*item 10: src\/cli\.ts/);
    else assert.equal((readFileSync(join(ws, 'synthesis.md'), 'utf8').match(/ANGLE \d DONE/g) ?? []).length, 3);
  });
}
