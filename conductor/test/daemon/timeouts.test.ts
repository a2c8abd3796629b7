// The CLI never hangs on a stuck conductor: against a socket that accepts and never answers, and
// against a real conductor stopped with SIGSTOP, a command fails with a message that says where to
// look and what to do; once the conductor continues, commands work again.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { harness } from './harness.js';

const h = harness({ MOZART_REQUEST_TIMEOUT: '1' });
const log = join(h.home, 'mozart.log');

before(() => {
  const r = h.mozart('start');
  assert.equal(r.code, 0, r.err);
});

after(() => {
  h.mozart('stop');
});

test('a socket that accepts and never answers: the command fails after the time limit, exit 2, saying what to do', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'mz-mute-')), 'mute.sock');
  const received: string[] = [];
  const mute = createServer((socket) => socket.on('data', (d) => received.push(d.toString())));
  await new Promise<void>((resolve) => mute.listen(path, resolve));
  try {
    const r = await h.mozartLive(['status', 'some-job', '--socket', path]);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err, `mozart: The conductor did not answer 'job.status' within 1 s; it may be stuck: see ${log} or 'mozart restart'\n`);
    assert.match(received.join(''), /"method":"job\.status"/, 'the request reached the socket');
  } finally {
    mute.close();
  }
});

test('a conductor stopped with SIGSTOP: commands fail with the message instead of hanging; after SIGCONT they work', async () => {
  const client = await h.connect();
  const { pid } = await client.request('daemon.status', {});
  client.close();
  process.kill(pid, 'SIGSTOP');
  try {
    const list = h.mozart('list');
    assert.equal(list.code, 2, list.err);
    assert.equal(list.err, `mozart: The conductor did not answer 'job.list' within 1 s; it may be stuck: see ${log} or 'mozart restart'\n`);
    const status = h.mozart('conductor-status');
    assert.equal(status.code, 2, status.err);
    assert.match(status.err, /did not answer 'daemon\.status' within 1 s/);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  const again = h.mozart('list', '--json');
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(JSON.parse(again.out), []);
});

test('a time limit that is not a number of seconds is refused plainly', () => {
  const r = h.mozart('list');
  assert.equal(r.code, 0, r.err);
  const bad = harness({ MOZART_REQUEST_TIMEOUT: 'soon' });
  const refused = bad.mozart('list', '--socket', h.socket);
  assert.equal(refused.code, 1);
  assert.equal(refused.err, "mozart list: MOZART_REQUEST_TIMEOUT must be a number of seconds above 0 (it is 'soon').\n");
});
