// The terminal launcher runs the bundled CLI: written to a folder as the extension writes it, it is
// run by the shell from PATH, as a terminal would, and answers as `mozart` does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { test } from 'node:test';
import { cliLauncher } from '../src/terminal-launcher.js';

const CLI = resolve(__dirname, '../../dist/cli.js');

test('the launcher on PATH runs the bundled CLI with the given runtime, arguments passed through', { skip: process.platform === 'win32' && 'a POSIX shell test' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mozart launcher '));
  const launcher = cliLauncher(process.platform, process.execPath, CLI);
  assert.equal(launcher.name, 'mozart');
  writeFileSync(join(dir, launcher.name), launcher.text, { mode: 0o755 });
  const example = resolve(__dirname, '../../examples/hello-world.yaml');
  const run = spawnSync('sh', ['-c', 'mozart validate "$1"', 'sh', example], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /hello-world\.yaml is valid/);
});

test("a path with a quote in it is quoted for the shell, and Windows gets a .cmd", () => {
  const posix = cliLauncher('linux', "/opt/it's/node", '/ext/dist/cli.js');
  assert.match(posix.text, /exec '\/opt\/it'\\''s\/node' '\/ext\/dist\/cli\.js' "\$@"/);
  const windows = cliLauncher('win32', 'C:\\Code\\Code.exe', 'C:\\ext\\dist\\cli.js');
  assert.equal(windows.name, 'mozart.cmd');
  assert.match(windows.text, /set ELECTRON_RUN_AS_NODE=1\r\n"C:\\Code\\Code\.exe" "C:\\ext\\dist\\cli\.js" %\*/);
});
