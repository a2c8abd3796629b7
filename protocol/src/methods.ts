// The conductor's methods and their parameter and result types, shared by the CLI and the extension:
// the one table both ends are typed by. The server's handlers take `Params<M>` and answer
// `Result<M>`; the client's `request(method, params)` is typed by the same table; each method's
// params are checked against its JSON schema (param-schemas.ts) before a handler sees them.
// Every type here is a wire type: what crosses the socket, owned by the protocol.
import type { JobRecordEvent, RunnerEvent } from './events.js';
import type { JobState, JobStatus } from './job-state.js';
import type { AppliedPattern, LearningMethods } from './learning.js';

/** One line of `mozart list`. */
export interface JobSummary {
  jobId: string;
  name: string;
  status: JobStatus;
  scoreFile: string;
  workspace: string;
  totalSheets: number;
  completedSheets: number;
  failedSheets: number;
  costUsd: number;
  updatedAt: string;
  error?: { code: string; message: string };
  /** In a cluster: the member running the job now. */
  member?: string;
  /** What the conductor did besides starting the job, e.g. where --fresh archived the old files. */
  notes?: string[];
  /** A running job asked to pause: nothing new starts, and it is paused once its running sheets end. */
  pausing?: boolean;
}

export interface ConductorStatus {
  pid: number;
  version: string;
  uptimeSeconds: number;
  socket: string;
  rssBytes: number;
  jobs: { total: number; running: number };
  /** Present when the conductor is a member of a cluster (`mozart start --cluster`). */
  cluster?: ClusterStatus;
}

/** One conductor setting as it is in effect (`mozart config show`). */
export interface ConductorSetting {
  /** Its dotted key in conductor.yaml. */
  key: string;
  value: unknown;
  /** The value as `config show` prints it. */
  shown: string;
  source: 'default' | 'file' | 'env' | 'flag';
  /** The variable or flag that set it, or FILE:LINE. */
  origin?: string;
  /** When a change is used: at once, by jobs started afterwards, or after a restart. */
  applies: 'now' | 'new-jobs' | 'restart';
}

/** `daemon.config`: the conductor's settings and the file they were read from. */
export interface ConductorConfigReport {
  file: string;
  /** False when the file is not there (every setting is a default, a variable or a flag). */
  exists: boolean;
  settings: ConductorSetting[];
  /** Keys with no effect and variables that could not be used, in words (file:line:col first where there is one). */
  notes: string[];
  /** When the file was last read. */
  loadedAt: string;
}

/** One setting a reload changed, and what became of the change. */
export interface ConfigChange {
  key: string;
  from: string;
  to: string;
  /** applied: in effect now; new-jobs: for jobs started from now on; restart: after a restart; overridden: a variable or flag still wins. */
  effect: 'applied' | 'new-jobs' | 'restart' | 'overridden';
  /** The variable or flag that wins, for `overridden`. */
  by?: string;
}

/** `daemon.reloadConfig`: the settings after the reload and what changed. */
export interface ConfigReloadResult extends ConductorConfigReport {
  changes: ConfigChange[];
}

/** The cluster as one member sees it, for `mozart conductor-status`. */
export interface ClusterStatus {
  /** The cluster's Redis, without its password. */
  url: string;
  /** This conductor's member id. */
  member: string;
  redis: { connected: boolean; since: string; losses: number; latencyMs?: number; lastError?: string };
  members: { id: string; host: string; pid: number; version: string; maxJobs: number; running: string[]; heartbeatAt: string }[];
  /** Jobs waiting for a member, next first. */
  queued: { jobId: string; priority: number; submitter: string; enqueuedAt: number }[];
  /** Cluster-wide caps on concurrent agents, and how many run. */
  agentCaps: { backend: string; cap: number; running: number; waitingHere: number }[];
}

/** One error on one sheet, for `mozart errors` and the diagnose report. */
export interface JobErrorEntry {
  sheet: number;
  code: string;
  category: string;
  message: string;
  attempt: number;
  at: string;
  /** What to do about it (from the error code's catalogue). */
  suggestion?: string;
}

