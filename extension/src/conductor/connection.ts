// The conductor connection: the thin I/O shell around the state machine in connection-state.ts.
// It owns the client, carries out the machine's effects (connect, spawn, wait for another
// spawner, shut down, watch the socket folder) and feeds their outcomes back as events. The
// status bar, the jobs tree and the commands observe it through its 'state' event. It does not
// import `vscode`, so tests drive it against a real conductor under plain Node.
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { ConductorClient, DEFAULT_REQUEST_TIMEOUT_MS } from '../../../protocol/src/client.js';
import type { EventNotification, Method, Params, RecordNotification, Result } from '../../../protocol/src/methods.js';
import { socketPathProblem } from '../../../protocol/src/paths.js';
import { initialConnectionState, transition } from './connection-state.js';
import type { ConnectionEffect, ConnectionEvent, ConnectionState } from './connection-state.js';
import { SocketWatcher } from './socket-watch.js';
import { awaitOtherSpawner, readTail, spawnConductor, wasGracefulStop } from './spawn.js';

export interface ConnectionOptions {
  socketPath: string;
  /** dist/conductor.js. */
  conductorScript: string;
  /** `process.execPath`. */
  execPath: string;
  /** The environment a spawned conductor gets. */
  env: NodeJS.ProcessEnv;
  /** The conductor's log (its output when we spawn it; read to tell a stop from a crash). */
  logFile: string;
  /** Whether a conductor that went away may be restarted automatically right now (autoStart and trust). */
  mayRestart: () => boolean;
  /** A request's time limit (default 30 s); methods that wait for a safe point instead check the conductor still answers. */
  requestTimeoutMs?: number;
  now?: () => number;
}

/** Something to tell the person (the conductor log channel shows it). */
export interface ConnectionLogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Thrown by requests when no conductor is connected. */
export class NotConnectedError extends Error {
  constructor(message = 'The Mozart conductor is not running.') {
    super(message);
    this.name = 'NotConnectedError';
  }
}

interface ConnectionEvents {
  state: [ConnectionState];
  event: [EventNotification];
  /** A journal record of a job (fold it with applyJobRecord). */
  record: [RecordNotification];
  log: [ConnectionLogEntry];
  /** A conductor this object started (pid). */
  spawned: [number];
}

export class ConductorConnection extends EventEmitter<ConnectionEvents> {
  private current: ConnectionState = initialConnectionState();
  private client: ConductorClient | undefined;
  private watcher: SocketWatcher;
  /** Bumped on reset, so outcomes of effects started for an older socket are dropped. */
  private generation = 0;
  private disposed = false;
  /** Conductor processes this object launched, whether or not they stayed (tests check there is never one too many). */
  spawnCount = 0;
  private child: ChildProcess | undefined;

  constructor(private options: ConnectionOptions) {
    super();
    this.watcher = new SocketWatcher(options.socketPath, () => this.dispatch({ type: 'appeared' }));
  }

