// What a job's progress notification says, and when: it is updated by the store's gathered
// refreshes (refresh-batcher.ts), the same ones the jobs tree redraws on, so after every refresh
// the notification and the tree show the same sheet count. It used to report on every store
// change, a report per journal record: VS Code's extension host passes on at most one report per
// 100 ms and sends the newest when that time is up, but ends the notification at once when the
// task settles — so the last sheet's report, made a moment before the job's end, was dropped and
// the notification stayed a sheet behind the tree until it
// closed. No `vscode` import: commands/follow.ts gives it the notification's `report`.
import type { Translate } from '../l10n.js';
import type { JobStore } from './job-store.js';
import { completionNotice, progressReport } from './progress-model.js';
import type { CompletionNotice } from './progress-model.js';
import { covers } from './refresh-batcher.js';

export interface ProgressFollow {
  /** The job's notice once it settles. */
  settled: Promise<CompletionNotice>;
  /** Stops following (the connection went away). */
  stop(): void;
}

/** Reports the job's progress line at once and after each refresh naming it, until it settles. */
export function followProgress(store: JobStore, jobId: string, t: Translate, report: (message: string, increment: number) => void): ProgressFollow {
  let shown = 0;
  let settle: (notice: CompletionNotice) => void = () => undefined;
  const settled = new Promise<CompletionNotice>((resolve) => (settle = resolve));
  const update = () => {
    const summary = store.summary(jobId);
    if (!summary) return;
    const line = progressReport(summary, t);
    report(line.message, Math.max(0, line.percent - shown));
    shown = Math.max(shown, line.percent);
    const notice = completionNotice(summary, t);
    if (notice) {
      stop();
      settle(notice);
    }
  };
  const stop = store.refreshes.onRefresh((refresh) => {
    if (covers(refresh, jobId)) update();
  });
  update();
  return { settled, stop };
}
