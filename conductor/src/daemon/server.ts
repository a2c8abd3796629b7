// The conductor's socket server: accepts connections on a Unix socket (owner-only), decodes one
// JSON-RPC 2.0 message (or batch) per line, checks it to the letter of the spec, checks its params
// against the method's schema, dispatches to the method table, and pushes events to subscribers.
// Nothing malformed reaches a handler; a bad frame gets an error reply (or, if too large, a closed
// connection) and never affects the jobs.
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { frameFits, isValidId, LineDecoder, MAX_FRAME_BYTES, MAX_FRAME_TEXT, RPC_ERRORS } from '../../../protocol/src/framing.js';
import type { RpcErrorObject, RpcId } from '../../../protocol/src/framing.js';
import { EVENT_NOTIFICATION, METHODS } from '../../../protocol/src/methods.js';
import type { EventNotification, Method, Params, RecordNotification, Result } from '../../../protocol/src/methods.js';
import { checkParams } from './params.js';

/** Methods the server answers itself, because they concern the connection. */
type ConnectionMethod = 'events.subscribe';

/** The method table: every method but the connection's own, typed by protocol/src/methods.ts. */
export type Handlers = { [M in Exclude<Method, ConnectionMethod>]: (params: Params<M>) => Promise<Result<M>> };

/** A refusal with a JSON-RPC error code (a handler throws it). */
export class MethodError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ServerOptions {
  /** True for an error a handler throws to refuse the request; its message goes to the client as is (-32000). */
  isRefusal?: (error: unknown) => boolean;
  /** Where unexpected errors are written, with their stack (the conductor's log). */
  log?: (message: string) => void;
  /** Told the method of each request about to be carried out (the debug log). */
  onRequest?: (method: string) => void;
}

/**
 * Bytes buffered for a slow client before it is dropped, so it can never hold up the conductor: one
 * answer of the largest size, plus room for the events that follow it while the client reads it.
 */
const MAX_PENDING_WRITE_BYTES = MAX_FRAME_BYTES + 8 * 1024 * 1024;
/** How long agent output may wait to leave with more (live logs lag by at most this). */
const OUTPUT_GATHER_MS = 25;
/** Requests in one batch; a longer batch is refused whole. */
export const MAX_BATCH = 1000;

const KNOWN = new Set<string>(METHODS);

interface Connection {
  socket: Socket;
  /** Job ids subscribed to ('*' for all). */
  subscriptions: Set<string>;
  /** Subscribed with `records: true`: journal records come too. */
  records: boolean;
  /** An editor window (subscribed with `editor`): it shows desktop notices. */
  editor: boolean;
  /** Events are being gathered for one write (at the end of this turn, or soon for agent output). */
  corked: boolean;
}

/** What a request is answered with, before it is encoded. */
type Reply = { id: RpcId; method: string; result: unknown } | { id: RpcId; error: RpcErrorObject };

const failure = (id: RpcId, code: number, message: string): Reply => ({ id, error: { code, message } });

