// Starts the conductor's child processes (agents, validation commands, hooks) through a small
// long-lived helper instead of forking the conductor itself. On Linux, Node's spawn forks the whole
// conductor for every child: the fork copies its page tables, the child's exec tears them down, and
// the conductor then takes a copy-on-write fault on each page it writes — several milliseconds of
// CPU per child, with the conductor's event loop blocked for the fork. The helper is a Python
// program (standard library only) that starts each child with posix_spawn, which glibc implements
// without copying the parent, and relays the child's output over one pipe.
//
// Where the helper cannot run (no python3, too old, not Linux, MOZART_LAUNCHER=off), every child is
// started with Node's own spawn, as before; nothing else changes. What a caller sees is the same
// either way: the pid (the leader of its own session and process group), the output as it comes,
// a start error named like Node's (`spawn CMD ENOENT`), the exit code or signal after all output.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Socket } from 'node:net';

/** Sends a signal to a whole process group; ignores groups that are already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** What to start. */
export interface StartSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. Undefined: stdin is closed at once. */
  stdin?: string;
}

/** What happens to a started child, in this order: started, output…, exited, output…, closed; or failed alone. */
export interface ChildEvents {
  started(pid: number): void;
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** The child could not be started at all; nothing else follows. */
  failed(error: NodeJS.ErrnoException): void;
  /** The leader has exited; output its descendants wrote may still follow. */
  exited(): void;
  /** Exited and all of its output delivered. */
  closed(code: number | null, signal: NodeJS.Signals | null): void;
}

