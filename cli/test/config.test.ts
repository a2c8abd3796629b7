// `mozart config` over a real conductor in its own MOZART_HOME: init/path/check/show/set, the order
// file < env < flag, SIGHUP and daemon.reloadConfig re-reading the file (max jobs seen through
// conductor-status), a broken file refused with its position, and a broken file at reload keeping
// the settings the conductor had.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { harness } from '../../conductor/test/daemon/harness.js';
import type { Harness } from '../../conductor/test/daemon/harness.js';
import { ConductorError } from '../../protocol/src/client.js';

const homes: Harness[] = [];
function home(env: NodeJS.ProcessEnv = {}): Harness & { file: string; log: string } {
  const h = harness(env);
  homes.push(h);
  return Object.assign(h, { file: join(h.home, 'conductor.yaml'), log: join(h.home, 'mozart.log') });
}
after(() => {
  for (const h of homes) if (existsSync(h.socket)) h.mozart('stop');
});

const maxJobsSeen = (h: Harness): number => {
  const r = h.mozart('conductor-status');
  const m = /of at most (\d+) jobs running/.exec(r.out);
  assert.ok(m, `conductor-status names the job limit: ${r.out}${r.err}`);
  return Number(m[1]);
};

/** Resolves once the conductor's log holds a line matching `pattern` (the file is watched, not polled on a timer). */
function logLine(path: string, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const look = (): boolean => {
      const line = (existsSync(path) ? readFileSync(path, 'utf8') : '').split('\n').find((l) => pattern.test(l));
      if (line === undefined) return false;
      watcher.close();
      resolve(line);
      return true;
    };
    const watcher = watch(path, () => void look());
    look();
  });
}

interface ShownSetting {
  key: string;
  value: unknown;
  source: string;
  origin?: string;
  applies: string;
}
const show = (h: Harness, ...args: string[]): { live: boolean; file: string; settings: ShownSetting[]; notes: string[] } => {
  const r = h.mozart('config', 'show', '--json', ...args);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as { live: boolean; file: string; settings: ShownSetting[]; notes: string[] };
};
const setting = (report: { settings: ShownSetting[] }, key: string): ShownSetting => {
  const found = report.settings.find((s) => s.key === key);
  assert.ok(found, key);
  return found;
};

