// The conductor's wire format, defined once: JSON-RPC 2.0 messages, one per line (UTF-8 JSON
// followed by "\n"), each at most MAX_FRAME_BYTES. A line that is too long or not JSON is an error
// for that connection only; it never reaches the method table.

/** Largest accepted line, in bytes (the original used 1 MiB too). */
export const MAX_FRAME_BYTES = 1024 * 1024;

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
      if (!this.discarding) lines.push(Buffer.concat(this.pending).toString('utf8'));
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = false;
      start = nl + 1;
    }
    return { lines, overflow };
  }
}

/** A JSON-RPC 2.0 request or notification. */
export interface RpcRequest {
  jsonrpc: '2.0';
  id?: number | string | null;
  method: string;
  params?: unknown;
}

/** A JSON-RPC 2.0 response. */
export type RpcResponse =
  | { jsonrpc: '2.0'; id: number | string | null; result: unknown }
  | { jsonrpc: '2.0'; id: number | string | null; error: RpcErrorObject };

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** Standard JSON-RPC error codes, and the conductor's own (-32000…). */
export const RPC_ERRORS = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** The request is well formed but cannot be done now (unknown job, wrong state, busy). */
  refused: -32000,
} as const;

/** Encodes one message as a frame. */
export function encodeFrame(message: RpcRequest | RpcResponse): string {
  return JSON.stringify(message) + '\n';
}