  get state(): ConnectionState {
    return this.current;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  get logFile(): string {
    return this.options.logFile;
  }

  /** Connects (and, with `spawn`, starts a conductor when none answers). Returns at once. */
  start(options: { spawn: boolean; explicit?: boolean } = { spawn: false }): void {
    this.dispatch({ type: 'start', spawn: options.spawn, explicit: options.explicit === true });
  }

  /** Asks the conductor to stop (running jobs pause at a safe point). */
  stop(): void {
    this.dispatch({ type: 'stop' });
  }

  /** Resolves with the client once running; rejects when the current start ends anywhere else. */
  whenRunning(): Promise<ConductorClient> {
    if (this.current.phase === 'running' && this.client) return Promise.resolve(this.client);
    if (this.current.phase !== 'starting') return Promise.reject(new NotConnectedError(this.describeIdle()));
    return new Promise((resolve, reject) => {
      const onState = (state: ConnectionState) => {
        if (state.phase === 'starting') return;
        this.off('state', onState);
        if (state.phase === 'running' && this.client) resolve(this.client);
        else reject(new NotConnectedError(this.describeIdle()));
      };
      this.on('state', onState);
    });
  }

  /** Resolves once the machine is in one of the phases (at once when it already is). */
  whenPhase(...phases: ConnectionState['phase'][]): Promise<ConnectionState> {
    if (phases.includes(this.current.phase)) return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const onState = (state: ConnectionState) => {
        if (!phases.includes(state.phase)) return;
        this.off('state', onState);
        resolve(state);
      };
      this.on('state', onState);
    });
  }

  /** Sends a request to the running conductor; the client's time limits apply (see connect). */
  async request<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    const client = this.client;
    if (this.current.phase !== 'running' || !client) throw new NotConnectedError(this.describeIdle());
    return client.request(method, params);
  }

  /** Points the connection at another socket or log (settings changed); drops the current one. */
  reconfigure(options: ConnectionOptions): void {
    const moved = options.socketPath !== this.options.socketPath;
    this.options = options;
    if (!moved) return;
    this.generation++;
    this.watcher.stop();
    this.watcher = new SocketWatcher(options.socketPath, () => this.dispatch({ type: 'appeared' }));
    this.dispatch({ type: 'reset' });
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    this.watcher.stop();
    this.dropClient();
    this.child?.unref();
    this.removeAllListeners();
  }

  /** Closes the current client without letting its close or events reach the state machine. */
  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.onClose = undefined;
      client.onEvent = undefined;
      client.close();
    }
  }

  private describeIdle(): string {
    const { phase, detail } = this.current;
    if (phase === 'error') return `The Mozart conductor is not available: ${detail ?? 'it failed to start'}`;
    if (phase === 'lost') return `The connection to the Mozart conductor was lost${detail ? ` (${detail})` : ''}.`;
    return 'The Mozart conductor is not running.';
  }

  private dispatch(event: ConnectionEvent): void {
    if (this.disposed) return;
    const before = this.current;
    const { state, effects } = transition(before, event);
    this.current = state;
    if (state !== before) {
      this.logTransition(before, state);
      this.emit('state', state);
    }
    for (const effect of effects) this.run(effect);
  }

  private logTransition(before: ConnectionState, after: ConnectionState): void {
    if (before.phase === after.phase) return;
    if (after.phase === 'running') this.log('info', `Connected to the conductor (pid ${after.conductor?.pid}, version ${after.conductor?.version}) on ${this.options.socketPath}.`);
    else if (after.phase === 'lost') this.log('warn', `Lost the conductor${after.detail ? `: ${after.detail}` : ''}.`);
    else if (after.phase === 'error') this.log('error', after.detail ?? 'The conductor failed.');
    else if (after.phase === 'starting' && before.phase === 'running') this.log('warn', 'The connection to the conductor closed; checking whether it is still there.');
    else if (after.phase === 'stopped' && before.phase === 'running') this.log('info', 'The conductor stopped.');
  }

  private log(level: ConnectionLogEntry['level'], message: string): void {
    this.emit('log', { level, message });
  }

  private run(effect: ConnectionEffect): void {
    const generation = this.generation;
    const later = (event: ConnectionEvent) => {
      if (generation === this.generation) this.dispatch(event);
    };
    switch (effect.type) {
      case 'connect':
        void this.connect().then(later);
        return;
      case 'spawn':
        void this.spawn().then(later);
        return;
      case 'await-other':
        this.log('info', 'Another window is starting the conductor; waiting for it.');
        void awaitOtherSpawner(this.options.socketPath).then(() => later({ type: 'spawned' }));
        return;
      case 'shutdown':
        this.log('info', 'Asking the conductor to stop; running jobs pause at a safe point.');
        this.client?.request('daemon.shutdown', {}).catch(() => undefined);
        return;
      case 'disconnect':
        this.dropClient();
        return;
      case 'watch':
        this.watcher.start();
        return;
      case 'unwatch':
        this.watcher.stop();
        return;
    }
  }

  /** Connects, reads the conductor's identity and subscribes to every job's events. */
  private async connect(): Promise<ConnectionEvent> {
    const now = this.options.now ?? Date.now;
    const problem = socketPathProblem(this.options.socketPath);
    if (problem) return { type: 'connect-failed', message: problem, at: now() };
    const generation = this.generation;
    let client: ConductorClient | undefined;
    try {
      client = await ConductorClient.connect(this.options.socketPath, {
        timeoutMs: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        stuckHint: `see its log (${this.options.logFile}) or restart it ('Mozart: Restart Conductor')`,
      });
      const status = await client.request('daemon.status', {});
      client.onEvent = (event) => this.emit('event', event);
      client.onRecord = (event) => this.emit('record', event);
      await client.request('events.subscribe', { editor: true, records: true });
      if (generation !== this.generation) throw new Error('The settings changed while connecting.');
      client.onClose = () => {
        if (generation !== this.generation || this.client !== client) return;
        this.client = undefined;
        this.dispatch({ type: 'closed' });
      };
      this.client?.close();
      this.client = client;
      return { type: 'connected', pid: status.pid, version: status.version };
    } catch (error) {
      client?.close();
      const message = (error as Error).message;
      // Only a dropped connection needs the stop-or-crash verdict; it reads the log's last lines.
      const reconnecting = this.current.reconnecting;
      return {
        type: 'connect-failed',
        message,
        at: now(),
        graceful: reconnecting ? wasGracefulStop(readTail(this.options.logFile)) : undefined,
        restart: reconnecting ? this.options.mayRestart() : undefined,
      };
    }
  }

  private async spawn(): Promise<ConnectionEvent> {
    const now = this.options.now ?? Date.now;
    try {
      const outcome = await spawnConductor({
        socketPath: this.options.socketPath,
        execPath: this.options.execPath,
        script: this.options.conductorScript,
        env: this.options.env,
        logFile: this.options.logFile,
      });
      if (outcome.kind === 'busy') return { type: 'lock-busy' };
      if (outcome.kind === 'running' && outcome.launched) {
        this.spawnCount++;
        this.log('warn', 'Started a conductor, but another one was already answering; using that one.');
      }
      if (outcome.kind === 'spawned') {
        this.spawnCount++;
        this.child = outcome.child;
        this.log('info', `Started a conductor (pid ${outcome.pid}); its log is ${this.options.logFile}.`);
        this.emit('spawned', outcome.pid);
      }
      return { type: 'spawned' };
    } catch (error) {
      return { type: 'spawn-failed', message: (error as Error).message, at: now() };
    }
  }
}
