// The conductor connection's decisions, driven as a pure reducer: when to connect, spawn, wait
// for another spawner, count crashes, give up, and never start two conductors at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CRASH_LIMIT, CRASH_WINDOW_MS, initialConnectionState, transition } from '../src/conductor/connection-state.js';
import type { ConnectionEffect, ConnectionEvent, ConnectionState } from '../src/conductor/connection-state.js';

/** Feeds events in order; returns the final state and every effect issued. */
function run(events: ConnectionEvent[], from: ConnectionState = initialConnectionState()): { state: ConnectionState; effects: ConnectionEffect['type'][] } {
  let state = from;
  const effects: ConnectionEffect['type'][] = [];
  for (const event of events) {
    const next = transition(state, event);
    state = next.state;
    effects.push(...next.effects.map((e) => e.type));
  }
  return { state, effects };
}

const connected: ConnectionEvent = { type: 'connected', pid: 42, version: '0.1.0' };
const noAnswer = (at = 1000, extra: Partial<Extract<ConnectionEvent, { type: 'connect-failed' }>> = {}): ConnectionEvent => ({ type: 'connect-failed', message: 'ENOENT', at, ...extra });

/** A running connection reached by connecting to an existing conductor. */
function running(): ConnectionState {
  return run([{ type: 'start', spawn: false, explicit: false }, connected]).state;
}

describe('starting', () => {
  test('a look without permission to spawn connects, and settles as stopped when nothing answers', () => {
    const { state, effects } = run([{ type: 'start', spawn: false, explicit: false }, noAnswer()]);
    assert.equal(state.phase, 'stopped');
    assert.deepEqual(effects, ['connect', 'watch']);
  });

  test('a start that may spawn connects first and spawns only when nothing answers', () => {
    const first = run([{ type: 'start', spawn: true, explicit: false }]);
    assert.equal(first.state.phase, 'starting');
    assert.deepEqual(first.effects, ['connect']);
    const { state, effects } = run([noAnswer(), { type: 'spawned' }, connected], first.state);
    assert.equal(state.phase, 'running');
    assert.deepEqual(state.conductor, { pid: 42, version: '0.1.0' });
    assert.deepEqual(effects, ['spawn', 'connect', 'unwatch']);
  });

  test('an existing conductor is joined without spawning', () => {
    const { state, effects } = run([{ type: 'start', spawn: true, explicit: false }, connected]);
    assert.equal(state.phase, 'running');
    assert.ok(!effects.includes('spawn'));
  });

  test('a second start while starting starts nothing new, but may widen the first to spawning', () => {
    const look = run([{ type: 'start', spawn: false, explicit: false }]).state;
    const widened = run([{ type: 'start', spawn: true, explicit: false }], look);
    assert.deepEqual(widened.effects, [], 'no second connect');
    assert.equal(widened.state.maySpawn, true);
    assert.deepEqual(run([noAnswer()], widened.state).effects, ['spawn']);
  });

  test('when another process holds the spawn lock it waits for that spawn, then connects', () => {
    const { state, effects } = run([{ type: 'start', spawn: true, explicit: false }, noAnswer(), { type: 'lock-busy' }, { type: 'spawned' }, connected]);
    assert.equal(state.phase, 'running');
    assert.deepEqual(effects, ['connect', 'spawn', 'await-other', 'connect', 'unwatch']);
  });

  test('a conductor that never answers after spawning ends in error, not in endless spawns', () => {
    const { state, effects } = run([{ type: 'start', spawn: true, explicit: false }, noAnswer(), { type: 'spawned' }, noAnswer(), { type: 'spawned' }, noAnswer()]);
    assert.equal(state.phase, 'error');
    assert.equal(effects.filter((e) => e === 'spawn').length, 2);
    assert.match(state.detail ?? '', /does not answer/);
  });

  test('a spawn that fails is an error with its message, and counts as a crash', () => {
    const { state } = run([{ type: 'start', spawn: true, explicit: false }, noAnswer(), { type: 'spawn-failed', message: 'exited (code 1) before it was ready', at: 5 }]);
    assert.equal(state.phase, 'error');
    assert.match(state.detail ?? '', /before it was ready/);
    assert.deepEqual(state.crashes, [5]);
  });
});