/** Starts a child with Node's spawn (its own process group, stdio piped). */
export function startDirect(spec: StartSpec, events: ChildEvents): void {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true, // own process group: kill(-pid) reaches every descendant
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) events.started(child.pid);
  let failed = false;
  child.stdout.on('data', (chunk: Buffer) => events.output('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => events.output('stderr', chunk));
  child.on('error', (error: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    events.failed(error);
  });
  child.on('exit', () => events.exited());
  child.on('close', (code, signal) => {
    if (!failed) events.closed(code, signal);
  });
  child.stdin.on('error', () => {
    /* the child may exit without reading its input; that is its business */
  });
  if (spec.stdin !== undefined) child.stdin.end(spec.stdin);
  else child.stdin.end();
}

// The helper. Protocol: one JSON request per line on its stdin ({id, path?, argv, cwd, env, stdin});
// frames on its stdout: kind (1 byte), id (uint32 BE), length (uint32 BE), payload. Kinds: H ready
// (id 0), S started (pid), O stdout bytes, R stderr bytes, E could not start (JSON errno/code/message),
// X closed ("CODE SIGNAL", one of them empty). EOF on its stdin (the conductor gone) ends it and the
// children it still runs, whose output nobody could read any more.
const HELPER = String.raw`
import os, sys, json, struct, signal, selectors, socket, errno
if sys.version_info < (3, 8) or not hasattr(os, 'posix_spawn'):
    sys.exit(3)
def send(kind, cid, payload=b''):
    view = memoryview(struct.pack('>cII', kind, cid, len(payload)) + payload)
    while view:
        view = view[os.write(1, view):]
def find(exe, env):
    if '/' in exe:
        return exe
    denied = False
    for d in env.get('PATH', os.defpath).split(':'):
        p = os.path.join(d or '.', exe)
        if os.path.isfile(p):
            if os.access(p, os.X_OK):
                return p
            denied = True
    raise OSError(errno.EACCES if denied else errno.ENOENT, 'not found')
DEFAULTS = [s for s in range(1, signal.NSIG) if s not in (signal.SIGKILL, signal.SIGSTOP) and s < 32]
sel = selectors.DefaultSelector()
wake_r, wake_w = socket.socketpair()
wake_r.setblocking(False)
wake_w.setblocking(False)
signal.set_wakeup_fd(wake_w.fileno())
signal.signal(signal.SIGCHLD, lambda *a: None)
os.set_blocking(0, False)
sel.register(0, selectors.EVENT_READ, ('ctl',))
sel.register(wake_r, selectors.EVENT_READ, ('wake',))
by_pid = {}
# Back here after each spawn: the helper never stays in a job's workspace (it would hold it busy, and
# whoever cleans that folder up by the processes in it would stop every job's children).
START_CWD = os.getcwd()
pending = b''
def settle(c):
    if c['exit'] is not None and c['open'] == 0:
        send(b'X', c['id'], c['exit'].encode())
def start(req):
    cid = req['id']
    fds = []
    try:
        env = req['env']
        path = find(req['argv'][0], env)
        i0, i1 = os.pipe2(os.O_CLOEXEC)
        fds += [i0, i1]
        o0, o1 = os.pipe2(os.O_CLOEXEC)
        fds += [o0, o1]
        e0, e1 = os.pipe2(os.O_CLOEXEC)
        fds += [e0, e1]
        os.chdir(req['cwd'])
        try:
            pid = os.posix_spawn(path, req['argv'], env, file_actions=[(os.POSIX_SPAWN_DUP2, i0, 0), (os.POSIX_SPAWN_DUP2, o1, 1), (os.POSIX_SPAWN_DUP2, e1, 2)], setsid=True, setsigmask=(), setsigdef=DEFAULTS)
        finally:
            os.chdir(START_CWD)
    except Exception as e:
        for fd in fds:
            os.close(fd)
        no = e.errno if isinstance(e, OSError) and e.errno else errno.EINVAL
        send(b'E', cid, json.dumps({'errno': no, 'code': errno.errorcode.get(no, 'EIO'), 'message': str(e)}).encode())
        return
    for fd in (i0, o1, e1):
        os.close(fd)
    c = {'id': cid, 'pid': pid, 'exit': None, 'open': 2, 'in': req.get('stdin', '').encode()}
    by_pid[pid] = c
    send(b'S', cid, str(pid).encode())
    os.set_blocking(i1, False)
    if c['in']:
        sel.register(i1, selectors.EVENT_WRITE, ('in', c))
    else:
        os.close(i1)
    for fd, kind in ((o0, b'O'), (e0, b'R')):
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ, ('out', c, kind))
def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        c = by_pid.pop(pid, None)
        if c is None:
            continue
        c['exit'] = ' ' + str(os.WTERMSIG(status)) if os.WIFSIGNALED(status) else str(os.WEXITSTATUS(status)) + ' '
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        settle(c)
send(b'H', 0, b'1')
while True:
    for key, _ in sel.select():
        what = key.data
        if what[0] == 'ctl':
            chunk = os.read(0, 1 << 16)
            if not chunk:
                # The conductor is gone (or let the helper go): nobody can follow these children any
                # more, and one it had no pid for yet could not be stopped by a resume. Stop them all.
                for pid in by_pid:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except OSError:
                        pass
                sys.exit(0)
            pending += chunk
            while b'\n' in pending:
                line, pending = pending.split(b'\n', 1)
                start(json.loads(line))
        elif what[0] == 'wake':
            try:
                while wake_r.recv(4096):
                    pass
            except BlockingIOError:
                pass
        elif what[0] == 'in':
            c = what[1]
            try:
                c['in'] = c['in'][os.write(key.fd, c['in'][:1 << 16]):]
            except BlockingIOError:
                continue
            except OSError:
                c['in'] = b''
            if not c['in']:
                sel.unregister(key.fd)
                os.close(key.fd)
        else:
            c, kind = what[1], what[2]
            try:
                chunk = os.read(key.fd, 1 << 16)
            except BlockingIOError:
                continue
            if chunk:
                send(kind, c['id'], chunk)
            else:
                sel.unregister(key.fd)
                os.close(key.fd)
                c['open'] -= 1
                settle(c)
    reap()
`;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]));

interface Pending {
  spec: StartSpec;
  events: ChildEvents;
  pid?: number;
}

/** A helper that stops this many times within RESTART_WINDOW_MS is given up for Node's spawn. */
const MAX_STOPS = 3;
const RESTART_WINDOW_MS = 10 * 60_000;