/** The diagnose report: everything needed to understand why a job is where it is. */
export interface DiagnoseReport {
  job: JobSummary;
  /** Sheets that failed or are failing, with their last error, validations and output tails. */
  failingSheets: {
    sheet: number;
    /** The sheet's label from sheet.descriptions. */
    description?: string;
    status: string;
    attempts: number;
    lastError?: JobErrorEntry;
    validations: { index: number; type: string; description: string; stage: number; status: string; message: string }[];
    stdoutTail?: string;
    stderrTail?: string;
    /** The learned patterns in the sheet's latest prompt, with how they have done since. */
    patterns?: AppliedPattern[];
  }[];
  /** Every error seen, oldest first. */
  errors: JobErrorEntry[];
  /** Readable next steps (e.g. "mozart resume JOB"). */
  suggestions: string[];
  /** Notifications that could not be delivered (latest first is last), with URLs reduced to their host. */
  undeliveredNotices?: UndeliveredNotice[];
  /** Files worth opening: the score, the workspace, the event log, sheet logs. */
  files: { label: string; path: string }[];
}

/** A notification the conductor could not deliver. */
export interface UndeliveredNotice {
  at: string;
  /** job_complete, sheet_failed, … (or setup, for a channel that could not be built). */
  event: string;
  channel: string;
  target: string;
  message: string;
}

/** A slice of a log: a sheet's captured output or the job's event log. */
export interface LogChunk {
  /** Absolute path of the log file (or '' when the log lives only in state). */
  path: string;
  text: string;
  /** Byte offset after `text`; pass it back as `offset` to read on. */
  nextOffset: number;
}

/** `daemon.health`: each check the conductor runs on itself. */
export interface HealthReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** `job.recover`: the failed sheets whose validations now pass, those still failing, and the job's status afterwards. */
export interface RecoverResult {
  recovered: number[];
  stillFailing: number[];
  jobStatus: JobStatus;
}

/** What `job.approve` did. */
export interface ApprovalResult {
  jobId: string;
  sheet: number;
  decision: 'proceed' | 'skip';
}

/** A method that takes no params (`{}`; omitted params mean the same). */
export type NoParams = Record<string, never>;

/**
 * Method name → [params, result]; the learning methods' are in learning.ts. Optional params may also be sent as `null`, which means "not
 * given"; the conductor drops them before its handler runs.
 */
