// Replies in the Messages API's wire format, for the local test servers: a streamed (SSE) answer
// and a JSON error, as api.anthropic.com sends them.
import type { ServerResponse } from 'node:http';
import { json } from './http-server.js';

function event(res: ServerResponse, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** Starts a streamed message (headers and message_start) without finishing it. */
export function startMessage(res: ServerResponse, model: string, inputTokens: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const message = { id: 'msg_test', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } };
  event(res, 'message_start', { type: 'message_start', message });
}

/** A whole streamed answer: one text block sent as the given deltas, then the usage. */
export function streamText(res: ServerResponse, model: string, deltas: string[], usage: { input: number; output: number }): void {
  startMessage(res, model, usage.input);
  event(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  for (const text of deltas) event(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } });
  event(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  event(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } });
  event(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** An error event inside an already-started stream (how overload shows up mid-answer). */
export function streamError(res: ServerResponse, errorType: string, message: string): void {
  event(res, 'error', { type: 'error', error: { type: errorType, message } });
  res.end();
}

/** An HTTP error with the API's error body. */
export function apiError(res: ServerResponse, status: number, errorType: string, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { type: 'error', error: { type: errorType, message } }, headers);
}
