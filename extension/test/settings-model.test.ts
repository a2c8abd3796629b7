// Where the extension looks for the conductor: its setting, else $MOZART_SOCKET, else the socket of
// the conductor holding the Mozart home (its pid file and socket record), else the default.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { normaliseSettings, resolveSocketPath } from '../src/settings-model.js';

test('the socket: the setting, then MOZART_SOCKET, then the running conductor of the home, then the default', () => {
  const home = mkdtempSync(join(tmpdir(), 'mozart-settings-'));
  const env = { MOZART_HOME: home };
  const none = normaliseSettings({});
  assert.equal(resolveSocketPath(none, env), join(home, 'run', 'conductor.sock'), 'nothing runs: the default');
  mkdirSync(join(home, 'run'));
  writeFileSync(join(home, 'run', 'conductor.socket'), '/tmp/elsewhere.sock\n');
  writeFileSync(join(home, 'run', 'conductor.pid'), String(process.pid));
  assert.equal(resolveSocketPath(none, env), '/tmp/elsewhere.sock', 'a live conductor of this home: its socket');
  assert.equal(resolveSocketPath(none, { ...env, MOZART_SOCKET: '/tmp/env.sock' }), '/tmp/env.sock', 'MOZART_SOCKET wins');
  assert.equal(resolveSocketPath(normaliseSettings({ socketPath: '~/s.sock' }), env, '/home/u'), '/home/u/s.sock', 'the setting wins over all');
  writeFileSync(join(home, 'run', 'conductor.pid'), '999999999');
  assert.equal(resolveSocketPath(none, env), join(home, 'run', 'conductor.sock'), 'its process is gone: the default');
});