test('config path, init and check: a commented starter file that validates, never overwritten without --force', () => {
  const h = home();
  assert.match(h.mozart('config', 'path').out, new RegExp(`^${h.file}  \\(not created`));
  const check = h.mozart('config', 'check');
  assert.equal(check.code, 2, 'no file to check');
  assert.match(check.err, /does not exist/);

  const init = h.mozart('config', 'init');
  assert.equal(init.code, 0, init.err);
  const text = readFileSync(h.file, 'utf8');
  assert.match(text, /^# Mozart conductor settings/);
  assert.match(text, /\n# Jobs the conductor runs at once[^\n]*\n[^\n]*\nmax_concurrent_jobs: 8\n/);
  assert.match(text, /# {3}pid_file: the pid file is always/, 'keys with no effect are listed, commented out');
  assert.equal(statSync(h.file).mode & 0o777, 0o600);
  assert.match(h.mozart('config', 'path').out, /\(exists\)/);

  const valid = h.mozart('config', 'check');
  assert.equal(valid.code, 0, valid.err);
  assert.match(valid.out, /: valid$/m);

  writeFileSync(h.file, 'max_concurrent_jobs: 3\n');
  const again = h.mozart('config', 'init');
  assert.equal(again.code, 1);
  assert.match(again.err, /already exists.*--force/);
  assert.equal(readFileSync(h.file, 'utf8'), 'max_concurrent_jobs: 3\n', 'left as it was');
  assert.equal(h.mozart('config', 'init', '--force').code, 0);
  assert.match(readFileSync(h.file, 'utf8'), /^max_concurrent_jobs: 8$/m);
});

test('config check: each problem with file:line:col and exit 1; keys with no effect are warnings', () => {
  const h = home();
  writeFileSync(h.file, '# mine\nmax_concurrent_jobs: 0\nlog_level: loud\nsockett:\n  path: /tmp/x.sock\n');
  const bad = h.mozart('config', 'check');
  assert.equal(bad.code, 1);
  assert.match(bad.err, new RegExp(`${h.file}:2:22: error C002 max_concurrent_jobs must be ≥ 1 \\(it is 0\\)`));
  assert.match(bad.err, new RegExp(`${h.file}:3:12: error C002 log_level must be one of "debug", "info", "warning", "error" \\(it is "loud"\\)`));
  assert.match(bad.err, new RegExp(`${h.file}:4:1: error C002 'sockett' is not a conductor setting; did you mean 'socket'\\?`));
  assert.match(bad.out, /3 errors/);

  writeFileSync(h.file, 'max_concurrent_jobs: 2\npid_file: /tmp/mozart.pid\nmax_concurrent_jobs_x: [\n');
  const syntax = h.mozart('config', 'check');
  assert.equal(syntax.code, 1);
  assert.match(syntax.err, new RegExp(`${h.file}:\\d+:\\d+: error C001 `), 'a YAML error has its position too');

  writeFileSync(h.file, 'max_concurrent_jobs: 2\npid_file: /tmp/mozart.pid\n');
  const warned = h.mozart('config', 'check');
  assert.equal(warned.code, 0, warned.err);
  assert.match(warned.err, new RegExp(`${h.file}:2:1: warning C003 pid_file has no effect in this version: `));
  assert.match(warned.out, /valid \(1 warning\)/);
});

test('config show without a conductor: defaults, the file, then env over file', () => {
  const h = home();
  const before = show(h);
  assert.equal(before.live, false);
  assert.deepEqual([setting(before, 'max_concurrent_jobs').value, setting(before, 'max_concurrent_jobs').source], [8, 'default']);
  assert.equal(setting(before, 'socket.path').value, h.socket);
  writeFileSync(h.file, 'log_level: warning\nmax_concurrent_jobs: 2\n');
  const fromFile = show(h);
  assert.deepEqual([setting(fromFile, 'max_concurrent_jobs').value, setting(fromFile, 'max_concurrent_jobs').source, setting(fromFile, 'max_concurrent_jobs').origin], [2, 'file', `${h.file}:2`]);
  const r = h.mozart('config', 'show');
  assert.match(r.out, /^No conductor is running/);
  assert.match(r.out, /max_concurrent_jobs +2 +file \(line 2\) +apply at once/);
  assert.match(r.out, /socket\.path +\S+conductor\.sock +default +after a restart/);

  const withEnv = harness({ MOZART_HOME: h.home, MOZART_MAX_JOBS: '3', MOZART_LOG_LEVEL: 'nonsense' });
  const report = show(withEnv);
  assert.deepEqual([setting(report, 'max_concurrent_jobs').value, setting(report, 'max_concurrent_jobs').source, setting(report, 'max_concurrent_jobs').origin], [3, 'env', 'MOZART_MAX_JOBS']);
  assert.deepEqual([setting(report, 'log_level').value, setting(report, 'log_level').source], ['warning', 'file'], 'an unusable variable is ignored');
  assert.ok(report.notes.some((n) => /MOZART_LOG_LEVEL must be one of debug, info, warning, error \(it is 'nonsense'\); it is ignored/.test(n)), report.notes.join('\n'));
});

test('a running conductor: file < env < flag, shown live; config set applies max jobs at once and keeps comments', () => {
  const h = home({ MOZART_MAX_JOBS: '3' });
  writeFileSync(h.file, '# my settings\nmax_concurrent_jobs: 2 # two at most\nresource_limits:\n  min_free_memory_mb: 100\n');
  assert.equal(h.mozart('start', '--max-jobs', '4').code, 0);
  assert.equal(maxJobsSeen(h), 4, 'the flag wins over env and file');
  const live = show(h);
  assert.equal(live.live, true);
  assert.deepEqual([setting(live, 'max_concurrent_jobs').source, setting(live, 'max_concurrent_jobs').origin], ['flag', '--max-jobs']);
  assert.deepEqual([setting(live, 'resource_limits.min_free_memory_mb').value, setting(live, 'resource_limits.min_free_memory_mb').source], [100, 'file']);
  assert.match(h.mozart('conductor-status').out, /new work is refused below 100 MB/);

  // The flag still decides: the file's change is reported as overridden.
  const overridden = h.mozart('config', 'set', 'max_concurrent_jobs', '6');
  assert.equal(overridden.code, 0, overridden.err);
  assert.match(overridden.out, /max_concurrent_jobs: 2 → 6 — not applied: --max-jobs overrides the file/);
  assert.equal(maxJobsSeen(h), 4);
  const text = readFileSync(h.file, 'utf8');
  assert.equal(text, '# my settings\nmax_concurrent_jobs: 6 # two at most\nresource_limits:\n  min_free_memory_mb: 100\n', 'comments and layout kept');

  // Memory floor has no variable set here: the file's change applies at once.
  const floor = h.mozart('config', 'set', 'resource_limits.min_free_memory_mb', '64');
  assert.match(floor.out, /resource_limits\.min_free_memory_mb: 100 → 64 — applied now/);
  assert.match(h.mozart('conductor-status').out, /new work is refused below 64 MB/);

  // socket.path cannot move under a running conductor.
  const moved = h.mozart('config', 'set', 'socket.path', join(h.home, 'other.sock'));
  assert.equal(moved.code, 0, moved.err);
  assert.match(moved.out, /socket\.path: \S+conductor\.sock → \S+other\.sock — takes effect after restart/);
  const after = show(h, '--socket', h.socket);
  assert.equal(setting(after, 'socket.path').value, h.socket, 'the socket in use is shown');
  assert.ok(after.notes.some((n) => /socket\.path: the file now says \S+other\.sock; that takes effect after a restart/.test(n)), after.notes.join('\n'));

  const refused = h.mozart('config', 'set', 'max_concurrent_jobs', 'many', '--socket', h.socket);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /conductor\.yaml:2:22: error C002 max_concurrent_jobs must be a whole number \(it is "many"\)/);
  assert.match(readFileSync(h.file, 'utf8'), /^max_concurrent_jobs: 6 # two at most$/m, 'the file is left as it was');
  const typo = h.mozart('config', 'set', 'max_concurent_jobs', '2');
  assert.equal(typo.code, 1);
  assert.match(typo.err, /'max_concurent_jobs' is not a setting; did you mean 'max_concurrent_jobs'\?/);
  h.mozart('stop', '--socket', h.socket);
});

test('config set without env or flag changes max jobs at once; no conductor: said, file written', () => {
  const h = home();
  const none = h.mozart('config', 'set', 'max_concurrent_jobs', '2');
  assert.equal(none.code, 0, none.err);
  assert.match(none.out, /No conductor is running on .*; the next one started reads the file/);
  assert.match(readFileSync(h.file, 'utf8'), /max_concurrent_jobs: 2/);
  assert.equal(h.mozart('start').code, 0);
  assert.equal(maxJobsSeen(h), 2);
  const set = h.mozart('config', 'set', 'max_concurrent_jobs', '5');
  assert.match(set.out, /max_concurrent_jobs: 2 → 5 — applied now/);
  assert.equal(maxJobsSeen(h), 5);
  const inactive = h.mozart('config', 'set', 'job_timeout_seconds', '600');
  assert.equal(inactive.code, 0, inactive.err);
  assert.match(inactive.out, /job_timeout_seconds has no effect in this version: /);
});

test('SIGHUP re-reads the file: max jobs changes; a broken file is logged with its position and the old settings stay', async () => {
  const h = home();
  writeFileSync(h.file, 'max_concurrent_jobs: 2\n');
  assert.equal(h.mozart('start').code, 0);
  assert.equal(maxJobsSeen(h), 2);
  const pid = Number(readFileSync(join(h.home, 'run', 'conductor.pid'), 'utf8'));

  writeFileSync(h.file, 'max_concurrent_jobs: 6\nlog_level: debug\n');
  process.kill(pid, 'SIGHUP');
  await logLine(h.log, /config: log_level info → debug \(applied\)/);
  assert.equal(maxJobsSeen(h), 6);
  await logLine(h.log, /debug: request daemon\.health/);

  writeFileSync(h.file, 'max_concurrent_jobs: none\nlog_level: error\n');
  process.kill(pid, 'SIGHUP');
  const refused = await logLine(h.log, /was not reloaded; the settings stay as they were/);
  assert.match(refused, /config: \S+conductor\.yaml was not reloaded/);
  assert.match(readFileSync(h.log, 'utf8'), new RegExp(`${h.file}:1:22: error C002 max_concurrent_jobs must be a whole number`));
  assert.equal(maxJobsSeen(h), 6, 'the old settings stay');
  const live = show(h);
  assert.equal(setting(live, 'log_level').value, 'debug');
  assert.ok(live.notes.some((n) => /conductor\.yaml has errors now: the conductor keeps the settings above/.test(n)), live.notes.join('\n'));

  // The same refusal over the socket: daemon.reloadConfig answers -32000 with the position.
  const client = await h.connect();
  try {
    await assert.rejects(client.request('daemon.reloadConfig', {}), (error: unknown) => error instanceof ConductorError && error.code === -32000 && /conductor\.yaml:1:22: error C002/.test(error.message) && /keeps its settings/.test(error.message));
  } finally {
    client.close();
  }
});

test('a conductor does not start on a broken file: mozart start says where, before starting anything', () => {
  const h = home();
  writeFileSync(h.file, 'learning:\n  enabled: maybe\n');
  const r = h.mozart('start');
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`${h.file}:2:12: error C002 learning\\.enabled must be true or false \\(it is "maybe"\\)`));
  assert.equal(existsSync(h.socket), false, 'nothing listens');
});

test('start -c FILE reads another file, and -l LEVEL beats the file and MOZART_LOG_LEVEL', () => {
  const h = home({ MOZART_LOG_LEVEL: 'error' });
  const other = join(h.home, 'elsewhere.yaml');
  writeFileSync(other, 'log_level: warning\nmax_concurrent_jobs: 3\n');
  writeFileSync(h.file, 'max_concurrent_jobs: 7\n');
  const started = h.mozart('start', '-c', other, '-l', 'debug');
  assert.equal(started.code, 0, started.err);
  const live = show(h);
  assert.equal(live.file, other);
  assert.deepEqual([setting(live, 'log_level').value, setting(live, 'log_level').source, setting(live, 'log_level').origin], ['debug', 'flag', '--log-level']);
  assert.deepEqual([setting(live, 'max_concurrent_jobs').value, setting(live, 'max_concurrent_jobs').origin], [3, `${other}:2`]);
  // `config set` on the default file does not touch a conductor that reads another one.
  const set = h.mozart('config', 'set', 'max_concurrent_jobs', '1');
  assert.match(set.out, new RegExp(`The running conductor reads ${other}, not ${h.file}: it was not asked to reload`));
  assert.equal(maxJobsSeen(h), 3);
  assert.match(h.mozart('config', 'set', 'max_concurrent_jobs', '4', '-c', other).out, /max_concurrent_jobs: 3 → 4 — applied now/);
  assert.equal(maxJobsSeen(h), 4);
  assert.equal(h.mozart('start', '-l', 'loud').code, 2, 'a bad level is refused before anything starts');
});
