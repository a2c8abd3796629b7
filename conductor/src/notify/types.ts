// What notification channels deliver and the one interface they share. A channel is told about a
// notice and delivers it somewhere (a desktop popup, an HTTP POST, an e-mail); the dispatcher owns
// queueing, so a channel may take as long as it likes without anyone waiting for it.
import type { Score } from '../../../score/src/score-types.js';

/** The score's names for the moments a channel can be told about (`notifications[].on_events`). */
export type NoticeEvent = Score['notifications'][number]['on_events'][number];

/** One thing worth telling a person about a job. */
export interface Notice {
  event: NoticeEvent;
  jobId: string;
  jobName: string;
  /** ISO time of the event. */
  at: string;
  sheet?: number;
  totalSheets?: number;
  /** The sheet's label from sheet.descriptions, when it has one. */
  sheetDescription?: string;
  completedSheets?: number;
  failedSheets?: number;
  /** The error code and text of a failure. */
  code?: string;
  error?: string;
  durationSeconds?: number;
  costUsd?: number;
  /** Free text for notices that carry no error (a pause reason, a cost warning). */
  detail?: string;
}

/** A delivery that did not happen, with a message already free of secrets. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** How many times delivery was tried before giving up. */
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** A way of telling someone. `deliver` rejects with a DeliveryError when it could not. */
export interface Channel {
  /** desktop, webhook, slack or email. */
  readonly kind: string;
  /** Where it delivers, safe to log: never a token-bearing URL or a password. */
  readonly target: string;
  deliver(notice: Notice, signal: AbortSignal): Promise<void>;
}
