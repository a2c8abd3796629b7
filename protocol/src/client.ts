// The conductor client used by the CLI and the extension: connects to the socket, sends requests,
// matches responses by id, and hands event notifications to a listener.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodeFrame, LineDecoder } from './framing.js';
import type { RpcErrorObject, RpcResponse } from './framing.js';
import { EVENT_NOTIFICATION } from './methods.js';
import type { EventNotification, MethodName, Methods } from './methods.js';

/** An error the conductor answered with. */
export class ConductorError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConductorError';
  }
}

export class ConductorClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly decoder = new LineDecoder(64 * 1024 * 1024);
  onEvent?: (event: EventNotification) => void;
  onClose?: () => void;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const line of this.decoder.push(chunk).lines) this.handle(line);
    });
    socket.on('close', () => {
      for (const { reject } of this.pending.values()) reject(new Error('The conductor closed the connection.'));
      this.pending.clear();
      this.onClose?.();
    });
    socket.on('error', () => {
      /* reported through 'close' */
    });
  }

  /** Connects; rejects with the socket error (ENOENT / ECONNREFUSED when no conductor runs). */
  static connect(path: string): Promise<ConductorClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new ConductorClient(socket));
      });
      socket.once('error', reject);
    });
  }

  request<M extends MethodName>(method: M, params: Methods[M][0]): Promise<Methods[M][1]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(encodeFrame({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close(): void {
    this.socket.end();
  }

  private handle(line: string): void {
    let message: { id?: number; method?: string; params?: unknown; result?: unknown; error?: RpcErrorObject };
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message.method === EVENT_NOTIFICATION) {
      this.onEvent?.(message.params as EventNotification);
      return;
    }
    const waiter = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!waiter) return;
    this.pending.delete(message.id as number);
    const response = message as RpcResponse;
    if ('error' in response) waiter.reject(new ConductorError(response.error.code, response.error.message));
    else waiter.resolve(response.result);
  }
}
