// The client against real Unix-socket servers that misbehave: one that accepts and never answers,
// one that answers liveness checks but holds a waiting method, one that sends a line over the
// frame limit. No request may hang.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { ConductorClient, ConductorError, ConductorTimeoutError, DEFAULT_REQUEST_TIMEOUT_MS } from '../src/client.js';
import { MAX_FRAME_BYTES } from '../src/framing.js';

interface Received {
  id: number;
  method: string;
}

/** A server that hands each request to `onRequest` with a way to answer it. */
async function fakeConductor(onRequest: (request: Received, answer: (result: unknown) => void, socket: Socket) => void): Promise<{ path: string; server: Server }> {
  const path = join(mkdtempSync(join(tmpdir(), 'mz-client-')), 'c.sock');
  const server = createServer((socket) => {
    let buffer = '';
    socket.on('data', (d) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const request = JSON.parse(buffer.slice(0, nl)) as Received;
        buffer = buffer.slice(nl + 1);
        onRequest(request, (result) => socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, result })}\n`), socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  servers.push(server);
  return { path, server };
}

const servers: Server[] = [];
const clients: ConductorClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) s.close();
});

async function connect(path: string, timeoutMs: number): Promise<ConductorClient> {
  const client = await ConductorClient.connect(path, { timeoutMs, stuckHint: "see /home/me/.mozart/conductor.log or 'mozart restart'" });
  clients.push(client);
  return client;
}

test('the default time limit is 30 s', () => {
  assert.equal(DEFAULT_REQUEST_TIMEOUT_MS, 30_000);
});

test('a conductor that accepts and never answers: the request fails with a message that says what to do', async () => {
  const seen: string[] = [];
  const { path } = await fakeConductor((request) => seen.push(request.method));
  const client = await connect(path, 200);
  await assert.rejects(client.request('job.status', { jobId: 'a' }), (error: Error) => {
    assert.ok(error instanceof ConductorTimeoutError);
    assert.equal(error.message, "The conductor did not answer 'job.status' within 0.2 s; it may be stuck: see /home/me/.mozart/conductor.log or 'mozart restart'");
    return true;
  });
  assert.deepEqual(seen, ['job.status'], 'the request was sent');
});

test('a per-call time limit overrides the client one', async () => {
  const { path } = await fakeConductor(() => undefined);
  const client = await connect(path, 60_000);
  await assert.rejects(client.request('job.list', {}, { timeoutMs: 100 }), /did not answer 'job\.list' within 0\.1 s/);
});

test('an answer after the time limit is ignored, and the next request is answered', async () => {
  let held: ((result: unknown) => void) | undefined;
  const { path } = await fakeConductor((request, answer) => {
    if (request.method === 'job.list') held = answer;
    else answer({ pid: 1 });
  });
  const client = await connect(path, 100);
  await assert.rejects(client.request('job.list', {}), ConductorTimeoutError);
  held?.([]);
  assert.deepEqual(await client.request('daemon.status', {}), { pid: 1 });
});

test('a method that waits for a safe point has no fixed limit while the conductor answers checks', async () => {
  let probes = 0;
  let finish: ((result: unknown) => void) | undefined;
  let enoughProbes: () => void = () => undefined;
  const threeProbes = new Promise<void>((resolve) => (enoughProbes = resolve));
  const { path } = await fakeConductor((request, answer) => {
    if (request.method === 'job.modify') finish = answer;
    else if (request.method === 'daemon.status') {
      answer({ pid: 1 });
      if (++probes === 3) enoughProbes();
    }
  });
  const client = await connect(path, 150);
  const modified = client.request('job.modify', { jobId: 'a', resume: true });
  await threeProbes; // a check every 50 ms: by now the request has waited its whole 150 ms limit
  finish?.({ jobId: 'a', status: 'running' });
  assert.deepEqual(await modified, { jobId: 'a', status: 'running' });
});

test('a waiting method fails once a check goes unanswered: the conductor stopped answering', async () => {
  let probes = 0;
  const { path } = await fakeConductor((request, answer) => {
    if (request.method === 'daemon.status' && ++probes <= 2) answer({ pid: 1 }); // then it freezes
  });
  const client = await connect(path, 150);
  await assert.rejects(client.request('job.modify', { jobId: 'a' }), (error: Error) => {
    assert.ok(error instanceof ConductorTimeoutError);
    assert.equal(error.message, "The conductor stopped answering while 'job.modify' waited (a check got no answer within 0.15 s); it may be stuck: see /home/me/.mozart/conductor.log or 'mozart restart'");
    return true;
  });
  assert.equal(probes, 3, 'two checks were answered, the third was not');
});

test("a refusal is a ConductorError with the conductor's code and message", async () => {
  const { path } = await fakeConductor((request, _answer, socket) => socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, error: { code: -32000, message: "No job named 'a'." } })}\n`));
  const client = await connect(path, 1000);
  await assert.rejects(client.request('job.status', { jobId: 'a' }), (error: Error) => error instanceof ConductorError && error.code === -32000 && error.message === "No job named 'a'.");
});

test('a closed connection fails the requests in flight, and later ones at once', async () => {
  const { path } = await fakeConductor((_request, _answer, socket) => socket.destroy());
  const client = await connect(path, 60_000);
  await assert.rejects(client.request('job.status', { jobId: 'a' }), /The conductor closed the connection\./);
  await assert.rejects(client.request('job.status', { jobId: 'a' }), /The connection to the conductor is closed\./);
});

test('a line from the conductor over the shared frame limit fails the requests and closes the connection', async () => {
  const { path } = await fakeConductor((_request, _answer, socket) => socket.write(Buffer.alloc(MAX_FRAME_BYTES + 1, 'x')));
  const client = await connect(path, 60_000);
  const closed = new Promise<void>((resolve) => (client.onClose = resolve));
  await assert.rejects(client.request('job.status', { jobId: 'a' }), /The conductor sent a message over 32 MiB, the limit of one message; the connection is closed\./);
  await closed;
});

test('a request over the frame limit is not sent', async () => {
  const seen: string[] = [];
  const { path } = await fakeConductor((request) => seen.push(request.method));
  const client = await connect(path, 1000);
  await assert.rejects(client.request('job.submit', { scoreFile: 'x'.repeat(MAX_FRAME_BYTES) }), /The 'job\.submit' request is over 32 MiB, the limit of one message; it was not sent\./);
  await assert.rejects(client.request('job.status', { jobId: 'a' }, { timeoutMs: 50 }), ConductorTimeoutError);
  assert.deepEqual(seen, ['job.status'], 'only the small request reached the server');
});

test('events reach onEvent; answers in a batch array are matched by id', async () => {
  const { path } = await fakeConductor((request, _answer, socket) => {
    socket.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { type: 'job.started', jobId: 'a', at: 'now' } })}\n`);
    socket.write(`${JSON.stringify([{ jsonrpc: '2.0', id: request.id, result: { ok: true } }])}\n`);
  });
  const client = await connect(path, 1000);
  const events: unknown[] = [];
  client.onEvent = (e) => events.push(e);
  assert.deepEqual(await client.request('daemon.health', {}), { ok: true });
  assert.deepEqual(events, [{ type: 'job.started', jobId: 'a', at: 'now' }]);
});