export interface Methods extends LearningMethods {
  'daemon.status': [NoParams, ConductorStatus];
  'daemon.shutdown': [NoParams, { stopping: true }];
  /**
   * `startSheet` > 1 records the sheets before it as skipped. `selfHealing` turns on remedies for
   * sheets about to fail; `autoConfirm` (--yes) also allows the suggested ones. Both are remembered.
   * `workspace` (an absolute path) runs the job there instead of in the score's `workspace`; the job
   * keeps it on resume.
   */
  'job.submit': [{ scoreFile: string; fresh?: boolean; startSheet?: number; selfHealing?: boolean; autoConfirm?: boolean; workspace?: string }, JobSummary];
  'job.status': [{ jobId: string }, JobState];
  'job.list': [{ all?: boolean }, JobSummary[]];
  'job.pause': [{ jobId: string }, JobSummary];
  /** `scoreFile` (resume --reload-config -c FILE) replaces the job's score; it must keep its name and workspace. */
  'job.resume': [{ jobId: string; scoreFile?: string; selfHealing?: boolean; autoConfirm?: boolean; force?: boolean }, JobSummary];
  'job.cancel': [{ jobId: string }, JobSummary];
  'job.diagnose': [{ jobId: string }, DiagnoseReport];
  'job.errors': [{ jobId: string; sheet?: number }, JobErrorEntry[]];
  /** `sheet` given: that sheet's captured agent output; otherwise the job's event log. */
  'job.logs': [{ jobId: string; sheet?: number; offset?: number; maxBytes?: number }, LogChunk];
  'job.clear': [{ jobId?: string; statuses?: JobStatus[] }, { cleared: string[] }];
  /** Re-reads the score (optionally from a new file) before resuming; only sheets not yet validated run. */
  'job.modify': [{ jobId: string; scoreFile?: string; resume?: boolean }, JobSummary];
  /** Re-checks failed sheets' validations (only `sheet`'s, when given) without running the agent; `jobStatus` is the job's status afterwards. */
  'job.recover': [{ jobId: string; dryRun?: boolean; sheet?: number }, RecoverResult];
  'daemon.health': [NoParams, HealthReport];
  /** The settings in effect, each with where its value comes from. */
  'daemon.config': [NoParams, ConductorConfigReport];
  /**
   * Re-reads the config file (as SIGHUP does). A file that does not parse or validate is refused
   * (-32000, its findings as file:line:col) and the settings stay as they were.
   */
  'daemon.reloadConfig': [NoParams, ConfigReloadResult];
  /**
   * Ends a proactive checkpoint's wait: the sheet goes on (`skip` false) or is skipped. `sheet` may be
   * left out when only one sheet of the job waits.
   */
  'job.approve': [{ jobId: string; sheet?: number; skip?: boolean }, ApprovalResult];
  /**
   * `-w/--workspace DIR` on a job command: makes the job known from the checkpoint in `workspace`
   * (an absolute path) when the conductor does not know it yet; refused when the checkpoint is
   * missing, belongs to another job, or the conductor knows the job in another workspace.
   * `adopted` is false when the conductor already knew it there.
   */
  'job.adopt': [{ jobId: string; workspace: string }, JobSummary & { adopted: boolean }];
  /**
   * Sends this connection the events of one job (or of every job); answered by the server itself.
   * `editor`: the connection is an editor window, which shows the jobs' desktop notices (`job.notice`).
   * `records`: also receive each journal record (job.record), to fold with applyJobRecord.
   */
  'events.subscribe': [{ jobId?: string; editor?: boolean; records?: boolean }, { subscribed: true }];
}

export type MethodName = keyof Methods;
export type Method = MethodName;
/** What method M takes. */
export type Params<M extends Method> = Methods[M][0];
/** What method M answers. */
export type Result<M extends Method> = Methods[M][1];

/** Every method name, for tables that must cover them all (a missing one fails to compile). */
export const METHODS = Object.keys({
  'daemon.status': 1,
  'daemon.shutdown': 1,
  'daemon.health': 1,
  'daemon.config': 1,
  'daemon.reloadConfig': 1,
  'job.submit': 1,
  'job.status': 1,
  'job.list': 1,
  'job.pause': 1,
  'job.resume': 1,
  'job.cancel': 1,
  'job.diagnose': 1,
  'job.errors': 1,
  'job.logs': 1,
  'job.clear': 1,
  'job.modify': 1,
  'job.recover': 1,
  'job.approve': 1,
  'job.adopt': 1,
  'events.subscribe': 1,
  // The learning methods (learning.ts).
  'learning.patterns': 1,
  'learning.why': 1,
  'learning.stats': 1,
  'learning.activity': 1,
  'learning.drift': 1,
  'learning.epistemicDrift': 1,
  'learning.entropy': 1,
  'learning.budget': 1,
  'learning.entropyStatus': 1,
  'learning.setStatus': 1,
  'learning.sheetPatterns': 1,
} satisfies Record<Method, 1>) as Method[];

/**
 * Methods that wait for work rather than answer at once: `job.modify` waits for a running job's
 * sheets to reach a safe point, `job.recover` runs the score's validation commands. A client gives
 * them no fixed time limit; it checks instead that the conductor still answers while it waits.
 */
export const WAITING_METHODS: ReadonlySet<Method> = new Set<Method>(['job.modify', 'job.recover']);

/** The notification carrying a runner event to subscribers. */
export const EVENT_NOTIFICATION = 'event';
export type EventNotification = RunnerEvent;

/** The same notification carrying a journal record, to subscribers that asked for records. */
export type RecordNotification = JobRecordEvent;
