// JSON-RPC 2.0 against the real conductor process over its real socket: a request with an id the
// spec does not allow is refused and not carried out (issue 10, item 8), a notification is carried
// out and never answered, a batch is answered as one array, and a bad param names its field.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RPC_ERRORS } from '../../../protocol/src/framing.js';
import { RawSession } from '../../../protocol/test/raw-socket.js';
import { harness, scoreFile } from './harness.js';

const h = harness();

before(() => {
  const r = h.mozart('start');
  assert.equal(r.code, 0, r.err);
});

after(() => {
  h.mozart('stop');
});

type Reply = { id: unknown; result?: unknown; error?: { code: number; message: string } };
const line = (message: object) => `${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`;

test('a job.submit whose id is an object is refused with -32600 and id null, and no job is started', async () => {
  const file = scoreFile('object-id', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  const session = await RawSession.open(h.socket);
  try {
    for (const id of [{ n: 1 }, [1], true, 0.5]) {
      session.send(line({ id, method: 'job.submit', params: { scoreFile: file } }));
      const reply = (await session.nextJson()) as Reply;
      assert.equal(reply.id, null);
      assert.equal(reply.error?.code, RPC_ERRORS.invalidRequest);
      assert.equal('result' in reply, false);
    }
    const status = (await session.ask(line({ id: 1, method: 'job.status', params: { jobId: 'object-id' } }).trimEnd())) as Reply;
    assert.equal(status.error?.code, RPC_ERRORS.refused);
    assert.match(status.error?.message ?? '', /No job named 'object-id'/);
  } finally {
    session.close();
  }
});

test('a job.submit sent as a notification runs the job and is never answered', async () => {
  const file = scoreFile('notified', 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 1);
  const session = await RawSession.open(h.socket);
  try {
    assert.deepEqual(((await session.ask(line({ id: 1, method: 'events.subscribe', params: { jobId: 'notified' } }).trimEnd())) as Reply).result, { subscribed: true });
    session.send(line({ method: 'job.submit', params: { scoreFile: file } }));
    // Every line from now on is an event of the job, up to its end: no response to the notification.
    for (;;) {
      const message = (await session.nextJson()) as { method?: string; id?: unknown; params?: { type: string } };
      assert.equal(message.method, 'event', `not a response: ${JSON.stringify(message)}`);
      assert.equal('id' in message, false);
      if (message.params?.type === 'job.completed') break;
    }
    const status = (await session.ask(line({ id: 2, method: 'job.status', params: { jobId: 'notified' } }).trimEnd())) as Reply & { result: { status: string } };
    assert.equal(status.id, 2);
    assert.equal(status.result.status, 'completed');
  } finally {
    session.close();
  }
});

test('a batch is answered as one array, each request with its own result or error', async () => {
  const session = await RawSession.open(h.socket);
  try {
    session.send(`[${[line({ id: 'a', method: 'daemon.status' }), line({ id: 'b', method: 'job.status', params: { jobId: 'nope' } }), line({ id: 'c', method: 'job.status', params: { jobId: 7 } }), line({ method: 'job.list' })].map((l) => l.trimEnd()).join(',')}]\n`);
    const replies = (await session.nextJson()) as Reply[];
    const byId = new Map(replies.map((r) => [r.id, r]));
    assert.equal(replies.length, 3, 'the notification in the batch has no response');
    assert.equal((byId.get('a')?.result as { socket: string }).socket, h.socket);
    assert.equal(byId.get('b')?.error?.code, RPC_ERRORS.refused);
    assert.deepEqual(byId.get('c')?.error, { code: RPC_ERRORS.invalidParams, message: "Invalid params: 'jobId' must be a non-empty string." });
  } finally {
    session.close();
  }
});

test("unknown params and a wrong 'jsonrpc' are refused by the real conductor too", async () => {
  const session = await RawSession.open(h.socket);
  try {
    const extra = (await session.ask(line({ id: 1, method: 'job.list', params: { all: true, verbose: true } }).trimEnd())) as Reply;
    assert.deepEqual(extra.error, { code: RPC_ERRORS.invalidParams, message: "Invalid params: 'verbose' is not a parameter of 'job.list' (it takes 'all')." });
    const old = (await session.ask(JSON.stringify({ jsonrpc: '1.0', id: 2, method: 'daemon.shutdown' }))) as Reply;
    assert.equal(old.error?.code, RPC_ERRORS.invalidRequest);
    assert.equal(((await session.ask(line({ id: 3, method: 'daemon.status' }).trimEnd())) as Reply).id, 3, 'the conductor did not shut down');
  } finally {
    session.close();
  }
});
