// The conductor connection's state machine, as a pure reducer: `transition(state, event)` returns
// the next state and the effects the I/O shell (connection.ts) must carry out. Every decision —
// when to spawn, when to give up after crashes, when a lost conductor counts as stopped — lives
// here, so tests can drive it with plain values.
//
//   stopped ──start──► starting ──connected──► running ──closed──► starting (reconnect probe)
//      ▲                  │  connect-failed, may spawn → spawn → spawned → connect
//      └──── probe fails ─┘  lock held elsewhere → await-other → spawned → connect
//   A reconnect probe that fails is a crash (unless the conductor logged a graceful stop): it is
//   restarted while restarts are allowed, and after CRASH_LIMIT crashes within CRASH_WINDOW_MS the
//   machine settles in `error` and says so. `lost` is a conductor gone with no restart allowed.

export type ConnectionPhase = 'stopped' | 'starting' | 'running' | 'lost' | 'error';

/** What the shell is doing while `starting`. */
export type StartStep = 'connect' | 'spawn' | 'await-other';

/** Crashes within this window count toward the limit. */
export const CRASH_WINDOW_MS = 5 * 60 * 1000;
/** This many crashes within the window stop automatic restarts. */
export const CRASH_LIMIT = 3;
/** Spawns (or waits for another window's spawn) tried in one start before giving up. */
export const SPAWN_TRIES = 2;

export interface ConnectionState {
  phase: ConnectionPhase;
  /** While `starting`: the step in progress. */
  step?: StartStep;
  /** While `starting`: whether this start may spawn a conductor when none answers. */
  maySpawn: boolean;
  /** While `starting`: this is a probe after the connection dropped (not a fresh start). */
  reconnecting: boolean;
  /** While `starting`: spawns (or waits for another spawner) used up by this start. */
  spawnTries: number;
  /** Where an unsuccessful probe returns to (the idle phase before it). */
  idle: 'stopped' | 'lost' | 'error';
  /** Why the machine is where it is (an error, a crash loop, a lost conductor), for people. */
  detail?: string;
  /** Times (epoch ms) the conductor went away unexpectedly, oldest first, within the window. */
  crashes: number[];
  /** The user asked the conductor to stop: its going away is expected. */
  stopping: boolean;
  /** The conductor connected to. */
  conductor?: { pid: number; version: string };
}

export type ConnectionEvent =
  /** Something wants a conductor. `spawn`: may start one; `explicit`: the user asked (clears a crash loop). */
  | { type: 'start'; spawn: boolean; explicit: boolean }
  | { type: 'connected'; pid: number; version: string }
  /** No conductor answered. `graceful`: its log says it was stopped on purpose; `restart`: automatic restarts are allowed now. */
  | { type: 'connect-failed'; message: string; at: number; graceful?: boolean; restart?: boolean }
  /** Another process holds the spawn lock. */
  | { type: 'lock-busy' }
  /** A conductor should now answer (ours said ready, or another spawner finished). */
  | { type: 'spawned' }
  | { type: 'spawn-failed'; message: string; at: number }
  /** The connection to a running conductor dropped. */
  | { type: 'closed' }
  /** The user asked the conductor to stop. */
  | { type: 'stop' }
  /** Something changed where the socket lives: a conductor may have appeared. */
  | { type: 'appeared' }
  /** Settings changed (another socket): forget the connection and the crash history. */
  | { type: 'reset' };

export type ConnectionEffect =
  | { type: 'connect' }
  /** Take the spawn lock, re-check by connecting, spawn, wait until it is ready. */
  | { type: 'spawn' }
  /** Wait until another process's spawn is over (its lock goes away). */
  | { type: 'await-other' }
  /** Ask the conductor to shut down (daemon.shutdown). */
  | { type: 'shutdown' }
  | { type: 'disconnect' }
  /** Watch the socket's folder for a conductor appearing. */
  | { type: 'watch' }
  | { type: 'unwatch' };

export interface Transition {
  state: ConnectionState;
  effects: ConnectionEffect[];
}

export function initialConnectionState(): ConnectionState {
  return { phase: 'stopped', maySpawn: false, reconnecting: false, spawnTries: 0, idle: 'stopped', crashes: [], stopping: false };
}

/** Crashes still inside the window at `now`. */
export function recentCrashes(crashes: readonly number[], now: number): number[] {
  return crashes.filter((at) => now - at < CRASH_WINDOW_MS);
}

const same = (state: ConnectionState): Transition => ({ state, effects: [] });

function starting(state: ConnectionState, changes: Partial<ConnectionState>): ConnectionState {
  return { ...state, phase: 'starting', step: 'connect', reconnecting: false, spawnTries: 0, detail: undefined, conductor: undefined, ...changes };
}

function settle(state: ConnectionState, phase: 'stopped' | 'lost' | 'error', detail: string | undefined): Transition {
  return {
    state: { ...state, phase, idle: phase, step: undefined, maySpawn: false, reconnecting: false, spawnTries: 0, stopping: false, conductor: undefined, detail },
    effects: [{ type: 'watch' }],
  };
}

