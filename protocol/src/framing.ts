// The conductor's wire format, defined once: JSON-RPC 2.0 messages, one per line (UTF-8 JSON
// followed by "\n"), each at most MAX_FRAME_BYTES, in both directions. A line that is too long or
// not JSON is an error for that connection only; it never reaches the method table.

/**
 * Largest line either end sends or accepts, in bytes. Answers are what need room: `job.status` of a
 * job with thousands of sheets is several MiB. The conductor never sends a longer line; it answers
 * with a -32001 error instead. Requests are small, and the conductor holds at most one unfinished
 * line per connection, so a client sending garbage costs it this much memory at most.
 */
export const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/** `MAX_FRAME_BYTES` for people ("32 MiB"). */
export const MAX_FRAME_TEXT = `${MAX_FRAME_BYTES / 1024 / 1024} MiB`;

/** Splits a byte stream into lines, refusing any line longer than the limit. */
export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True once a line overflowed; the rest of that line is dropped. */
  private discarding = false;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Feeds bytes; returns complete lines, and whether a line was too long. */
  push(chunk: Buffer): { lines: string[]; overflow: boolean } {
    const lines: string[] = [];
    let overflow = false;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (!this.discarding) {
        if (this.pendingBytes + piece.length > this.maxBytes) {
          overflow = true;
          this.discarding = true;
          this.pending = [];
          this.pendingBytes = 0;
        } else if (piece.length) {
          this.pending.push(piece);
          this.pendingBytes += piece.length;
        }
      }
      if (nl < 0) break;
      if (!this.discarding) lines.push(this.pending.length === 1 ? (this.pending[0] as Buffer).toString('utf8') : Buffer.concat(this.pending).toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = false;
      start = nl + 1;
    }
    return { lines, overflow };
  }
}

/** A request id: a string or an integer (or null, which the spec allows but discourages). */
export type RpcId = string | number | null;

/** A JSON-RPC 2.0 request (with `id`) or notification (without). */
export interface RpcRequest {
  jsonrpc: '2.0';
  id?: RpcId;
  method: string;
  params?: unknown;
}

/** A JSON-RPC 2.0 response. */
export type RpcResponse = { jsonrpc: '2.0'; id: RpcId; result: unknown } | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject };

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** Standard JSON-RPC error codes, and the conductor's own (-32000…-32099). */
export const RPC_ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The request is well formed but cannot be done now (unknown job, wrong state, busy). */
  refused: -32000,
  /** The answer would be a line over MAX_FRAME_BYTES; it was not sent. */
  tooLarge: -32001,
} as const;

/**
 * True for an id the spec allows: a string, null, or a number without a fractional part (the spec
 * says numbers SHOULD NOT have one; we refuse them, so an id always compares exactly).
 */
export function isValidId(id: unknown): id is RpcId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id));
}

/** Encodes one message as a frame. */
export function encodeFrame(message: RpcRequest | RpcResponse | RpcResponse[]): string {
  return JSON.stringify(message) + '\n';
}

/** True when an encoded frame (its "\n" included) is within MAX_FRAME_BYTES + 1. */
export function frameFits(frame: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most frames are proved small without encoding them.
  return frame.length * 3 <= MAX_FRAME_BYTES || Buffer.byteLength(frame) <= MAX_FRAME_BYTES + 1;
}
