// The socket server against JSON-RPC 2.0 to the letter, over a real Unix socket, with a method
// table that records what it was asked: ids, notifications, batches, error codes, param checks,
// answers too large for a frame, and events to subscribers.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MAX_FRAME_BYTES, RPC_ERRORS } from '../../../protocol/src/framing.js';
import { METHODS } from '../../../protocol/src/methods.js';
import type { EventNotification, Method, Result } from '../../../protocol/src/methods.js';
import { ConductorServer, MAX_BATCH, MethodError } from '../../src/daemon/server.js';
import type { Handlers } from '../../src/daemon/server.js';
import { RawSession } from '../../../protocol/test/raw-socket.js';

class Refusal extends Error {}

const calls: { method: string; params: unknown }[] = [];
const logged: string[] = [];
/** What job.status answers for a job id; special ids make the handler fail in one way each. */
const states = new Map<string, object>();
let server: ConductorServer;

function handler<M extends Exclude<Method, 'events.subscribe'>>(method: M): Handlers[M] {
  return (async (params: { jobId?: string }) => {
    calls.push({ method, params });
    if (params.jobId === 'crash') throw new TypeError("Cannot read properties of undefined (reading 'sheets')");
    if (params.jobId === 'refused') throw new Refusal("No job named 'refused'.");
    if (params.jobId === 'coded') throw new MethodError(-32042, 'A refusal with its own code.');
    if (params.jobId === 'huge') return { text: 'x'.repeat(MAX_FRAME_BYTES + 10) };
    if (method === 'job.status' && params.jobId && states.has(params.jobId)) {
      const state = states.get(params.jobId) as object;
      server.keepJson(state);
      return state;
    }
    return { method };
  }) as unknown as Handlers[M];
}

const handlers = Object.fromEntries(METHODS.filter((m) => m !== 'events.subscribe').map((m) => [m, handler(m as Exclude<Method, 'events.subscribe'>)])) as unknown as Handlers;
const socket = join(mkdtempSync(join(tmpdir(), 'mz-rpc-')), 'rpc.sock');
let session: RawSession;

before(async () => {
  server = new ConductorServer(handlers, { isRefusal: (e) => e instanceof Refusal, log: (m) => logged.push(m) });
  await server.listen(socket);
  session = await RawSession.open(socket);
});

after(async () => {
  session.close();
  await server.close();
});

beforeEach(() => {
  calls.length = 0;
});

type Reply = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string } };
const ask = async (line: string) => (await session.ask(line)) as Reply;
const request = (id: unknown, method: string, params?: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
const notification = (method: string, params?: unknown) => JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) });

describe('ids', () => {
  test('a request is answered with its id exactly: integer, string, or null', async () => {
    assert.deepEqual(await ask(request(7, 'job.status', { jobId: 'a' })), { jsonrpc: '2.0', id: 7, result: { method: 'job.status' } });
    assert.deepEqual(await ask(request('req-α', 'job.status', { jobId: 'a' })), { jsonrpc: '2.0', id: 'req-α', result: { method: 'job.status' } });
    assert.deepEqual(await ask(request(null, 'job.status', { jobId: 'a' })), { jsonrpc: '2.0', id: null, result: { method: 'job.status' } });
    assert.equal(calls.length, 3);
  });

  for (const [kind, id] of [
    ['an object', { n: 1 }],
    ['a list', [1]],
    ['a boolean', true],
    ['a fraction', 1.5],
    ['an integer beyond 2^53', 2 ** 60],
  ] as const) {
    test(`a request whose id is ${kind} is refused with -32600 and id null, and not carried out`, async () => {
      const reply = await ask(request(id, 'daemon.shutdown', {}));
      assert.equal(reply.id, null);
      assert.equal(reply.error?.code, RPC_ERRORS.invalidRequest);
      assert.match(reply.error?.message ?? '', new RegExp(`'id' must be a string, an integer or null \\(got ${kind.replace('^', '\\^')}\\)`));
      assert.equal('result' in reply, false);
      assert.deepEqual(calls, []);
    });
  }
});

