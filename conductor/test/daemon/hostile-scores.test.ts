// Hostile scores against a real conductor while another job keeps running on it: each is refused
// with what was wrong — through `mozart validate`, `mozart run` and a raw `job.submit` — and none
// stops the conductor from serving the running job. The biggest score a conductor accepts to read
// (just under the 4 MiB cap, 180,000 unknown keys and one error) is checked off the event loop:
// the running job's status is answered while that check is still going on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { EventLog, harness, scoreFile } from './harness.js';

const h = harness();
const dir = mkdtempSync(join(tmpdir(), 'mozart-hostile-'));
// Sheet 1 of the running job holds until the test lets it go.
const HOLD = 'while [ ! -e "$MOZART_WORKSPACE/../release" ]; do sleep 0.05; done; touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"';
const running = scoreFile('keeps-running', HOLD, 2);

before(async () => {
  assert.equal(h.mozart('start').code, 0);
  const client = await h.connect();
  try {
    const events = new EventLog(client);
    await client.request('events.subscribe', { jobId: 'keeps-running' });
    await client.request('job.submit', { scoreFile: running });
    await events.waitFor((e) => e.type === 'sheet.started' && e.jobId === 'keeps-running');
  } finally {
    client.close();
  }
});
after(() => h.mozart('stop'));

const HEAD = 'name: hostile\nworkspace: ./ws\nbackend: { type: command, command: "true" }\nprompt: { template: "hi" }\n';

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const CASES: { name: string; make: () => string; says: RegExp }[] = [
  {
    name: 'a named pipe as the score',
    make: () => {
      const file = join(dir, 'fifo.yaml');
      execFileSync('mkfifo', [file]);
      return file;
    },
    says: /not a regular file|named pipe|FIFO/i,
  },
  { name: 'total_items of a trillion', make: () => write('trillion.yaml', `${HEAD}sheet: { size: 1, total_items: 1000000000000 }\n`), says: /S006/ },
  { name: 'a fan-out of a billion', make: () => write('fan.yaml', `${HEAD}sheet: { size: 1, total_items: 3, fan_out: { 2: 1000000000 } }\n`), says: /S006/ },
  { name: 'bytes that are not UTF-8', make: () => write('latin1.yaml', Buffer.concat([Buffer.from(`${HEAD}sheet: { size: 1, total_items: 1 }\ndescription: caf`), Buffer.from([0xe9]), Buffer.from('\n')])), says: /Y002/ },
  { name: '10,000 levels of nesting', make: () => write('deep.yaml', `${HEAD}sheet: { size: 1, total_items: 1 }\nx: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`), says: /Y003/ },
  { name: 'a file over the size cap', make: () => write('huge.yaml', `${HEAD}sheet: { size: 1, total_items: 1 }\n# ${'x'.repeat(5 * 1024 * 1024)}\n`), says: /larger than 4 MiB/ },
];

test('each hostile score is refused by validate, run and job.submit, saying what is wrong, while a job keeps running', async () => {
  const client = await h.connect();
  try {
    for (const c of CASES) {
      const file = c.make();
      const validated = h.mozart('validate', file);
      assert.notEqual(validated.code, 0, `${c.name}: validate`);
      assert.match(validated.out + validated.err, c.says, `${c.name}: validate says why`);
      const ran = h.mozart('run', file);
      assert.notEqual(ran.code, 0, `${c.name}: run`);
      assert.match(ran.out + ran.err, c.says, `${c.name}: run says why`);
      await assert.rejects(client.request('job.submit', { scoreFile: file }), (error: Error) => c.says.test(error.message), `${c.name}: job.submit`);
      const status = await client.request('job.status', { jobId: 'keeps-running' });
      assert.equal(status.status, 'running', `${c.name}: the running job is untouched`);
    }
  } finally {
    client.close();
  }
});

test('a 4 MiB score of 180,000 unknown keys is checked off the event loop: the running job is served meanwhile', async () => {
  const keys = Array.from({ length: 180_000 }, (_, i) => `unknown_key_${i}: 1`).join('\n');
  const file = write('many-keys.yaml', `${HEAD}sheet: { size: 0, total_items: 1 }\n${keys}\n`);
  const submitter = await h.connect();
  const watcher = await h.connect();
  try {
    let settled = false;
    const submitted = submitter.request('job.submit', { scoreFile: file }).then(
      () => assert.fail('the score has an error'),
      (error: Error) => assert.match(error.message, /sheet\.size/),
    ).finally(() => (settled = true));
    // While the check goes on, the running job's status keeps being answered from another
    // connection. Had the check blocked the event loop, at most the requests sent before it
    // started and one queued behind it would be answered before the submit's reply.
    let answered = 0;
    while (!settled) {
      const status = await watcher.request('job.status', { jobId: 'keeps-running' });
      assert.equal(status.status, 'running');
      answered++;
    }
    await submitted;
    assert.ok(answered >= 20, `only ${answered} status requests were answered while the score was checked`);
  } finally {
    submitter.close();
    watcher.close();
  }
});

test('the job that kept running completes once released', async () => {
  const client = await h.connect();
  const events = new EventLog(client);
  try {
    await client.request('events.subscribe', { jobId: 'keeps-running' });
    writeFileSync(join(dirname(running), 'release'), '');
    await events.waitFor((e) => e.type === 'job.completed' && e.jobId === 'keeps-running');
    assert.ok(existsSync(join(dirname(running), 'ws', 's2')));
  } finally {
    client.close();
  }
});
