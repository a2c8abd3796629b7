// Child processes as every backend, validation and hook starts them (runProcess), both ways they can
// be started: through the process helper (posix_spawn, the default on Linux) and with Node's own
// spawn. Each case runs against real processes and must come out the same either way.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configureLauncher, helperGivenUp, launcherState } from '../../src/backends/launcher.js';
import { runProcess, type ProcessSpec } from '../../src/backends/process.js';
import { goneSoon, isAlive } from '../support/job.js';

const dir = mkdtempSync(join(tmpdir(), 'mzp-'));
const base = { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeoutMs: 20_000, captureBytes: 4096 };
const sh = (script: string, more: Partial<ProcessSpec> = {}) => runProcess({ ...base, command: '/bin/sh', args: ['-c', script], ...more });
for (const mode of ['helper', 'direct'] as const) {
  const use = () => configureLauncher(mode === 'helper' ? 'python3' : 'off');

  test(`${mode}: stdin in, stdout and stderr out, exit code, only the given environment, the given folder`, async () => {
    use();
    const r = await sh('cat; echo "[$GREETING] [${HOME-unset}] $(pwd)" >&2; exit 3', { stdin: 'prompt ✓', env: { ...base.env, GREETING: 'héllo wörld' } });
    assert.equal(launcherState().kind, mode);
    assert.equal(r.exitCode, 3);
    assert.equal(r.signal, null);
    assert.equal(r.stdout, 'prompt ✓');
    assert.equal(r.stderr, `[héllo wörld] [unset] ${dir}\n`);
    assert.equal(r.spawnError, undefined);
  });

  test(`${mode}: the child leads its own session and process group, with default signal handling`, async () => {
    use();
    let reported: number | undefined;
    const r = await sh('cat /proc/self/stat; grep -E "^Sig(Ign|Blk)" /proc/self/status', { onSpawn: (pid) => (reported = pid) });
    const fields = r.stdout.slice(r.stdout.indexOf(')') + 2).split(' ');
    assert.equal(Number(fields[2]), r.pid, 'process group = its pid');
    assert.equal(Number(fields[3]), r.pid, 'session = its pid');
    assert.equal(reported, r.pid);
    assert.match(r.stdout, /SigBlk:\s+0+\n/);
    // Signals 1–31 (SIGPIPE among them, which Node and Python ignore for themselves) at their defaults.
    // glibc's posix_spawn leaves its two internal signals (32, 33) ignored; nothing else uses them.
    const ignored = BigInt(`0x${/SigIgn:\s+([0-9a-f]+)/.exec(r.stdout)?.[1] ?? 'ffff'}`);
    assert.equal(ignored & 0x7fffffffn, 0n, `ignored signals: ${ignored.toString(16)}`);
  });

  test(`${mode}: a signal that ends the child is reported by name`, async () => {
    use();
    const r = await sh('kill -TERM $$');
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, 'SIGTERM');
  });

  test(`${mode}: what cannot start says why, as Node names it`, async () => {
    use();
    const missing = await runProcess({ ...base, command: 'no-such-agent-xyz', args: [] });
    assert.equal(missing.spawnError?.code, 'ENOENT');
    assert.equal(missing.spawnError?.message, 'spawn no-such-agent-xyz ENOENT');
    const noFolder = await runProcess({ ...base, cwd: join(dir, 'gone'), command: '/bin/sh', args: ['-c', 'true'] });
    assert.equal(noFolder.spawnError?.code, 'ENOENT');
    const script = join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const denied = await runProcess({ ...base, command: script, args: [] });
    assert.equal(denied.spawnError?.code, 'EACCES');
  });

  test(`${mode}: a timeout stops the whole group, descendants included`, async () => {
    use();
    let child = 0;
    const r = await sh('sleep 30 & echo $!; wait', { timeoutMs: 300, onOutput: (_s, text) => (child ||= Number(text.trim())) });
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGTERM');
    assert.ok(child > 0);
    assert.equal(await goneSoon(child), true, 'the background sleep went with its group');
  });

  test(`${mode}: an abort before the start still stops the child once it has a pid`, async () => {
    use();
    const controller = new AbortController();
    controller.abort();
    const r = await runProcess({ ...base, command: '/bin/sleep', args: ['30'] }, controller.signal);
    assert.equal(r.cancelled, true);
    assert.equal(r.signal, 'SIGTERM');
  });

  test(`${mode}: a descendant left holding the output pipes does not hold up the end`, async () => {
    use();
    const r = await sh('sleep 30 & echo $!');
    assert.equal(r.exitCode, 0);
    const straggler = Number(r.stdout.trim());
    assert.equal(await goneSoon(straggler), true);
  });

  test(`${mode}: a megabyte out and 300 KB in`, async () => {
    use();
    const big = await sh('head -c 1000000 /dev/zero | tr "\\0" x; printf END');
    assert.equal(big.stdoutBytes, 1_000_003);
    assert.ok(big.stdout.endsWith('xxxEND'));
    assert.equal(big.stdout.length, base.captureBytes);
    const input = 'y'.repeat(300_000);
    const counted = await sh('wc -c', { stdin: input });
    assert.equal(counted.stdout.trim(), '300000');
  });

  test(`${mode}: twenty children at once keep their own output`, async () => {
    use();
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => sh(`echo start-${i}; sleep 0.0${i % 10}; echo end-${i} >&2`)));
    runs.forEach((r, i) => {
      assert.equal(r.stdout, `start-${i}\n`);
      assert.equal(r.stderr, `end-${i}\n`);
    });
  });
}

