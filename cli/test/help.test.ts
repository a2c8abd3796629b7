// `mozart --help` and docs/cli.md describe the same commands, and every command they list exists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const CLI = resolve(__dirname, '../../dist/cli.js');
const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
const commands = [...help.matchAll(/^ {2}([a-z][a-z-]+)(?=[ <[]|$)/gm)].map((m) => m[1] as string).filter((c) => c !== 'success');

test('--help lists every command, and docs/cli.md documents each of them', () => {
  assert.ok(commands.length >= 17, `found ${commands.join(', ')}`);
  const docs = readFileSync(resolve(__dirname, '../../docs/cli.md'), 'utf8');
  for (const command of commands) assert.match(docs, new RegExp(`mozart ${command}\\b`), `docs/cli.md lacks ${command}`);
});

test('every listed command is known to the CLI (none falls through to "unknown command")', () => {
  // A socket path over the OS limit: conductor commands fail before touching any conductor (start
  // included), so each command reaches its own code and fails there, never at "unknown command".
  const socket = `/tmp/${'x'.repeat(200)}.sock`;
  const run = (command: string) => spawnSync(process.execPath, [CLI, command, '--socket', socket], { encoding: 'utf8', env: { ...process.env, MOZART_HOME: '/nonexistent-mozart-home' } });
  assert.match(run('no-such-command').stderr, /unknown command 'no-such-command'/, 'the check can tell');
  for (const command of commands) {
    const r = run(command);
    assert.doesNotMatch(r.stderr, /unknown command/, command);
    assert.notEqual(r.status, 0, `${command} without its arguments or conductor fails: ${r.stdout}`);
  }
});