/**
 * Whether the helper has stopped too often to start another: MAX_STOPS stops within the window.
 * A conductor runs for weeks; three stops spread over them (a workspace cleaner killing processes
 * in its folder, an OOM kill) must not leave it on the slower spawn for good.
 */
export function helperGivenUp(stops: readonly number[], now: number): boolean {
  return stops.filter((at) => now - at < RESTART_WINDOW_MS).length >= MAX_STOPS;
}

/** How children are being started; for the conductor's log. */
export type LauncherState = { kind: 'helper'; interpreter: string; pid?: number } | { kind: 'direct'; why: string };

/** The helper process and the children it has started. */
class Launcher {
  private child: ChildProcess | undefined;
  private ready = false;
  private disabled: string | undefined;
  /** When the helper stopped after having started (ms since the epoch), the recent ones. */
  private stops: number[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(
    private readonly interpreter: string,
    private readonly notice: (message: string) => void,
  ) {}

  state(): LauncherState {
    if (this.disabled !== undefined) return { kind: 'direct', why: this.disabled };
    return { kind: 'helper', interpreter: this.interpreter, ...(this.child?.pid !== undefined ? { pid: this.child.pid } : {}) };
  }

  start(spec: StartSpec, events: ChildEvents): void {
    if (this.disabled !== undefined) return startDirect(spec, events);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(spec.env)) if (value !== undefined) env[key] = value;
    // The helper cannot say why a NUL byte is refused the way Node does; Node can.
    if ([spec.command, spec.cwd, ...spec.args, ...Object.keys(env), ...Object.values(env)].some((s) => s.includes('\0'))) return startDirect(spec, events);
    const child = this.ensure();
    const id = this.nextId++;
    this.pending.set(id, { spec, events });
    this.holdOpen();
    child.stdin?.write(`${JSON.stringify({ id, argv: [spec.command, ...spec.args], cwd: spec.cwd, env, stdin: spec.stdin ?? '' })}\n`);
  }

  /** Ends the helper, and with it any child it still runs. */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(this.interpreter, ['-I', '-S', '-c', HELPER], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    this.child = child;
    this.ready = false;
    this.chunks = [];
    this.buffered = 0;
    let stderr = '';
    let down = false;
    const goDown = (why: string): void => {
      if (down) return;
      down = true;
      this.down(child, `${why}${stderr.trim() ? `: ${stderr.trim().slice(-300)}` : ''}`);
    };
    child.on('error', (error) => goDown(error.message));
    child.on('close', (code, signal) => goDown(`exited ${code ?? signal}`));
    child.stdin?.on('error', () => {
      /* reported by 'close' */
    });
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    child.stdout?.on('data', (d: Buffer) => this.read(d));
    child.unref();
    return child;
  }

  /** Keeps the conductor's event loop alive while a child is out, and only then. */
  private holdOpen(): void {
    const hold = this.pending.size > 0;
    if (hold) this.child?.ref();
    else this.child?.unref();
    for (const stream of [this.child?.stdout, this.child?.stdin, this.child?.stderr] as (Socket | null | undefined)[]) {
      if (!stream) continue;
      if (hold) stream.ref();
      else stream.unref();
    }
  }

  private read(data: Buffer): void {
    this.chunks.push(data);
    this.buffered += data.length;
    if (this.buffered < 9) return;
    let buf = this.chunks.length === 1 && this.chunks[0] ? this.chunks[0] : Buffer.concat(this.chunks);
    let at = 0;
    while (buf.length - at >= 9) {
      const length = buf.readUInt32BE(at + 5);
      if (buf.length - at < 9 + length) break;
      const kind = String.fromCharCode(buf.readUInt8(at));
      const id = buf.readUInt32BE(at + 1);
      this.frame(kind, id, buf.subarray(at + 9, at + 9 + length));
      at += 9 + length;
    }
    buf = buf.subarray(at);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
  }