describe('losing the conductor', () => {
  test('a dropped connection is checked before anything else: a conductor still there is rejoined, no crash counted', () => {
    const { state, effects } = run([{ type: 'closed' }, connected], running());
    assert.equal(state.phase, 'running');
    assert.deepEqual(effects, ['disconnect', 'watch', 'connect', 'unwatch']);
    assert.deepEqual(state.crashes, []);
  });

  test('a conductor that crashed is restarted when restarts are allowed', () => {
    const { state, effects } = run([{ type: 'closed' }, noAnswer(1000, { restart: true, graceful: false }), { type: 'spawned' }, connected], running());
    assert.equal(state.phase, 'running');
    assert.equal(effects.filter((e) => e === 'spawn').length, 1);
    assert.deepEqual(state.crashes, [1000]);
  });

  test('a conductor that crashed without permission to restart leaves the connection lost', () => {
    const { state, effects } = run([{ type: 'closed' }, noAnswer(1000, { restart: false })], running());
    assert.equal(state.phase, 'lost');
    assert.ok(!effects.includes('spawn'));
    assert.deepEqual(state.crashes, [1000]);
  });

  test('a conductor stopped on purpose (its log says so) is stopped, not crashed, and not restarted', () => {
    const { state, effects } = run([{ type: 'closed' }, noAnswer(1000, { restart: true, graceful: true })], running());
    assert.equal(state.phase, 'stopped');
    assert.ok(!effects.includes('spawn'));
    assert.deepEqual(state.crashes, []);
  });

  test('stopping it from here shuts it down and ends stopped', () => {
    const { state, effects } = run([{ type: 'stop' }, { type: 'closed' }], running());
    assert.equal(state.phase, 'stopped');
    assert.deepEqual(effects, ['shutdown', 'watch']);
  });

  test('a stop asked for while starting is carried out once connected', () => {
    const { state, effects } = run([{ type: 'start', spawn: true, explicit: true }, { type: 'stop' }, connected, { type: 'closed' }]);
    assert.equal(state.phase, 'stopped');
    assert.ok(effects.includes('shutdown'));
  });

  test('a conductor appearing while stopped (started in a terminal) is joined without spawning', () => {
    const stopped = run([{ type: 'start', spawn: false, explicit: false }, noAnswer()]).state;
    const { state, effects } = run([{ type: 'appeared' }, connected], stopped);
    assert.equal(state.phase, 'running');
    assert.ok(!effects.includes('spawn'));
  });
});

describe('crash loop', () => {
  /** Crash a running conductor at `at`, with restarts allowed, and let the restart connect. */
  const crashAndRestart = (at: number): ConnectionEvent[] => [{ type: 'closed' }, noAnswer(at, { restart: true }), { type: 'spawned' }, connected];

  test(`after ${CRASH_LIMIT} crashes within the window it stops restarting and says so`, () => {
    const events = [...crashAndRestart(1_000), ...crashAndRestart(2_000), { type: 'closed' } as const, noAnswer(3_000, { restart: true })];
    const { state, effects } = run(events, running());
    assert.equal(state.phase, 'error');
    assert.equal(effects.filter((e) => e === 'spawn').length, CRASH_LIMIT - 1, 'the last crash is not restarted');
    assert.match(state.detail ?? '', /stopped unexpectedly 3 times within 5 minutes/);
    assert.match(state.detail ?? '', /not restarted automatically/);
  });

  test('crashes spread wider than the window keep being restarted', () => {
    const spaced = (n: number) => 1_000 + n * CRASH_WINDOW_MS;
    const events = [...crashAndRestart(spaced(0)), ...crashAndRestart(spaced(1)), ...crashAndRestart(spaced(2)), ...crashAndRestart(spaced(3))];
    const { state, effects } = run(events, running());
    assert.equal(state.phase, 'running');
    assert.equal(effects.filter((e) => e === 'spawn').length, 4);
    assert.equal(state.crashes.length, 1, 'old crashes fall out of the window');
  });

  test('in a crash loop, automatic starts do nothing; a start by the user clears the history and tries again', () => {
    const looped = run([...crashAndRestart(1), ...crashAndRestart(2), { type: 'closed' }, noAnswer(3, { restart: true })], running()).state;
    assert.equal(looped.phase, 'error');
    const automatic = run([{ type: 'start', spawn: true, explicit: false }], looped);
    assert.equal(automatic.state.phase, 'error');
    assert.deepEqual(automatic.effects, []);
    const byHand = run([{ type: 'start', spawn: true, explicit: true }, noAnswer(4), { type: 'spawned' }, connected], looped);
    assert.equal(byHand.state.phase, 'running');
    assert.deepEqual(byHand.state.crashes, []);
  });

  test('a reset (another socket) forgets the crash history', () => {
    const looped = run([...crashAndRestart(1), ...crashAndRestart(2), { type: 'closed' }, noAnswer(3, { restart: true })], running()).state;
    const { state, effects } = run([{ type: 'reset' }], looped);
    assert.equal(state.phase, 'stopped');
    assert.deepEqual(state.crashes, []);
    assert.deepEqual(effects, ['disconnect', 'unwatch', 'watch']);
  });
});

