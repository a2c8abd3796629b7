// The conductor's socket server: accepts connections on a Unix socket (owner-only), decodes one
// JSON-RPC message per line, dispatches to the method table, and pushes events to subscribers. A bad
// frame gets an error reply (or, if too large, a closed connection); it never reaches the jobs.
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { encodeFrame, LineDecoder, RPC_ERRORS } from '../../../protocol/src/framing.js';
import type { RpcRequest, RpcResponse } from '../../../protocol/src/framing.js';
import { EVENT_NOTIFICATION } from '../../../protocol/src/methods.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';

/** A method handler: params in, result out; throw MethodError to refuse. */
export type Handler = (params: Record<string, unknown>) => unknown | Promise<unknown>;

/** A refusal with a JSON-RPC error code. */
export class MethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Bytes buffered for a slow client before it is dropped, so it can never hold up the conductor. */
const MAX_PENDING_WRITE_BYTES = 8 * 1024 * 1024;

interface Connection {
  socket: Socket;
  /** Job ids subscribed to ('*' for all). */
  subscriptions: Set<string>;
}

export class ConductorServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();

  constructor(private readonly handlers: Record<string, Handler>) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.maxConnections = 1000;
  }

  /** Listens on `path`, creating its directory with mode 0700 and the socket with mode 0600. */
  listen(path: string): Promise<void> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    chmodSync(dirname(path), 0o700);
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const oldMask = process.umask(0o177);
      this.server.listen(path, () => {
        process.umask(oldMask);
        chmodSync(path, 0o600);
        this.server.removeListener('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Sends an event to every connection subscribed to its job (or to all jobs). */
  publish(event: RunnerEvent): void {
    for (const c of this.connections) {
      if (c.subscriptions.has('*') || c.subscriptions.has(event.jobId)) this.send(c, { jsonrpc: '2.0', method: EVENT_NOTIFICATION, params: event });
    }
  }

  private accept(socket: Socket): void {
    const connection: Connection = { socket, subscriptions: new Set() };
    this.connections.add(connection);
    const decoder = new LineDecoder();
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = decoder.push(chunk);
      for (const line of lines) void this.handleLine(connection, line);
      if (overflow) {
        this.send(connection, { jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.invalidRequest, message: 'Message too large: the limit is 1 MiB per line. The connection is closed.' } });
        socket.end();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(connection));
  }

  private send(connection: Connection, message: RpcResponse | RpcRequest): void {
    const { socket } = connection;
    if (socket.destroyed) return;
    if (socket.writableLength > MAX_PENDING_WRITE_BYTES) {
      socket.destroy(); // a client that stopped reading is dropped, not waited for
      return;
    }
    socket.write(encodeFrame(message));
  }

  private async handleLine(connection: Connection, line: string): Promise<void> {
    if (line.trim() === '') return;
    let request: RpcRequest;
    try {
      request = JSON.parse(line) as RpcRequest;
    } catch {
      this.send(connection, { jsonrpc: '2.0', id: null, error: { code: RPC_ERRORS.parseError, message: 'Parse error: each line must be one JSON-RPC 2.0 message.' } });
      return;
    }
    const id = request && typeof request === 'object' && (typeof request.id === 'number' || typeof request.id === 'string') ? request.id : null;
    if (!request || typeof request !== 'object' || request.jsonrpc !== '2.0' || typeof request.method !== 'string') {
      this.send(connection, { jsonrpc: '2.0', id, error: { code: RPC_ERRORS.invalidRequest, message: 'Invalid request: expected {"jsonrpc":"2.0","method":…,"id":…}.' } });
      return;
    }
    const params = request.params ?? {};
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      this.send(connection, { jsonrpc: '2.0', id, error: { code: RPC_ERRORS.invalidParams, message: 'Invalid params: expected an object.' } });
      return;
    }
    if (request.method === 'events.subscribe') {
      const jobId = (params as { jobId?: unknown }).jobId;
      connection.subscriptions.add(typeof jobId === 'string' ? jobId : '*');
      this.send(connection, { jsonrpc: '2.0', id, result: { subscribed: true } });
      return;
    }
    const handler = Object.hasOwn(this.handlers, request.method) ? this.handlers[request.method] : undefined;
    if (!handler) {
      this.send(connection, { jsonrpc: '2.0', id, error: { code: RPC_ERRORS.methodNotFound, message: `Unknown method '${request.method}'.` } });
      return;
    }
    try {
      const result = await handler(params as Record<string, unknown>);
      if (request.id !== undefined) this.send(connection, { jsonrpc: '2.0', id, result: result ?? null });
    } catch (error) {
      const code = error instanceof MethodError ? error.code : RPC_ERRORS.internalError;
      this.send(connection, { jsonrpc: '2.0', id, error: { code, message: (error as Error).message } });
    }
  }
}
