// The processes a UI workbench starts (code-server, its extension host, conductors the extension
// spawns): started, waited for, and stopped with everything they left behind, even when a test dies.
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, watch } from 'node:fs';
import { basename, join } from 'node:path';

/** code-servers still running; the exit hook stops them if a test dies before its teardown. */
export const liveServers = new Set<ChildProcess>();
/** Temp folders of workbenches not closed yet; removed on exit too. */
export const liveRoots = new Set<string>();
function killLiveServers(): void {
  for (const server of liveServers) killGroup(server.pid, 'SIGKILL');
  if (process.env.MOZART_UI_KEEP) return;
  for (const root of liveRoots) rmSync(root, { recursive: true, force: true });
}
process.on('exit', killLiveServers);
// code-server runs detached, so it would outlive a test process stopped by a signal.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killLiveServers();
    process.kill(process.pid, signal);
  });
}
/** Resolves with the first capture group of a line the process logs, or rejects when it exits first. */
export function waitForLog(path: string, pattern: RegExp, child: ChildProcess, timeout: number): Promise<string> {
  return new Promise((resolvePort, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      watcher.close();
      child.off('exit', onExit);
      if (error) reject(error);
      else resolvePort(value ?? '');
    };
    const check = () => {
      const match = pattern.exec(readFileSync(path, 'utf8'));
      if (match?.[1]) finish(undefined, match[1]);
    };
    const onExit = (code: number | null) => finish(new Error(`code-server exited (${code}) before it listened:\n${readFileSync(path, 'utf8')}`));
    const timer = setTimeout(() => finish(new Error(`code-server did not listen within ${timeout} ms:\n${readFileSync(path, 'utf8')}`)), timeout);
    const watcher = watch(path, check);
    child.on('exit', onExit);
    check();
  });
}

/** SIGTERM to the child's process group, SIGKILL if it has not exited within 5 s. */
export function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
      killGroup(child.pid, 'SIGKILL');
      done();
      return;
    }
    const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      // Whatever the server left in its group (extension host, language server) goes too.
      killGroup(child.pid, 'SIGKILL');
      done();
    });
    killGroup(child.pid, 'SIGTERM');
  });
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is empty
  }
}

/**
 * Kills (with their process groups) the processes whose command line, environment or working
 * directory mentions `root`: conductors the extension started for this workbench's socket and
 * Mozart home. Linux only (/proc); elsewhere nothing is found.
 */
export async function killProcessesReferencing(root: string): Promise<void> {
  const pids = processesReferencing(root);
  for (const pid of pids) {
    killGroup(pid, 'SIGTERM');
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  if (pids.length === 0) return;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) {
    killGroup(pid, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export function processesReferencing(root: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // no access
      }
      if (cmdline.includes(root) || environ.includes(root) || cwd.startsWith(root)) found.push(pid);
    } catch {
      // exited while we looked, or not ours to read
    }
  }
  return found;
}

export function describeProcess(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`;
  } catch {
    return String(pid);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie waits for a parent to reap it; it runs nothing any more.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Copies the extension host's and Mozart's output channels next to the screenshots, for diagnosis. */
export function copyExtensionHostLogs(logsDir: string, dest: string): void {
  if (!existsSync(logsDir) || !existsSync(dest)) return;
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  for (const file of walk(logsDir)) {
    const name = basename(file);
    if (name === 'exthost.log' || /mozart/i.test(file) || name === 'remoteexthost.log') {
      cpSync(file, join(dest, `log-${name}`));
    }
  }
}
