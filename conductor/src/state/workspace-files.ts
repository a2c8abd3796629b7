// Where a job keeps its files inside its workspace: checkpoint, sheet logs, prompts, event log.
// One place, so the runner that writes them and the conductor that serves them agree.
import { join } from 'node:path';

/** The workspace's Mozart folder. */
export const mozartDir = (workspace: string): string => join(workspace, '.mozart');

/** The checkpoint (snapshot + journal). */
export const stateDir = (workspace: string): string => join(mozartDir(workspace), 'state');

/** Every attempt's full agent output for one sheet. */
export const sheetLogFile = (workspace: string, sheet: number): string => join(mozartDir(workspace), 'logs', `sheet-${String(sheet).padStart(2, '0')}.log`);

/** The prompt sent on the sheet's latest attempt. */
export const promptFile = (workspace: string, sheet: number): string => join(mozartDir(workspace), 'prompts', `sheet-${sheet}.md`);

/** The job's structured event log (one JSON event per line). */
export const eventLogFile = (workspace: string): string => join(mozartDir(workspace), 'events.ndjson');

/** Notifications that could not be delivered (one JSON line each, no secrets), for diagnose. */
export const notificationLogFile = (workspace: string): string => join(mozartDir(workspace), 'notifications.ndjson');

/**
 * The original's read-only checkpoint view at the workspace root, `<job-id>.json` (never read back:
 * the checkpoint is stateDir). A path separator in the id becomes `_`, so the file stays in the workspace.
 */
export const checkpointViewFile = (workspace: string, jobId: string): string => join(workspace, `${jobId.replace(/[/\\\0]/g, '_')}.json`);

/** The job's human-readable log at the workspace root (`tail -f workspace/mozart.log`). */
export const jobLogFile = (workspace: string): string => join(workspace, 'mozart.log');
