// The status bar entry as data: the connection's phase and the number of running jobs in, its
// text, tooltip and look out.
import type { ConnectionState } from '../conductor/connection-state.js';
import type { Translate } from '../l10n.js';

export interface StatusBarModel {
  text: string;
  tooltip: string;
  /** 'error' and 'warning' map to the status bar's error/warning backgrounds. */
  look: 'normal' | 'warning' | 'error';
}

/**
 * The status bar entry. `bundledVersion` is the conductor this extension ships: after an update, the
 * conductor still running (it outlives windows and keeps its jobs going) may be an older one; the
 * tooltip says so and how to switch, without interrupting anything. `pausingJobs` of the running
 * jobs were asked to pause and wait for their running sheets: the entry says so from the click on.
 */
export function statusBarModel(connection: Pick<ConnectionState, 'phase' | 'detail' | 'stopping' | 'conductor'>, runningJobs: number, t: Translate, bundledVersion?: string, pausingJobs = 0): StatusBarModel {
  const click = t('Click for conductor actions.');
  switch (connection.phase) {
    case 'stopped':
      return { text: `$(debug-stop) ${t('Mozart: stopped')}`, tooltip: `${t('The Mozart conductor is not running.')} ${click}`, look: 'normal' };
    case 'starting':
      return { text: `$(loading~spin) ${t('Mozart: starting')}`, tooltip: t('Connecting to the Mozart conductor…'), look: 'normal' };
    case 'running': {
      const running = connection.conductor;
      const outdated = running && bundledVersion && running.version !== bundledVersion && running.version !== 'dev' && bundledVersion !== 'dev';
      const who = [
        running ? t('Conductor pid {0}, version {1}.', running.pid, running.version) : '',
        outdated ? t('This extension bundles version {0}; restart the conductor when no job needs it, to use it (running jobs pause and continue after the restart).', bundledVersion) : '',
      ]
        .filter(Boolean)
        .join(' ');
      if (connection.stopping) return { text: `$(loading~spin) ${t('Mozart: stopping')}`, tooltip: t('The conductor is pausing running jobs and stopping.'), look: 'normal' };
      if (runningJobs === 0) return { text: `$(pulse) ${t('Mozart: idle')}`, tooltip: `${t('The conductor is running; no job is running.')} ${who} ${click}`.trim(), look: 'normal' };
      const pausing = Math.min(Math.max(pausingJobs, 0), runningJobs);
      if (pausing > 0) {
        const note = t('Pausing: nothing new starts; a job asked to pause pauses once its running sheets end.');
        if (pausing === runningJobs) {
          const text = pausing === 1 ? t('Mozart: 1 job pausing') : t('Mozart: {0} jobs pausing', pausing);
          return { text: `$(loading~spin) ${text}`, tooltip: `${note} ${who} ${click}`.trim(), look: 'normal' };
        }
        return { text: `$(play) ${t('Mozart: {0} jobs running, {1} pausing', runningJobs, pausing)}`, tooltip: `${note} ${who} ${click}`.trim(), look: 'normal' };
      }
      const text = runningJobs === 1 ? t('Mozart: 1 job running') : t('Mozart: {0} jobs running', runningJobs);
      // A still icon, as in the tree (RUNNING_ICON): an animation redraws the window as long as it shows.
      return { text: `$(play) ${text}`, tooltip: `${who} ${click}`.trim(), look: 'normal' };
    }
    case 'lost':
      return { text: `$(debug-disconnect) ${t('Mozart: disconnected')}`, tooltip: `${t('The connection to the conductor was lost.')} ${connection.detail ?? ''} ${click}`.replace(/\s+/g, ' ').trim(), look: 'warning' };
    case 'error':
      return { text: `$(error) ${t('Mozart: error')}`, tooltip: `${connection.detail ?? t('The conductor failed.')} ${click}`, look: 'error' };
  }
}

/** Why no conductor can be used right now, for an error message. */
export function connectionProblem(connection: Pick<ConnectionState, 'phase' | 'detail'>, t: Translate): string {
  switch (connection.phase) {
    case 'error':
      return t('The Mozart conductor is not available: {0}', connection.detail ?? t('it failed to start.'));
    case 'lost':
      return t('The connection to the Mozart conductor was lost.');
    default:
      return t('The Mozart conductor is not running.');
  }
}