  private frame(kind: string, id: number, payload: Buffer): void {
    if (kind === 'H') {
      this.ready = true;
      return;
    }
    const entry = this.pending.get(id);
    if (!entry) return;
    switch (kind) {
      case 'S':
        entry.pid = Number(payload.toString());
        entry.events.started(entry.pid);
        return;
      case 'O':
        return entry.events.output('stdout', Buffer.from(payload));
      case 'R':
        return entry.events.output('stderr', Buffer.from(payload));
      case 'E': {
        this.settle(id);
        const info = JSON.parse(payload.toString()) as { errno: number; code: string };
        const error = Object.assign(new Error(`spawn ${entry.spec.command} ${info.code}`), {
          errno: -info.errno,
          code: info.code,
          syscall: `spawn ${entry.spec.command}`,
          path: entry.spec.command,
          spawnargs: entry.spec.args,
        });
        return entry.events.failed(error);
      }
      case 'X': {
        this.settle(id);
        const [code, signal] = payload.toString().split(' ');
        entry.events.exited();
        return entry.events.closed(code ? Number(code) : null, signal ? (SIGNAL_NAMES.get(Number(signal)) ?? null) : null);
      }
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    this.holdOpen();
  }

  /** The helper is gone. Before it said it was ready nothing of ours ran in it: start those directly. */
  private down(child: ChildProcess, why: string): void {
    if (this.child === child) this.child = undefined;
    const orphans = [...this.pending.values()];
    this.pending.clear();
    if (!this.ready) {
      this.disabled = `${this.interpreter} could not run the process helper (${why})`;
      this.notice(`process launcher: ${this.disabled}; starting children with Node's spawn`);
      for (const { spec, events } of orphans) startDirect(spec, events);
      return;
    }
    const now = Date.now();
    this.stops = [...this.stops.filter((at) => now - at < RESTART_WINDOW_MS), now];
    if (helperGivenUp(this.stops, now)) {
      this.disabled = `the process helper stopped ${this.stops.length} times in ${RESTART_WINDOW_MS / 60_000} minutes (last: ${why})`;
      this.notice(`process launcher: ${this.disabled}; starting children with Node's spawn`);
    } else if (orphans.length || why !== 'exited 0') this.notice(`process launcher: the helper stopped (${why}); a new one starts with the next child`);
    for (const { spec, events, pid } of orphans) {
      if (pid === undefined) {
        events.failed(Object.assign(new Error(`spawn ${spec.command}: the process helper stopped (${why}) before saying whether it started`), { code: 'ELAUNCHER' }));
        continue;
      }
      // Its output pipe went with the helper; the child cannot be followed, so it is stopped.
      killGroup(pid, 'SIGKILL');
      events.output('stderr', Buffer.from(`\nmozart: the process helper stopped (${why}); this process was killed\n`));
      events.exited();
      events.closed(null, 'SIGKILL');
    }
  }
}

let shared: Launcher | undefined;
let configured = false;
let notice: (message: string) => void = () => undefined;

/** Where the launcher's own troubles are reported (the conductor log). */
export function onLauncherNotice(report: (message: string) => void): void {
  notice = report;
}

/**
 * Chooses how children start: `off` (or `direct`) for Node's spawn, `auto` for the helper under
 * `python3` on Linux, or a Python interpreter to run it with. Read from MOZART_LAUNCHER by default.
 */
export function configureLauncher(setting: string | undefined = process.env.MOZART_LAUNCHER): void {
  configured = true;
  shared?.close();
  shared = undefined;
  const value = (setting ?? 'auto').trim();
  if (value === 'off' || value === 'direct') return;
  if (value === 'auto' || value === '') {
    if (process.platform === 'linux') shared = new Launcher('python3', (m) => notice(m));
    return;
  }
  shared = new Launcher(value, (m) => notice(m));
}

/** Starts a child the configured way. */
export function startChild(spec: StartSpec, events: ChildEvents): void {
  if (!configured) configureLauncher();
  if (shared) shared.start(spec, events);
  else startDirect(spec, events);
}

/** How children are started now. */
export function launcherState(): LauncherState {
  if (!configured) configureLauncher();
  return shared?.state() ?? { kind: 'direct', why: process.platform === 'linux' ? 'MOZART_LAUNCHER=off' : `not needed on ${process.platform}` };
}
