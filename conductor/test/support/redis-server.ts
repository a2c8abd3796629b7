// A real redis-server for cluster tests: its own process on a free port, its data in a temp folder
// (never the system service). It keeps an append-only file, as docs/cluster.md asks of a cluster's
// Redis, so a restart brings back everything that was acknowledged.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the cluster tests cannot run here, or undefined when redis-server is installed. */
export const redisMissing: string | undefined = (() => {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'redis-server is not installed (apt-get install redis-server, or bash scripts/setup-cluster-tests.sh)';
})();

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private process: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
    /** appendfsync: 'always' (tests: nothing acknowledged is ever lost) or 'everysec' (Redis's default). */
    readonly fsync: 'always' | 'everysec',
  ) {}

  /** `redis://127.0.0.1:PORT`, what `mozart start --cluster` takes. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server on a free port with its data in a new temp folder. */
  static async start(fsync: 'always' | 'everysec' = 'always'): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'mozart-redis-')), fsync);
    await server.launch();
    return server;
  }

  /** Starts the server process (again, after stop or kill) on the same port and data. */
  async launch(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', this.fsync, '--save', '', '--daemonize', 'no', '--loglevel', 'notice', '--logfile', ''], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        // The line Redis prints once it loaded its data and listens (a notice).
        if (/Ready to accept connections/.test(output)) {
          child.stdout?.off('data', onData);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
    });
    child.removeAllListeners('exit');
    child.stdout?.resume();
    child.stderr?.resume();
  }

  /** Stops the server, waiting for its exit. `signal` SIGKILL stands for a crash. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** Stops the server and removes its data. */
  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