describe('notifications', () => {
  test('a notification is carried out and never answered', async () => {
    session.send(`${notification('job.pause', { jobId: 'n1' })}\n`);
    const reply = await ask(request(1, 'daemon.status'));
    assert.equal(reply.id, 1, 'the first line is the answer to the request after it');
    assert.deepEqual(calls, [
      { method: 'job.pause', params: { jobId: 'n1' } },
      { method: 'daemon.status', params: {} },
    ]);
  });

  test('a notification that fails (unknown method, bad params, refusal, crash) is not answered either', async () => {
    for (const line of [notification('no.such'), notification('job.status', { jobId: 7 }), notification('job.status', { jobId: 'refused' }), notification('job.status', { jobId: 'crash' }), notification('job.status', 'bar')]) session.send(`${line}\n`);
    assert.equal((await ask(request(2, 'daemon.status'))).id, 2);
    assert.equal((await ask(request(3, 'daemon.status'))).id, 3, 'no answer to any of the notifications came before');
  });

  test('an invalid request is answered even without an id, as the spec shows', async () => {
    const reply = await ask(JSON.stringify({ jsonrpc: '2.0', method: 1, params: 'bar' }));
    assert.deepEqual(reply, { jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.invalidRequest, message: "Invalid request: 'method' must be a string." } });
  });
});

describe('requests that are not valid', () => {
  test("'jsonrpc' must be exactly \"2.0\"; the request is not carried out, its id is kept", async () => {
    for (const jsonrpc of [undefined, '1.0', 2, '2.0 ']) {
      const reply = await ask(JSON.stringify({ ...(jsonrpc === undefined ? {} : { jsonrpc }), id: 5, method: 'daemon.shutdown' }));
      assert.equal(reply.id, 5);
      assert.equal(reply.error?.code, RPC_ERRORS.invalidRequest);
      assert.match(reply.error?.message ?? '', /'jsonrpc' must be exactly "2.0"/);
    }
    assert.deepEqual(calls, []);
  });

  test('a message that is not an object, or a response object, is an invalid request', async () => {
    for (const line of ['"hello"', '42', 'null', JSON.stringify({ jsonrpc: '2.0', id: 9, result: 1 })]) {
      const reply = await ask(line);
      assert.equal(reply.error?.code, RPC_ERRORS.invalidRequest, line);
    }
  });

  test('a line that is not JSON is a parse error with id null; the connection goes on', async () => {
    assert.deepEqual(await ask('{"jsonrpc":"2.0","id":1,"method":'), { jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.parseError, message: 'Parse error: each line must be one JSON-RPC 2.0 message.' } });
    assert.equal((await ask(request(4, 'daemon.status'))).id, 4);
  });

  test('an unknown method is -32601, inherited object keys included', async () => {
    for (const method of ['no.such', 'rpc.discover', 'toString', '__proto__', 'constructor']) {
      const reply = await ask(request(1, method));
      assert.equal(reply.error?.code, RPC_ERRORS.methodNotFound, method);
      assert.equal(reply.error?.message, `Unknown method '${method}'.`);
    }
  });
});

describe('params', () => {
  const paramError = async (method: string, params: unknown) => {
    const reply = await ask(request(1, method, params));
    assert.equal(reply.error?.code, RPC_ERRORS.invalidParams, JSON.stringify(params));
    return reply.error?.message;
  };

  test('params that are not an object or a list are -32602', async () => {
    for (const params of ['bar', 5, true, null]) assert.equal(await paramError('job.status', params), 'Invalid params: params must be an object (or left out).');
    assert.deepEqual(calls, []);
  });

  test('params by position are refused with -32602; an empty list means none', async () => {
    assert.equal(await paramError('job.status', ['a']), "Invalid params: 'job.status' takes its params by name, as an object, not as a list.");
    assert.deepEqual((await ask(request(1, 'daemon.status', []))).result, { method: 'daemon.status' });
  });

  test('a bad param is answered with a message that names the field', async () => {
    assert.equal(await paramError('job.status', { jobId: 7 }), "Invalid params: 'jobId' must be a non-empty string.");
    assert.equal(await paramError('job.status', { jobId: '' }), "Invalid params: 'jobId' must be a non-empty string.");
    assert.equal(await paramError('job.status', {}), "Invalid params: 'jobId' is required (a non-empty string).");
    assert.equal(await paramError('job.status', { jobId: 'a', sheet: 2 }), "Invalid params: 'sheet' is not a parameter of 'job.status' (it takes 'jobId').");
    assert.equal(await paramError('daemon.status', { verbose: true }), "Invalid params: 'verbose' is not a parameter of 'daemon.status' (it takes none).");
    assert.equal(await paramError('job.submit', { scoreFile: 's.yaml', startSheet: 0 }), "Invalid params: 'startSheet' must be an integer ≥ 1.");
    assert.equal(await paramError('job.submit', { scoreFile: 's.yaml', fresh: 'yes' }), "Invalid params: 'fresh' must be true or false.");
    assert.equal(await paramError('job.logs', { jobId: 'a', offset: 1.5 }), "Invalid params: 'offset' must be an integer.");
    assert.equal(await paramError('job.clear', { statuses: ['completed', 'done'] }), "Invalid params: 'statuses' must be a list of pending, running, completed, failed, paused, cancelled.");
    assert.deepEqual(calls, [], 'no handler ran');
  });

  test('an optional param sent as null is left out before the handler runs; a required one is missing', async () => {
    await ask(request(1, 'job.logs', { jobId: 'a', sheet: null, offset: -10 }));
    assert.deepEqual(calls, [{ method: 'job.logs', params: { jobId: 'a', offset: -10 } }]);
    assert.equal(await paramError('job.status', { jobId: null }), "Invalid params: 'jobId' is required (a non-empty string).");
  });
});

