// A local HTTP server that speaks the Anthropic Messages API (streaming), scripted per test: the
// true edge the real `claude` CLI talks to. Each call to /v1/messages takes the next scripted reply.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer. */
export type Reply =
  | { kind: 'text'; text: string }
  | { kind: 'write'; filePath: string; content: string }
  | { kind: 'status'; status: number; errorType: string; message: string };

export interface FakeApi {
  url: string;
  /** Requests received, in order (parsed JSON bodies). */
  requests: { messages: { role: string; content: unknown }[] }[];
  close(): Promise<void>;
}

function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function streamReply(res: ServerResponse, reply: Exclude<Reply, { kind: 'status' }>, model: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  sse(res, 'message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 120, output_tokens: 1 } } });
  if (reply.kind === 'text') {
    sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: reply.text } });
    sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 30 } });
  } else {
    const input = JSON.stringify({ file_path: reply.filePath, content: reply.content });
    sse(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${id}`, name: 'Write', input: {} } });
    sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: input } });
    sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    sse(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } });
  }
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => resolve(body));
  });
}

/**
 * Starts the server. `script` is consumed in order by the main conversation; requests the CLI makes
 * for side tasks (titles, summaries: no tools offered) get a short text answer and consume nothing.
 */
export async function startFakeApi(script: Reply[]): Promise<FakeApi> {
  const queue = [...script];
  const requests: FakeApi['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const body = JSON.parse(await readBody(req)) as { model: string; tools?: unknown[]; messages: { role: string; content: unknown }[] };
    if (!body.tools || body.tools.length === 0) {
      streamReply(res, { kind: 'text', text: 'ok' }, body.model);
      return;
    }
    requests.push(body);
    const reply = queue.shift() ?? { kind: 'text', text: 'Done.' };
    if (reply.kind === 'status') {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: reply.errorType, message: reply.message } }));
      return;
    }
    streamReply(res, reply, body.model);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
