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
  for (const command of commands) {
    const r = spawnSync(process.execPath, [CLI, command, '--help'], { encoding: 'utf8' });
    assert.doesNotMatch(r.stderr, /unknown command/, command);
  }
});