describe('never two spawns', () => {
  /** A small deterministic PRNG, so a failing sequence can be replayed from its seed. */
  function prng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let x = Math.imul(s ^ (s >>> 15), 1 | s);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
  }

  test('whatever happens, a spawn is never issued while one is in flight, nor without permission', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      let state = initialConnectionState();
      // What the shell is doing: outcomes it will report. A reset drops them (generation change).
      let inFlight: 'connect' | 'spawn' | 'await-other' | undefined;
      let spawnPermitted = false;
      for (let step = 0; step < 60; step++) {
        const choices: ConnectionEvent[] = [
          { type: 'start', spawn: random() < 0.7, explicit: random() < 0.3 },
          { type: 'stop' },
          { type: 'appeared' },
          { type: 'reset' },
        ];
        if (state.phase === 'running') choices.push({ type: 'closed' });
        if (inFlight === 'connect') choices.push(connected, noAnswer(step * 1000, { restart: random() < 0.7, graceful: random() < 0.2 }), connected, noAnswer(step * 1000));
        if (inFlight === 'spawn') choices.push({ type: 'spawned' }, { type: 'lock-busy' }, { type: 'spawn-failed', message: 'x', at: step * 1000 }, { type: 'spawned' });
        if (inFlight === 'await-other') choices.push({ type: 'spawned' });
        const event = choices[Math.floor(random() * choices.length)] as ConnectionEvent;
        if (event.type === 'start' && event.spawn) spawnPermitted = true;
        if (event.type === 'connect-failed' && event.restart) spawnPermitted = true;
        const outcomeOf = (e: ConnectionEvent) => ['connected', 'connect-failed', 'spawned', 'lock-busy', 'spawn-failed'].includes(e.type);
        if (outcomeOf(event)) inFlight = undefined;
        if (event.type === 'reset') {
          inFlight = undefined;
          spawnPermitted = false;
        }
        const next = transition(state, event);
        for (const effect of next.effects) {
          if (effect.type === 'spawn') {
            assert.equal(inFlight, undefined, `seed ${seed} step ${step}: spawn issued while '${inFlight}' is in flight`);
            assert.ok(spawnPermitted, `seed ${seed} step ${step}: spawn issued without permission`);
          }
          if (effect.type === 'connect' || effect.type === 'spawn' || effect.type === 'await-other') {
            assert.equal(inFlight, undefined, `seed ${seed} step ${step}: '${effect.type}' issued while '${inFlight}' is in flight`);
            inFlight = effect.type;
          }
        }
        // Only 'starting' has work in flight; every other phase has none.
        assert.equal(next.state.phase === 'starting', inFlight !== undefined, `seed ${seed} step ${step}: phase ${next.state.phase} with '${inFlight}' in flight`);
        if (next.state.phase !== 'starting') spawnPermitted = false;
        state = next.state;
      }
    }
  });
});
