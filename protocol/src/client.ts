// The conductor client used by the CLI and the extension: connects to the socket, sends requests
// typed by the method table, matches responses by id, and hands event notifications to a listener.
// No request waits forever: each has a time limit, and a method that waits for work (job.modify)
// instead checks that the conductor still answers while it waits, so a stuck conductor is reported
// rather than hung on.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodeFrame, frameFits, LineDecoder, MAX_FRAME_TEXT } from './framing.js';
import type { RpcErrorObject } from './framing.js';
import { EVENT_NOTIFICATION, WAITING_METHODS } from './methods.js';
import type { EventNotification, Method, Params, RecordNotification, Result } from './methods.js';
import { logFile } from './paths.js';

/** How long a request may go unanswered before the client gives up on it. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

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

/** The conductor did not answer in time: it may be stuck (or stopped with SIGSTOP, or swamped). */
export class ConductorTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConductorTimeoutError';
  }
}

export interface ClientOptions {
  /** A request's time limit, and the time a waiting method's liveness check may take (default 30 s). */
  timeoutMs?: number;
  /** Where to look and what to do when the conductor seems stuck; ends the timeout message. */
  stuckHint?: string;
}

export interface RequestOptions {
  /** This call's time limit, waiting methods included (Infinity: none). */
  timeoutMs?: number;
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
  /** A waiting method without a time limit: held only while the conductor answers checks. */
  waiting: boolean;
}

/** "30 s", "0.5 s". */
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(2))} s`;

export class ConductorClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new LineDecoder();
  private readonly timeoutMs: number;
  private readonly stuckHint: string;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  onEvent?: (event: EventNotification) => void;
  /** Journal records, when subscribed with `records: true`. */
  onRecord?: (event: RecordNotification) => void;
  onClose?: () => void;

  private constructor(
    private readonly socket: Socket,
    options: ClientOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.stuckHint = options.stuckHint ?? `see ${logFile()} or 'mozart restart'`;
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = this.decoder.push(chunk);
      for (const line of lines) this.handle(line);
      if (overflow) this.fail(new Error(`The conductor sent a message over ${MAX_FRAME_TEXT}, the limit of one message; the connection is closed.`));
    });
    socket.on('close', () => {
      this.closed = true;
      this.rejectAll(() => new Error('The conductor closed the connection.'));
      this.onClose?.();
    });
    socket.on('error', () => {
      /* reported through 'close' */
    });
  }

  /** Connects; rejects with the socket error (ENOENT / ECONNREFUSED when no conductor runs) or a timeout. */
  static connect(path: string, options: ClientOptions = {}): Promise<ConductorClient> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const onError = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(() => {
        socket.removeListener('error', onError);
        socket.destroy();
        reject(new ConductorTimeoutError('connect', timeoutMs, `The conductor on ${path} did not accept the connection within ${seconds(timeoutMs)}; it may be stuck: ${options.stuckHint ?? `see ${logFile()} or 'mozart restart'`}`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        resolve(new ConductorClient(socket, options));
      });
      socket.once('error', onError);
    });
  }

  /**
   * Sends one request. Rejects with ConductorError when the conductor refuses, ConductorTimeoutError
   * when it does not answer in time, and Error when the connection closes first.
   */
  request<M extends Method>(method: M, params: Params<M>, options: RequestOptions = {}): Promise<Result<M>> {
    const waiting = options.timeoutMs === undefined && WAITING_METHODS.has(method);
    return this.send(method, params, waiting ? Infinity : (options.timeoutMs ?? this.timeoutMs), waiting) as Promise<Result<M>>;
  }

  /**
   * Closes the connection once what was written is flushed. It does not wait for the conductor to
   * close its side, so a stuck conductor cannot keep the process alive.
   */
  close(): void {
    this.socket.end(() => this.socket.destroy());
  }

  private send(method: string, params: unknown, timeoutMs: number, waiting: boolean): Promise<unknown> {
    if (this.closed || this.socket.destroyed) return Promise.reject(new Error('The connection to the conductor is closed.'));
    const frame = encodeFrame({ jsonrpc: '2.0', id: this.nextId, method, params });
    if (!frameFits(frame)) return Promise.reject(new Error(`The '${method}' request is over ${MAX_FRAME_TEXT}, the limit of one message; it was not sent.`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const entry: Pending = { method, resolve, reject, waiting };
      if (Number.isFinite(timeoutMs)) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new ConductorTimeoutError(method, timeoutMs, `The conductor did not answer '${method}' within ${seconds(timeoutMs)}; it may be stuck: ${this.stuckHint}`));
        }, timeoutMs);
      }
      this.pending.set(id, entry);
      this.socket.write(frame);
      if (waiting) this.scheduleProbe();
    });
  }

  /**
   * While a waiting method is outstanding, asks for `daemon.status` every third of the time limit;
   * a check left unanswered for the whole limit fails the waiting requests.
   */
  private scheduleProbe(): void {
    if (this.probeTimer || !this.hasWaiting()) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (!this.hasWaiting()) return;
      this.send('daemon.status', {}, this.timeoutMs, false).then(
        () => this.scheduleProbe(),
        (error: Error) => {
          if (!(error instanceof ConductorTimeoutError)) return; // the connection closed: every request is rejected already
          for (const [id, entry] of this.pending) {
            if (!entry.waiting) continue;
            this.pending.delete(id);
            entry.reject(new ConductorTimeoutError(entry.method, this.timeoutMs, `The conductor stopped answering while '${entry.method}' waited (a check got no answer within ${seconds(this.timeoutMs)}); it may be stuck: ${this.stuckHint}`));
          }
        },
      );
    }, this.timeoutMs / 3);
    this.probeTimer.unref(); // never what keeps a process alive: the waiting request's socket does
  }

  private hasWaiting(): boolean {
    for (const entry of this.pending.values()) if (entry.waiting) return true;
    return false;
  }

  private rejectAll(error: () => Error): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error());
    }
    this.pending.clear();
  }

  /** A broken connection: every request fails with `error`, and the socket is closed. */
  private fail(error: Error): void {
    this.rejectAll(() => error);
    this.socket.destroy();
  }

  private handle(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    for (const m of Array.isArray(message) ? message : [message]) this.dispatch(m as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: RpcErrorObject });
  }

  private dispatch(message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: RpcErrorObject }): void {
    if (message === null || typeof message !== 'object') return;
    if (message.method === EVENT_NOTIFICATION) {
      const params = message.params as EventNotification | RecordNotification;
      if (params.type === 'job.record') this.onRecord?.(params);
      else this.onEvent?.(params);
      return;
    }
    const entry = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!entry) return;
    this.pending.delete(message.id as number);
    clearTimeout(entry.timer);
    if (message.error) entry.reject(new ConductorError(message.error.code, message.error.message));
    else entry.resolve(message.result);
  }
}
