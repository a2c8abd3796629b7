// The extension's connection never waits forever: against a real socket whose server answers the
// handshake (daemon.status, events.subscribe) and then falls silent, a request fails after the
// time limit with a message that points at the conductor log and the restart command.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConductorTimeoutError } from '../../protocol/src/client.js';
import { ConductorConnection } from '../src/conductor/connection.js';

test('a request to a conductor that stopped answering fails after requestTimeoutMs, saying what to do', async () => {
  const home = mkdtempSync(join(tmpdir(), 'mz-conn-timeout-'));
  const socketPath = join(home, 'c.sock');
  const handshake: Record<string, unknown> = { 'daemon.status': { pid: 4242, version: 'test' }, 'events.subscribe': { subscribed: true } };
  const server = createServer((socket) => {
    let buffer = '';
    socket.on('data', (d) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const request = JSON.parse(buffer.slice(0, nl)) as { id: number; method: string };
        buffer = buffer.slice(nl + 1);
        if (request.method in handshake) socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, result: handshake[request.method] })}\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const logFile = join(home, 'conductor.log');
  const connection = new ConductorConnection({ socketPath, conductorScript: join(home, 'none.js'), execPath: process.execPath, env: {}, logFile, mayRestart: () => false, requestTimeoutMs: 200 });
  try {
    connection.start({ spawn: false });
    await connection.whenRunning();
    await assert.rejects(connection.request('job.list', { all: true }), (error: Error) => {
      assert.ok(error instanceof ConductorTimeoutError);
      assert.equal(error.message, `The conductor did not answer 'job.list' within 0.2 s; it may be stuck: see its log (${logFile}) or restart it ('Mozart: Restart Conductor')`);
      return true;
    });
  } finally {
    connection.dispose();
    server.close();
  }
});