describe('errors from handlers', () => {
  test("the manager's refusals are -32000 with their message; a handler's own code is kept", async () => {
    assert.deepEqual((await ask(request(1, 'job.status', { jobId: 'refused' }))).error, { code: RPC_ERRORS.refused, message: "No job named 'refused'." });
    assert.deepEqual((await ask(request(2, 'job.status', { jobId: 'coded' }))).error, { code: -32042, message: 'A refusal with its own code.' });
  });

  test('an unexpected error is -32603 without its stack, which goes to the log', async () => {
    const reply = await ask(request(1, 'job.status', { jobId: 'crash' }));
    assert.equal(reply.error?.code, RPC_ERRORS.internalError);
    assert.equal(reply.error?.message, "Internal error in 'job.status': Cannot read properties of undefined (reading 'sheets'). The conductor keeps running; its log has the details.");
    assert.doesNotMatch(JSON.stringify(reply), /\bat .*\.ts:\d+/);
    assert.match(logged.at(-1) ?? '', /internal error in 'job\.status'[\s\S]*TypeError[\s\S]*\n\s+at /);
    assert.equal((await ask(request(2, 'daemon.status'))).id, 2, 'the server keeps answering');
  });
});

describe('batches', () => {
  test('a batch is answered with one array holding a response per request (none for notifications)', async () => {
    session.send(`[${[request(1, 'daemon.status'), notification('job.pause', { jobId: 'b' }), request('two', 'job.status', {}), '7', request(3, 'no.such')].join(',')}]\n`);
    const replies = (await session.nextJson()) as Reply[];
    assert.ok(Array.isArray(replies));
    const byId = (id: unknown) => replies.filter((r) => r.id === id);
    assert.equal(replies.length, 4);
    assert.deepEqual(byId(1)[0]?.result, { method: 'daemon.status' });
    assert.equal(byId('two')[0]?.error?.code, RPC_ERRORS.invalidParams);
    assert.equal(byId(3)[0]?.error?.code, RPC_ERRORS.methodNotFound);
    assert.equal(byId(null)[0]?.error?.code, RPC_ERRORS.invalidRequest, 'the element 7 is an invalid request');
    assert.ok(calls.some((c) => c.method === 'job.pause'), 'the notification in the batch was carried out');
  });

  test('an empty batch is one invalid-request response, not an array', async () => {
    assert.deepEqual(await ask('[]'), { jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.invalidRequest, message: 'Invalid request: a batch must hold at least one request.' } });
  });

  test('a batch of non-requests is an array of invalid-request responses', async () => {
    const replies = (await ask('[1,2,3]')) as unknown as Reply[];
    assert.equal(replies.length, 3);
    assert.ok(replies.every((r) => r.id === null && r.error?.code === RPC_ERRORS.invalidRequest));
  });

  test('a batch of notifications only is carried out and gets no answer at all', async () => {
    session.send(`[${notification('job.pause', { jobId: 'x' })},${notification('job.cancel', { jobId: 'y' })}]\n`);
    assert.equal((await ask(request(8, 'daemon.status'))).id, 8, 'the next line is the answer to the next request');
    assert.deepEqual(
      calls.map((c) => c.method),
      ['job.pause', 'job.cancel', 'daemon.status'],
    );
  });

  test('a batch that is not JSON is one parse error', async () => {
    assert.equal((await ask(`[${request(1, 'daemon.status')},`)).error?.code, RPC_ERRORS.parseError);
    assert.deepEqual(calls, []);
  });

  test(`a batch of more than ${MAX_BATCH} requests is refused whole, with one -32000 response`, async () => {
    const reply = await ask(`[${Array.from({ length: MAX_BATCH + 1 }, (_, i) => request(i, 'daemon.status')).join(',')}]`);
    assert.equal(reply.id, null);
    assert.equal(reply.error?.code, RPC_ERRORS.refused);
    assert.match(reply.error?.message ?? '', /at most 1000 requests; this one holds 1001\. None of them was carried out/);
    assert.deepEqual(calls, []);
  });
});

