// The conductor's settings at work: `applySettings` hands the live ones to the job manager and the
// log; `daemon.config` shows them with their sources; `daemon.reloadConfig` (and SIGHUP) re-reads
// the file, logs what changed and what waits for a restart, or — for a broken file — logs its
// file:line:col findings and refuses, keeping every setting as it was.
import type { SettingKey, SettingValues } from '../../../score/src/conductor-settings.js';
import type { ConductorConfig } from './config.js';
import { ConfigFileError } from './config.js';
import type { JobManager } from './job-manager.js';
import type { ConductorLog } from './log.js';
import type { Handlers } from './server.js';

/** Puts the settings that can change while the conductor runs into effect. */
export function applySettings(manager: JobManager, log: ConductorLog, v: SettingValues): void {
  manager.setLimits({ maxRunningJobs: v.max_concurrent_jobs, minAvailableMemoryBytes: v['resource_limits.min_free_memory_mb'] * 1024 * 1024 });
  manager.learningPolicy = { enabled: v['learning.enabled'], useGlobalPatterns: v['learning.use_global_patterns'] };
  manager.setDefaultChannels(v.notifications);
  log.level = v.log_level;
}

/** In a cluster the member told the others its job limit when it joined: a new one needs a restart. */
const FIXED_IN_CLUSTER: readonly SettingKey[] = ['max_concurrent_jobs'];

export function configHandlers(config: ConductorConfig, manager: JobManager, log: ConductorLog, inCluster: boolean): Pick<Handlers, 'daemon.config' | 'daemon.reloadConfig'> {
  if (inCluster) config.holdUntilRestart(FIXED_IN_CLUSTER);
  return {
    'daemon.config': async () => config.report(),
    'daemon.reloadConfig': async () => {
      const file = config.report().file;
      try {
        const result = config.reload((values) => applySettings(manager, log, values));
        if (result.changes.length === 0) log.info(`config: re-read ${file}; nothing changed`);
        for (const change of result.changes) {
          const what = change.effect === 'applied' ? 'applied' : change.effect === 'new-jobs' ? 'applies to jobs started from now on' : change.effect === 'restart' ? 'takes effect after restart' : `not applied: ${change.by} overrides the file`;
          log.info(`config: ${change.key} ${change.from} → ${change.to} (${what})`);
        }
        return result;
      } catch (error) {
        if (!(error instanceof ConfigFileError)) throw error;
        log.error(`config: ${file} was not reloaded; the settings stay as they were:\n${error.message}`);
        throw new ConfigFileError(`${error.message}\nThe conductor keeps its settings as they were.`);
      }
    },
  };
}