/** The next state and the effects to carry out. Never throws; unexpected events leave the state as is. */
export function transition(state: ConnectionState, event: ConnectionEvent): Transition {
  switch (event.type) {
    case 'start': {
      if (state.phase === 'running') return same(state);
      if (state.phase === 'starting') {
        // A later request may widen what this start is allowed to do, never start a second one.
        return event.spawn && !state.maySpawn ? same({ ...state, maySpawn: true }) : same(state);
      }
      if (state.phase === 'error' && !event.explicit) return same(state);
      // The user starting it by hand ends a crash loop: the history is forgotten.
      const crashes = event.explicit ? [] : state.crashes;
      const idle = state.phase === 'error' && event.explicit ? 'stopped' : state.phase;
      return { state: starting(state, { maySpawn: event.spawn, crashes, stopping: false, idle }), effects: [{ type: 'connect' }] };
    }

    case 'appeared': {
      if (state.phase !== 'stopped' && state.phase !== 'lost' && state.phase !== 'error') return same(state);
      // Only look: a conductor someone else started is joined, none is spawned. The detail of an
      // error stays until a conductor really answers.
      return { state: { ...starting(state, { maySpawn: false, idle: state.phase }), detail: state.detail }, effects: [{ type: 'connect' }] };
    }

    case 'connected': {
      if (state.phase !== 'starting' || state.step !== 'connect') return same(state);
      const next: ConnectionState = { ...state, phase: 'running', step: undefined, reconnecting: false, spawnTries: 0, detail: undefined, conductor: { pid: event.pid, version: event.version } };
      // A stop asked for while starting is carried out now that there is something to stop.
      return { state: next, effects: state.stopping ? [{ type: 'unwatch' }, { type: 'shutdown' }] : [{ type: 'unwatch' }] };
    }

    case 'connect-failed': {
      if (state.phase !== 'starting' || state.step !== 'connect') return same(state);
      if (state.stopping) return settle(state, 'stopped', undefined);
      let next = state;
      if (state.reconnecting) {
        if (event.graceful) return settle(state, 'stopped', undefined);
        const crashes = [...recentCrashes(state.crashes, event.at), event.at];
        next = { ...state, crashes, maySpawn: event.restart === true };
        if (crashes.length >= CRASH_LIMIT) {
          return settle(next, 'error', `The conductor stopped unexpectedly ${crashes.length} times within ${Math.round(CRASH_WINDOW_MS / 60000)} minutes, so it is not restarted automatically. Read the conductor log, then start it again.`);
        }
        if (!next.maySpawn) return settle(next, 'lost', event.message);
      }
      if (!next.maySpawn) return settle(next, next.idle, next.detail);
      if (next.spawnTries >= SPAWN_TRIES) return settle(next, 'error', `The conductor was started but does not answer: ${event.message}`);
      return { state: { ...next, step: 'spawn', reconnecting: false, spawnTries: next.spawnTries + 1 }, effects: [{ type: 'spawn' }] };
    }

    case 'lock-busy': {
      if (state.phase !== 'starting' || state.step !== 'spawn') return same(state);
      return { state: { ...state, step: 'await-other' }, effects: [{ type: 'await-other' }] };
    }

    case 'spawned': {
      if (state.phase !== 'starting' || (state.step !== 'spawn' && state.step !== 'await-other')) return same(state);
      return { state: { ...state, step: 'connect' }, effects: [{ type: 'connect' }] };
    }

    case 'spawn-failed': {
      if (state.phase !== 'starting' || (state.step !== 'spawn' && state.step !== 'await-other')) return same(state);
      // A conductor that dies before it is ready is a crash too: a broken install must not respawn forever.
      const crashes = [...recentCrashes(state.crashes, event.at), event.at];
      return settle({ ...state, crashes }, 'error', event.message);
    }

    case 'closed': {
      if (state.phase !== 'running') return same(state);
      if (state.stopping) return settle(state, 'stopped', undefined);
      // Look before deciding: the conductor may still be there (it dropped this client), or have
      // been restarted by someone else already.
      return { state: { ...starting(state, { reconnecting: true, maySpawn: false, idle: 'lost' }), crashes: state.crashes }, effects: [{ type: 'disconnect' }, { type: 'watch' }, { type: 'connect' }] };
    }

    case 'stop': {
      if (state.phase === 'running') return state.stopping ? same(state) : { state: { ...state, stopping: true }, effects: [{ type: 'shutdown' }] };
      if (state.phase === 'starting') return same({ ...state, stopping: true, maySpawn: false });
      return same(state);
    }

    case 'reset': {
      const fresh = initialConnectionState();
      return { state: fresh, effects: [{ type: 'disconnect' }, { type: 'unwatch' }, { type: 'watch' }] };
    }
  }
}
