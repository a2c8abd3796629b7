// The CLI as a package of its own: `npm run pack:cli` makes a .tgz that installs with no registry
// (it has no dependencies), puts `mozart` on PATH, and the installed CLI validates a score, starts
// its own conductor from the package's folder, runs hello-world to completion and stops it. Everything
// runs from a temp folder outside the checkout, so no node_modules of ours can be found by accident.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

const ROOT = resolve(__dirname, '../..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

const dir = mkdtempSync(join(tmpdir(), 'mozart-pack-'));
const prefix = join(dir, 'prefix');
const home = join(dir, 'home');
const scores = join(dir, 'scores');
// A fresh npm cache: with --offline, npm can only use what the .tgz holds.
const npmEnv: NodeJS.ProcessEnv = { ...process.env, npm_config_cache: join(dir, 'npm-cache'), npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
const env: NodeJS.ProcessEnv = { ...npmEnv, MOZART_HOME: home, NO_COLOR: '1', PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH ?? ''}` };
delete env.MOZART_SOCKET;
let tgz = '';
let started = false;

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(command, args, { cwd: options.cwd ?? dir, env: options.env ?? env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr, all: `${r.stdout}\n${r.stderr}${r.error ? `\n${r.error.message}` : ''}` };
}
/** `mozart ...args` found on PATH, the way a user types it after `npm install -g`. */
const mozart = (...args: string[]) => run('mozart', args);

before(() => {
  const packed = run(process.execPath, [join(ROOT, 'scripts/pack-cli.mjs'), '--out', join(dir, 'out')], { cwd: ROOT });
  assert.equal(packed.code, 0, packed.all);
  tgz = packed.out.trim().split('\n').at(-1) ?? '';
  assert.ok(existsSync(tgz), `${tgz} exists`);
  mkdirSync(scores);
  copyFileSync(join(ROOT, 'examples/hello-world.yaml'), join(scores, 'hello-world.yaml'));
});
after(() => {
  if (started) mozart('stop');
  rmSync(dir, { recursive: true, force: true });
});

describe('the CLI package', () => {
  test('holds the CLI, the bundles it starts, docs and LICENSE, and declares no dependencies', () => {
    const listed = run('tar', ['tzf', tgz]);
    assert.equal(listed.code, 0, listed.all);
    const files = listed.out.trim().split('\n').sort();
    for (const file of ['cli.js', 'conductor.js', 'score-check-worker.js', 'cluster.js', 'package.json', 'README.md', 'LICENSE', 'docs/cli.md', 'docs/checks.md']) {
      assert.ok(files.includes(`package/${file}`), `package/${file} is in the .tgz`);
    }
    assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.includes('node_modules/')), [], 'no source maps or node_modules');
    const manifest = JSON.parse(run('tar', ['xzOf', tgz, 'package/package.json']).out);
    assert.equal(manifest.name, 'mozart-ai-compose-cli');
    assert.equal(manifest.version, version);
    assert.deepEqual(manifest.bin, { mozart: 'cli.js' });
    assert.equal(manifest.private, undefined);
    for (const key of ['dependencies', 'optionalDependencies', 'peerDependencies']) assert.equal(manifest[key], undefined, `no ${key}`);
  });

  test('npm install -g --prefix installs it offline and puts mozart on PATH', () => {
    const installed = run('npm', ['install', '-g', '--prefix', prefix, tgz], { env: npmEnv });
    assert.equal(installed.code, 0, installed.all);
    assert.deepEqual(readdirSync(join(prefix, 'lib/node_modules')), ['mozart-ai-compose-cli'], 'only the CLI was installed: it has no dependencies');
    const which = run('sh', ['-c', 'command -v mozart']);
    assert.equal(which.out.trim(), join(prefix, 'bin', 'mozart'));
    const v = mozart('--version');
    assert.equal(v.code, 0, v.all);
    assert.equal(v.out.trim(), version);
  });

  test('the installed mozart validates a score', () => {
    const validated = mozart('validate', 'scores/hello-world.yaml');
    assert.equal(validated.code, 0, validated.all);
    assert.match(validated.out, /hello-world\.yaml is valid/);
    assert.match(validated.out, /3 sheets on the command backend/);
  });

  test('the installed mozart starts its own conductor, runs hello-world to completion and stops it', () => {
    const start = mozart('start');
    assert.equal(start.code, 0, start.all);
    started = true;
    const pid = Number(/pid (\d+)/.exec(start.out)?.[1]);
    assert.ok(pid > 0, start.out);
    // The conductor runs from the installed package, not from this checkout's dist/.
    if (existsSync(`/proc/${pid}/cmdline`)) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.ok(cmdline.includes(join(prefix, 'lib/node_modules/mozart-ai-compose-cli/conductor.js')), cmdline.join(' '));
    }
    const ran = mozart('run', 'scores/hello-world.yaml', '--watch');
    assert.equal(ran.code, 0, ran.all);
    for (const n of [1, 2, 3]) assert.match(readFileSync(join(scores, 'workspace-hello', `greeting-${n}.md`), 'utf8'), new RegExp(`sheet ${n} of 3`));
    const status = JSON.parse(mozart('status', 'hello-world', '--json').out) as { status: string };
    assert.equal(status.status, 'completed');
    const stop = mozart('stop');
    assert.equal(stop.code, 0, stop.all);
    started = false;
    assert.match(mozart('status', 'hello-world').all, /No conductor is running/);
  });

  test('npx runs it from the .tgz with no registry', () => {
    const npx = run('npx', ['--yes', `--package=${tgz}`, 'mozart', '--version'], { env: { ...npmEnv, npm_config_cache: join(dir, 'npx-cache') } });
    assert.equal(npx.code, 0, npx.all);
    assert.equal(npx.out.trim(), version);
  });
});