describe('answers', () => {
  test('an answer over the frame limit is not sent: a -32001 error says so, and the connection goes on', async () => {
    const reply = await ask(request(1, 'job.status', { jobId: 'huge' }));
    assert.equal(reply.error?.code, RPC_ERRORS.tooLarge);
    assert.match(reply.error?.message ?? '', /^The answer to 'job\.status' is 32\.0 MiB, over the 32 MiB one message may carry/);
    assert.equal((await ask(request(2, 'daemon.status'))).id, 2);
  });

  test('a result declared unchanging is encoded once and the same JSON is sent again', async () => {
    const state = { jobId: 'rest', sheets: { '1': { status: 'completed' } } };
    states.set('rest', state);
    const first = await ask(request(1, 'job.status', { jobId: 'rest' }));
    state.sheets['1'].status = 'changed behind its back';
    const second = await ask(request(2, 'job.status', { jobId: 'rest' }));
    assert.deepEqual(second.result, first.result);
    assert.deepEqual(first.result, { jobId: 'rest', sheets: { '1': { status: 'completed' } } });
  });
});

describe('events', () => {
  const event = (jobId: string): EventNotification => ({ type: 'job.started', jobId, at: '2026-01-01T00:00:00.000Z' });

  test("a subscriber gets its job's events (and only those); a subscription to all gets every job's", async () => {
    const one = await RawSession.open(socket);
    const all = await RawSession.open(socket);
    try {
      assert.deepEqual(((await one.ask(request(1, 'events.subscribe', { jobId: 'a' }))) as Reply).result, { subscribed: true } satisfies Result<'events.subscribe'>);
      all.send(`${notification('events.subscribe', { jobId: null })}\n`); // a notification subscribes too
      assert.equal(((await all.ask(request(2, 'daemon.status'))) as Reply).id, 2);
      server.publish(event('b'));
      server.publish(event('a'));
      assert.deepEqual(await one.nextJson(), { jsonrpc: '2.0', method: 'event', params: event('a') }, 'the event of job b was not sent to it');
      assert.deepEqual(await all.nextJson(), { jsonrpc: '2.0', method: 'event', params: event('b') });
      assert.deepEqual(await all.nextJson(), { jsonrpc: '2.0', method: 'event', params: event('a') });
    } finally {
      one.close();
      all.close();
    }
  });

  test('agent output is gathered for one write, in order, and an answer never waits behind it', async () => {
    const session = await RawSession.open(socket);
    const output = (text: string): EventNotification => ({ type: 'sheet.output', jobId: 'a', at: '2026-01-01T00:00:00.000Z', sheet: 1, stream: 'stdout', text });
    try {
      await session.ask(request(1, 'events.subscribe', { jobId: 'a' }));
      for (const text of ['one\n', 'two\n', 'three\n']) server.publish(output(text));
      // The answer leaves with the output gathered before it, after it: the order is the order of events.
      session.send(`${request(2, 'daemon.status')}\n`);
      for (const text of ['one\n', 'two\n', 'three\n']) assert.deepEqual(await session.nextJson(), { jsonrpc: '2.0', method: 'event', params: output(text) });
      assert.equal(((await session.nextJson()) as Reply).id, 2);
      // A state change sends what was gathered at once, ahead of it.
      server.publish(output('four\n'));
      server.publish(event('a'));
      assert.deepEqual(await session.nextJson(), { jsonrpc: '2.0', method: 'event', params: output('four\n') });
      assert.deepEqual(await session.nextJson(), { jsonrpc: '2.0', method: 'event', params: event('a') });
      // Output alone still leaves, without an answer or a state change to carry it.
      server.publish(output('five\n'));
      assert.deepEqual(await session.nextJson(), { jsonrpc: '2.0', method: 'event', params: output('five\n') });
    } finally {
      session.close();
    }
  });
});
