// The cluster's errors: values with a code and a message that says what to do. E8xx is the
// cluster's range (the runtime's codes stop at E7xx).

export type ClusterErrorCode =
  /** The --cluster address is not a Redis URL this conductor can use. */
  | 'E801'
  /** Redis does not answer: nothing can be queued or taken until it does. */
  | 'E802'
  /** This member cannot see the job's score or workspace; it leaves the job for another member. */
  | 'E803'
  /** Another member took the job over (a newer fencing token): this member must not write its checkpoint. */
  | 'E804'
  /** The member running a job did not answer a control message. */
  | 'E805';

export class ClusterError extends Error {
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
  ) {
    // The code leads the message: it is what a user searches docs/cluster.md for.
    super(`${code} ${message}`);
    this.name = 'ClusterError';
  }
}

/** Thrown by a fence guard: the job now belongs to a newer owner, so this write must not happen. */
export class FencedOffError extends ClusterError {
  constructor(
    readonly jobId: string,
    readonly token: number,
    readonly newer: number,
    readonly newerMember: string,
  ) {
    super('E804', `Job '${jobId}' was taken over by member ${newerMember} (fencing token ${newer}, this member holds ${token}); this member stops it without writing its checkpoint.`);
    this.name = 'FencedOffError';
  }
}
