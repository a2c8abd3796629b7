// A real HTTP server on 127.0.0.1 for backend tests: each test scripts what it answers, and the
// requests it received (headers and parsed JSON body) are kept for assertions.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type Handler = (req: Received, res: ServerResponse) => void;

export interface TestServer {
  url: string;
  requests: Received[];
  /** Resolves when the next request has been received (and read). */
  nextRequest(): Promise<Received>;
  /** Stops listening and drops open connections (a hanging reply would otherwise keep it open). */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Starts a server; `handlers` answer the 1st, 2nd, … request (the last one repeats). */
export async function startServer(...handlers: Handler[]): Promise<TestServer> {
  const requests: Received[] = [];
  let waiting: ((r: Received) => void)[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      const handler = handlers[Math.min(requests.length, handlers.length - 1)];
      requests.push(received);
      handler?.(received, res);
      for (const resolve of waiting) resolve(received);
      waiting = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL where nothing listens: a server's port, after it has been closed. */
export async function deadUrl(): Promise<string> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.url;
}

/** Answers with JSON. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Never answers: the request hangs until the client gives up or the server closes. */
export const hang: Handler = () => undefined;
