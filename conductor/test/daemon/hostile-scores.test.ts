// Hostile scores against a real conductor while another job keeps running on it: each is refused
// with what was wrong — through `mozart validate`, `mozart run` and a raw `job.submit` — and none
// stops the conductor from serving the running job: its status is asked for from another
// connection while each `run` and `job.submit` is answered, and once more after. The biggest
// scores a conductor accepts to read (a 1 MB key; just under the 4 MiB cap, 180,000 unknown keys
// and one error) are checked off the event loop: the running job's status is answered many times
// while that check is still going on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import type { ConductorClient } from '../../../protocol/src/client.js';
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

/** What `mozart validate` and the conductor print is bounded: a hostile score cannot make either print megabytes. */
const MAX_OUTPUT = 20_000;
/** The pause between status requests while a hostile score is checked. */
const PACE_MS = 50;
const LATIN1_BEFORE = `${HEAD}sheet: { size: 1, total_items: 1 }\ndescription: caf`;

const CASES: { name: string; make: () => string; says: RegExp }[] = [
  {
    name: 'a named pipe as the score',
    make: () => {
      const file = join(dir, 'fifo.yaml');
      execFileSync('mkfifo', [file]);
      return file;
    },
    says: /fifo\.yaml is a FIFO \(named pipe\), not a regular file/,
  },
  { name: 'a character device as the score', make: () => '/dev/zero', says: /\/dev\/zero is a character device, not a regular file/ },
  {
    name: 'a directory as the score',
    make: () => {
      const folder = join(dir, 'folder.yaml');
      mkdirSync(folder);
      return folder;
    },
    says: /folder\.yaml is a directory, not a regular file/,
  },
  { name: 'total_items of a trillion', make: () => write('trillion.yaml', `${HEAD}sheet: { size: 1, total_items: 1000000000000 }\n`), says: /S006/ },
  { name: 'a fan-out of a billion', make: () => write('fan.yaml', `${HEAD}sheet: { size: 1, total_items: 3, fan_out: { 2: 1000000000 } }\n`), says: /S006/ },
  // The key is quoted in the S005 message: a megabyte the output must not carry.
  { name: 'a 1 MB key', make: () => write('key.yaml', `${HEAD}sheet:\n  size: 1\n  total_items: 2\n  fan_out:\n    ? ${'k'.repeat(1024 * 1024)}\n    : 2\n`), says: /S005 Key 'k{100,}… \(\d+ more characters\)/ },
  {
    name: 'bytes that are not UTF-8',
    make: () => write('latin1.yaml', Buffer.concat([Buffer.from(LATIN1_BEFORE), Buffer.from([0xe9]), Buffer.from('\n')])),
    // Line 6, column 17: right after "description: caf".
    says: new RegExp(`:6:17: (error )?Y002 The file is not valid UTF-8: byte 0xE9 \\(byte ${Buffer.byteLength(LATIN1_BEFORE)} of the file\\)`),
  },
  {
    name: 'a 64 KB binary file',
    // Bytes 0-255 over and over: 0x80 at byte 128 is the first that is not UTF-8, on line 2 (after the 0x0A at byte 10).
    make: () => write('binary.yaml', Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => i % 256))),
    says: /:2:118: (error )?Y002 The file is not valid UTF-8: byte 0x80 \(byte 128 of the file\)/,
  },
  { name: '10,000 levels of nesting', make: () => write('deep.yaml', `${HEAD}sheet: { size: 1, total_items: 1 }\nx: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`), says: /Y003/ },
  { name: 'a file over the size cap', make: () => write('huge.yaml', `${HEAD}sheet: { size: 1, total_items: 1 }\n# ${'x'.repeat(5 * 1024 * 1024)}\n`), says: /larger than 4 MiB/ },
];

/**
 * Asks for the running job's status, from a connection of its own, until `work` settles: how many
 * answers came meanwhile. Had `work` blocked the conductor's event loop, at most the requests sent
 * before it started and one queued behind it would be answered before it settled. The requests
 * are paced (a pause between an answer and the next request), so that asking does not take the CPU
 * the check in the conductor's worker needs.
 */
async function statusAnsweredDuring(watcher: ConductorClient, work: Promise<unknown>): Promise<number> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  let answered = 0;
  while (!settled) {
    const status = await watcher.request('job.status', { jobId: 'keeps-running' });
    assert.equal(status.status, 'running');
    answered++;
    await pause(PACE_MS);
  }
  return answered;
}

/**
 * `mozart validate`, `mozart run` and a raw `job.submit` of `file` are each refused saying `says`,
 * within bounded output; gives what validate printed and the status answers during run and submit.
 */
async function refusedEverywhere(name: string, file: string, says: RegExp, submitter: ConductorClient, watcher: ConductorClient): Promise<{ validateOut: string; duringRun: number; duringSubmit: number }> {
  const validated = h.mozart('validate', file);
  assert.notEqual(validated.code, 0, `${name}: validate`);
  assert.match(validated.out + validated.err, says, `${name}: validate says why`);
  assert.ok((validated.out + validated.err).length < MAX_OUTPUT, `${name}: validate printed ${(validated.out + validated.err).length} characters`);
  const run = h.mozartLive(['run', file]);
  const duringRun = await statusAnsweredDuring(watcher, run);
  const ran = await run;
  assert.notEqual(ran.code, 0, `${name}: run`);
  assert.match(ran.out + ran.err, says, `${name}: run says why`);
  assert.ok((ran.out + ran.err).length < MAX_OUTPUT, `${name}: run printed ${(ran.out + ran.err).length} characters`);
  const submit = submitter.request('job.submit', { scoreFile: file });
  const duringSubmit = await statusAnsweredDuring(watcher, submit);
  await assert.rejects(submit, (error: Error) => says.test(error.message) && error.message.length < MAX_OUTPUT, `${name}: job.submit`);
  const status = await watcher.request('job.status', { jobId: 'keeps-running' });
  assert.equal(status.status, 'running', `${name}: the running job is untouched`);
  return { validateOut: validated.out, duringRun, duringSubmit };
}

test('each hostile score is refused by validate, run and job.submit, saying what is wrong, while a job keeps running', async () => {
  const submitter = await h.connect();
  const watcher = await h.connect();
  try {
    for (const c of CASES) await refusedEverywhere(c.name, c.make(), c.says, submitter, watcher);
  } finally {
    submitter.close();
    watcher.close();
  }
});

test('a 4 MiB score of 180,000 unknown keys is checked off the event loop: the running job is served meanwhile', async () => {
  const keys = Array.from({ length: 180_000 }, (_, i) => `unknown_key_${i}: 1`).join('\n');
  const file = write('many-keys.yaml', `${HEAD}sheet: { size: 0, total_items: 1 }\n${keys}\n`);
  const submitter = await h.connect();
  const watcher = await h.connect();
  try {
    // validate prints the first 20 unknown keys and counts the rest; run and submit name the one error.
    const { validateOut, duringRun, duringSubmit } = await refusedEverywhere('180,000 unknown keys', file, /sheet\.size/, submitter, watcher);
    assert.ok(duringRun >= 20, `only ${duringRun} status requests were answered while run's score was checked`);
    assert.ok(duringSubmit >= 20, `only ${duringSubmit} status requests were answered while job.submit's score was checked`);
    assert.match(validateOut, /… and 179980 more S001 findings/);
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
