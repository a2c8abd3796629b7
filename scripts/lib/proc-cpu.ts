// CPU time as Linux's /proc tells it, for the benches that wait for a quiet conductor or machine.
// Undefined where /proc cannot tell (other systems), so a bench then goes on without waiting.
import { readFileSync } from 'node:fs';

/** CPU time a process has used so far, in seconds (utime + stime, in USER_HZ: 100 on Linux). */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU time the whole machine has been busy and in all, in clock ticks. */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}