test('helper: when it dies, its running child is stopped and reported, and the next child gets a new helper', async () => {
  configureLauncher('python3');
  let started!: () => void;
  const running = new Promise<void>((res) => (started = res));
  const outcome = runProcess({ ...base, command: '/bin/sleep', args: ['30'], onSpawn: () => started() });
  await running;
  const state = launcherState();
  assert.equal(state.kind, 'helper');
  assert.ok(state.kind === 'helper' && state.pid);
  process.kill(state.pid, 'SIGKILL');
  const r = await outcome;
  assert.equal(r.signal, 'SIGKILL');
  assert.match(r.stderr, /the process helper stopped \(exited SIGKILL\); this process was killed/);
  assert.equal(await goneSoon(r.pid ?? 0), true);
  const next = await sh('echo again');
  assert.equal(next.stdout, 'again\n');
  const after = launcherState();
  assert.ok(after.kind === 'helper' && after.pid !== state.pid);
});

test('helper: three stops within ten minutes give it up for Node; stops spread over longer never do', async () => {
  const min = 60_000;
  assert.equal(helperGivenUp([0, 1, 2], 3), true);
  assert.equal(helperGivenUp([0, 4 * min, 8 * min], 9 * min), true);
  assert.equal(helperGivenUp([0, 6 * min, 12 * min], 12 * min), false, 'the first stop is out of the window');
  assert.equal(helperGivenUp([0, 5 * min], 5 * min), false);
  // And for real: a helper killed three times in a row is given up, with the reason.
  configureLauncher('python3');
  for (let kill = 1; kill <= 3; kill++) {
    assert.equal((await sh('echo up')).stdout, 'up\n');
    const state = launcherState();
    assert.ok(state.kind === 'helper' && state.pid, `helper ${kill} runs`);
    process.kill(state.pid, 'SIGKILL');
    assert.equal(await goneSoon(state.pid), true);
    await sh('true').catch(() => undefined);
  }
  const given = launcherState();
  assert.equal(given.kind, 'direct');
  assert.match(given.kind === 'direct' ? given.why : '', /the process helper stopped 3 times in 10 minutes \(last: exited SIGKILL\)/);
  assert.equal((await sh('echo still')).stdout, 'still\n', 'children still start');
  configureLauncher('python3');
});

test("helper: it does not stay in a child's folder once the child has started", async () => {
  // A helper left in a job's workspace would hold that folder busy, and whoever clears the folder
  // by the processes in it (a test harness, a cleanup script) would stop every job's children.
  configureLauncher('python3');
  const r = await sh('pwd');
  assert.equal(r.stdout, `${dir}\n`);
  const state = launcherState();
  assert.ok(state.kind === 'helper' && state.pid);
  assert.equal(readlinkSync(`/proc/${state.pid}/cwd`), process.cwd());
});

test('helper: an interpreter that cannot run it leaves every child to Node, with the reason', async () => {
  const notes: string[] = [];
  const { onLauncherNotice } = await import('../../src/backends/launcher.js');
  onLauncherNotice((m) => notes.push(m));
  configureLauncher(join(dir, 'no-python-here'));
  const [a, b] = await Promise.all([sh('echo one'), sh('echo two')]);
  assert.equal(a.stdout, 'one\n');
  assert.equal(b.stdout, 'two\n');
  const state = launcherState();
  assert.equal(state.kind, 'direct');
  assert.match(state.kind === 'direct' ? state.why : '', /no-python-here could not run the process helper \(spawn .* ENOENT\)/);
  assert.equal(notes.length, 1);
  configureLauncher('off');
});

test('helper: when the process that uses it dies (a kill -9 of the conductor), the children it runs go too', async () => {
  const launcher = join(__dirname, '..', '..', 'src', 'backends', 'launcher.ts');
  const script = `import { startChild } from ${JSON.stringify(launcher)};
startChild({ command: '/bin/sh', args: ['-c', 'sleep 30 & echo $!; wait'], cwd: '/', env: { PATH: process.env.PATH } }, {
  started: () => {}, failed: (e) => { console.error(e.message); process.exit(2); }, exited: () => {}, closed: () => {},
  output: (_s, chunk) => process.stdout.write(chunk),
});`;
  const { spawn } = await import('node:child_process');
  const file = join(dir, 'uses-the-helper.mjs');
  writeFileSync(file, script);
  const user = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, MOZART_LAUNCHER: 'python3' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const sleeper = await new Promise<number>((res) => user.stdout.once('data', (d: Buffer) => res(Number(d.toString().trim()))));
  assert.ok(sleeper > 0);
  assert.equal(isAlive(sleeper), true, 'running while its conductor runs');
  const gone = new Promise((res) => user.once('exit', res));
  user.kill('SIGKILL');
  await gone;
  assert.equal(await goneSoon(sleeper), true, 'stopped once its conductor was killed');
});
