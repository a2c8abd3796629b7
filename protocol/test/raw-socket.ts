// A raw line-by-line conversation over a real Unix socket, for tests that speak JSON-RPC by hand:
// send exact bytes, and wait for the next line (or the close) without sleeping.
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export class RawSession {
  private buffer = '';
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string | undefined) => void)[] = [];
  private ended = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('utf8');
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const waiter = this.waiters.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
    const end = () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  static open(path: string): Promise<RawSession> {
    return new Promise((resolve, reject) => {
      const socket = connect(path, () => resolve(new RawSession(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes text as is (add the "\n" yourself). */
  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next line received (undefined once the connection closed). */
  next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The next line, parsed. */
  async nextJson(): Promise<unknown> {
    const line = await this.next();
    if (line === undefined) throw new Error('the connection closed before a line arrived');
    return JSON.parse(line);
  }

  /** Sends one line and returns the parsed reply. */
  async ask(line: string): Promise<unknown> {
    this.send(`${line}\n`);
    return this.nextJson();
  }

  close(): void {
    this.socket.destroy();
  }
}
