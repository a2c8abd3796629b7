// Short human forms of durations, costs and countdowns, for the tree, the status bar and
// notifications.

/** "850ms", "12s", "4m 05s", "2h 03m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Time left until `until` (epoch ms), rounded up to whole seconds: "0s" once it has passed. */
export function formatCountdown(until: number, now: number): string {
  const left = Math.ceil(Math.max(0, until - now) / 1000) * 1000;
  return left === 0 ? '0s' : formatDuration(left);
}

/** "$0.0042" below a cent, "$1.23" above; never rounds a small cost to zero. */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd) || usd <= 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