export class ConductorServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  /** Results that will not change again, with their JSON once encoded (see keepJson). */
  private readonly jsonOf = new WeakMap<object, string | undefined>();

  constructor(
    private readonly handlers: Handlers,
    private readonly options: ServerOptions = {},
  ) {
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

  /**
   * Declares that `value` (a handler's result) will not change again: its JSON is made once and
   * reused for every answer that returns the same object, e.g. the checkpoint of a job at rest.
   */
  keepJson(value: object): void {
    if (!this.jsonOf.has(value)) this.jsonOf.set(value, undefined);
  }

  /** Whether an editor window follows this job's events now. */
  editorFollows(jobId: string): boolean {
    for (const c of this.connections) if (c.editor && !c.socket.destroyed && (c.subscriptions.has('*') || c.subscriptions.has(jobId))) return true;
    return false;
  }

  /**
   * Sends an event to every connection subscribed to its job (or to all jobs). It is encoded once,
   * and a connection's gathered events leave in one write (20 jobs streaming output to 20
   * subscribers are thousands of events a second; a system call each is what costs).
   */
  publish(event: EventNotification | RecordNotification): void {
    let frame: Buffer | undefined;
    const isRecord = event.type === 'job.record';
    for (const c of this.connections) {
      if (isRecord && !c.records) continue;
      if (!c.subscriptions.has('*') && !c.subscriptions.has(event.jobId)) continue;
      if (!frame) {
        const text = `${JSON.stringify({ jsonrpc: '2.0', method: EVENT_NOTIFICATION, params: event })}\n`;
        if (!frameFits(text)) {
          this.options.log?.(`an event of job '${event.jobId}' (${event.type}) is over ${MAX_FRAME_TEXT} and was not sent to subscribers`);
          return;
        }
        frame = Buffer.from(text);
      }
      if (!c.corked && !c.socket.destroyed) {
        c.socket.cork();
        c.corked = true;
        this.corked.push(c);
      }
      this.write(c, frame);
    }
    if (frame) this.scheduleFlush(event.type !== 'sheet.output');
  }

  /** Connections holding events until the flush. */
  private readonly corked: Connection[] = [];
  private flushSoon: NodeJS.Immediate | undefined;
  private flushLater: NodeJS.Timeout | undefined;

  /**
   * State changes leave at the end of this turn; agent output may wait up to OUTPUT_GATHER_MS for
   * more, so a connection following 20 chatty agents gets a few writes a second, not hundreds.
   */
  private scheduleFlush(urgent: boolean): void {
    if (urgent) this.flushSoon ??= setImmediate(this.uncorkAll);
    else if (!this.flushSoon) this.flushLater ??= setTimeout(this.uncorkAll, OUTPUT_GATHER_MS);
  }

  private readonly uncorkAll = (): void => {
    if (this.flushSoon) clearImmediate(this.flushSoon);
    if (this.flushLater) clearTimeout(this.flushLater);
    this.flushSoon = this.flushLater = undefined;
    for (const c of this.corked.splice(0)) uncork(c);
  };

  private accept(socket: Socket): void {
    const connection: Connection = { socket, subscriptions: new Set(), records: false, editor: false, corked: false };
    this.connections.add(connection);
    const decoder = new LineDecoder();
    socket.on('data', (chunk: Buffer) => {
      const { lines, overflow } = decoder.push(chunk);
      for (const line of lines) this.receive(connection, line);
      if (overflow) {
        this.reply(connection, failure(null, RPC_ERRORS.invalidRequest, `Message too large: the limit is ${MAX_FRAME_TEXT} per line. The connection is closed.`));
        socket.end();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(connection));
  }

  /** One line: a request, a notification, or a batch of them. */
  private receive(connection: Connection, line: string): void {
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.reply(connection, failure(null, RPC_ERRORS.parseError, 'Parse error: each line must be one JSON-RPC 2.0 message.'));
      return;
    }
    if (!Array.isArray(message)) {
      void this.answer(connection, message).then((reply) => reply && this.reply(connection, reply));
      return;
    }
    if (message.length === 0) {
      this.reply(connection, failure(null, RPC_ERRORS.invalidRequest, 'Invalid request: a batch must hold at least one request.'));
      return;
    }
    if (message.length > MAX_BATCH) {
      this.reply(connection, failure(null, RPC_ERRORS.refused, `A batch may hold at most ${MAX_BATCH} requests; this one holds ${message.length}. None of them was carried out: send them in smaller batches.`));
      return;
    }
    void Promise.all(message.map((m) => this.answer(connection, m))).then((replies) => this.replyBatch(connection, replies.filter((r): r is Reply => r !== undefined)));
  }

  /** Checks one message and carries it out; undefined for a notification (never answered). */
  private async answer(connection: Connection, message: unknown): Promise<Reply | undefined> {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return failure(null, RPC_ERRORS.invalidRequest, 'Invalid request: expected a request object {"jsonrpc":"2.0","method":…,"id":…}.');
    }
    const request = message as Record<string, unknown>;
    const isNotification = !Object.hasOwn(request, 'id');
    // An id we cannot echo exactly: refuse the whole request, answering with id null as the spec says.
    if (!isNotification && !isValidId(request.id)) {
      return failure(null, RPC_ERRORS.invalidRequest, `Invalid request: 'id' must be a string, an integer or null (got ${kindOf(request.id)}); the request was not carried out.`);
    }
    const id = isNotification ? null : (request.id as RpcId);
    if (request.jsonrpc !== '2.0') return failure(id, RPC_ERRORS.invalidRequest, `Invalid request: 'jsonrpc' must be exactly "2.0".`);
    const method = request.method;
    if (typeof method !== 'string') return failure(id, RPC_ERRORS.invalidRequest, "Invalid request: 'method' must be a string.");
    const reply = await this.carryOut(connection, id, method, request.params);
    return isNotification ? undefined : reply;
  }

  private async carryOut(connection: Connection, id: RpcId, method: string, rawParams: unknown): Promise<Reply> {
    if (!KNOWN.has(method)) return failure(id, RPC_ERRORS.methodNotFound, `Unknown method '${method}'.`);
    const checked = checkParams(method as Method, rawParams);
    if (!checked.ok) return failure(id, RPC_ERRORS.invalidParams, checked.message);
    this.options.onRequest?.(method);
    try {
      if (method === 'events.subscribe') {
        const params = checked.params as Params<'events.subscribe'>;
        connection.subscriptions.add(params.jobId ?? '*');
        if (params.records === true) connection.records = true;
        if (params.editor) connection.editor = true;
        return { id, method, result: { subscribed: true } satisfies Result<'events.subscribe'> };
      }
      // The params were checked against this method's schema, which is typed by Params<method>.
      const handler = this.handlers[method as Exclude<Method, ConnectionMethod>] as (params: unknown) => Promise<unknown>;
      return { id, method, result: await handler(checked.params) };
    } catch (error) {
      if (error instanceof MethodError) return failure(id, error.code, error.message);
      if (this.options.isRefusal?.(error)) return failure(id, RPC_ERRORS.refused, (error as Error).message);
      return this.internalError(id, method, error);
    }
  }

  private internalError(id: RpcId, method: string, error: unknown): Reply {
    const text = error instanceof Error ? error.message : String(error);
    this.options.log?.(`internal error in '${method}' (the conductor keeps running): ${error instanceof Error ? (error.stack ?? text) : text}`);
    return failure(id, RPC_ERRORS.internalError, `Internal error in '${method}': ${text}. The conductor keeps running; its log has the details.`);
  }

  /** Answers now: events gathered before the answer leave with it, in order. */
  private reply(connection: Connection, reply: Reply): void {
    this.write(connection, `${this.encode(reply)}\n`);
    uncork(connection);
  }

  private replyBatch(connection: Connection, replies: Reply[]): void {
    if (replies.length === 0) return; // only notifications: nothing is sent
    const frame = `[${replies.map((r) => this.encode(r)).join(',')}]\n`;
    if (frameFits(frame)) {
      this.write(connection, frame);
      uncork(connection);
      return;
    }
    const message = `The answers to this batch are together over the ${MAX_FRAME_TEXT} one message may carry, so none was sent; each request in it was carried out. Send them separately or in smaller batches.`;
    this.write(connection, `[${replies.map((r) => this.encode(failure(r.id, RPC_ERRORS.tooLarge, message))).join(',')}]\n`);
    uncork(connection);
  }

  /** One response's JSON (no newline); an answer too large for a frame becomes a -32001 error. */
  private encode(reply: Reply): string {
    if ('error' in reply) return JSON.stringify({ jsonrpc: '2.0', id: reply.id, error: reply.error });
    let json: string;
    try {
      json = this.resultJson(reply.result);
    } catch (error) {
      return this.encode(this.internalError(reply.id, reply.method, error));
    }
    const frame = `{"jsonrpc":"2.0","id":${JSON.stringify(reply.id)},"result":${json}}`;
    if (frameFits(frame)) return frame;
    const mib = (Buffer.byteLength(frame) / 1024 / 1024).toFixed(1);
    return this.encode(failure(reply.id, RPC_ERRORS.tooLarge, `The answer to '${reply.method}' is ${mib} MiB, over the ${MAX_FRAME_TEXT} one message may carry, so the conductor did not send it.`));
  }

  private resultJson(result: unknown): string {
    if (typeof result !== 'object' || result === null || !this.jsonOf.has(result)) return JSON.stringify(result ?? null);
    let json = this.jsonOf.get(result);
    if (json === undefined) {
      json = JSON.stringify(result);
      this.jsonOf.set(result, json);
    }
    return json;
  }

  private write(connection: Connection, frame: string | Buffer): void {
    const { socket } = connection;
    if (socket.destroyed) return;
    if (socket.writableLength > MAX_PENDING_WRITE_BYTES) {
      socket.destroy(); // a client that stopped reading is dropped, not waited for
      return;
    }
    socket.write(frame);
  }
}

function uncork(connection: Connection): void {
  if (!connection.corked) return;
  connection.corked = false;
  connection.socket.uncork();
}

/** "an object", "a fraction", … for messages about a value of the wrong kind. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isFinite(value) ? (Number.isInteger(value) ? 'an integer beyond 2^53' : 'a fraction') : 'a number out of range';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}
