// A job's notification channels as the conductor runs it: built from the score (plus the conductor
// config's `notifications`, added to every job started after they are set), fed by the job's events beside the event
// stream, and kept alive after the job ends until their last deliveries are done.
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import type { SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import type { FailedDelivery } from '../notify/channel-queue.js';
import { channelsFor } from '../notify/create.js';
import type { ChannelOptions } from '../notify/create.js';
import { appendFailure, readFailures } from '../notify/delivery-log.js';
import { JobNotifier } from '../notify/job-notifier.js';
import { notificationLogFile } from '../state/workspace-files.js';

export class JobNotifications {
  private readonly live = new Set<JobNotifier>();

  /** `options` carries the editor hook and the conductor-wide channels (see setDefaults). */
  constructor(
    private readonly publish: (event: RunnerEvent) => void,
    private options: Omit<ChannelOptions, 'env'> = {},
  ) {}

  /** The conductor config's channels, added to the channels of every job started from now on. */
  setDefaults(defaults: ChannelOptions['defaults']): void {
    const { defaults: _old, ...rest } = this.options;
    void _old;
    this.options = { ...rest, ...(defaults && defaults.length > 0 ? { defaults } : {}) };
  }

  /** The notifier for one run of a job; problems with its channels are recorded as failures once. */
  forJob(jobId: string, score: Score, plan: SheetPlan, workspace: string, state: () => JobState): JobNotifier {
    const log = notificationLogFile(workspace);
    const { subscriptions, problems } = channelsFor(score.notifications, this.options);
    const record = (failure: FailedDelivery) => {
      appendFailure(log, failure);
      const { at, channel, target, event, message } = failure;
      this.publish({ type: 'job.notification_failed', jobId, at, channel, target, event, message });
    };
    for (const message of problems) record({ at: new Date().toISOString(), jobId, event: 'setup', channel: 'notifications', target: '-', message, attempts: 0 });
    const notifier = new JobNotifier(subscriptions, {
      name: score.name,
      totalSheets: plan.totalSheets,
      descriptions: score.sheet.descriptions,
      counts: () => countSheets(state()),
      startedAtMs: Date.now(),
      costUsd: () => state().costUsd,
    }, record);
    if (notifier.active) this.live.add(notifier);
    return notifier;
  }

  /** The job's run is over: forget its notifier once it has delivered everything. */
  finished(notifier: JobNotifier): void {
    void notifier.idle().then(() => this.live.delete(notifier));
  }

  /** The conductor is stopping: deliveries still queued are dropped. */
  close(): void {
    for (const notifier of this.live) notifier.close();
    this.live.clear();
  }
}

/** Feeds an event to the conductor's stream and to the job's channels. */
export function teeEvents(publish: (event: RunnerEvent) => void, notifier: JobNotifier): (event: RunnerEvent) => void {
  return (event) => {
    publish(event);
    notifier.onEvent(event);
  };
}

/** Failed deliveries of a job, for diagnose. */
export function notificationFailures(workspace: string): FailedDelivery[] {
  return readFailures(notificationLogFile(workspace), 10);
}

function countSheets(state: JobState): { completed: number; failed: number } {
  let completed = 0;
  let failed = 0;
  for (const sheet of Object.values(state.sheets)) {
    if (sheet.status === 'completed') completed++;
    else if (sheet.status === 'failed') failed++;
  }
  return { completed, failed };
}
