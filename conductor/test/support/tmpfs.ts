// A small real filesystem that fills up: a tmpfs mounted for one test (needs root, as in CI).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why a tmpfs cannot be mounted here, or undefined when it can. */
export function tmpfsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs as root)';
  const probe = mkdtempSync(join(tmpdir(), 'mozart-tmpfs-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
  if (mounted.status !== 0) {
    rmSync(probe, { recursive: true, force: true });
    return `mount -t tmpfs is not permitted here: ${mounted.stderr.toString().trim()}`;
  }
  spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return undefined;
}

/** Mounts a tmpfs of `kib` KiB; `unmount` removes it. */
export function mountTmpfs(kib: number): { dir: string; unmount: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'tmpfs', dir]);
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the filesystem holding `dir` to its last byte (a file `filler` in `dir`). */
export function fillUp(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'a');
  const block = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // A partial block may still fit.
  const last = openSync(join(dir, 'filler'), 'a');
  try {
    for (;;) writeSync(last, Buffer.alloc(1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(last);
  }
}
