// What the conductor tells people about a job beyond its state: the error history (`errors`), the
// diagnose report, and slices of its logs. Pure functions of the checkpoint, plus log file reads.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { DiagnoseReport, JobErrorEntry, LogChunk, UndeliveredNotice } from '../../../protocol/src/methods.js';
import { summariseJob } from '../../../protocol/src/summary.js';
import { errorHint } from '../runner/errors.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { eventLogFile, promptFile, sheetLogFile, stateDir } from '../state/workspace-files.js';

/** Every error the job's sheets recorded (or one sheet's), oldest first. */
export function jobErrors(state: JobState, sheet?: number): JobErrorEntry[] {
  const out: JobErrorEntry[] = [];
  for (const [key, s] of Object.entries(state.sheets)) {
    const num = Number(key);
    if (sheet !== undefined && num !== sheet) continue;
    for (const e of s.errors) {
      const suggestion = errorHint(e.code, e.category);
      out.push({ sheet: num, code: e.code, category: e.category, message: e.message, attempt: e.attempt, at: e.at, ...(suggestion ? { suggestion } : {}) });
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.sheet - b.sheet);
}

/** Why a job is where it is, and what to do next. */
export function diagnose(state: JobState, undelivered: readonly UndeliveredNotice[] = []): DiagnoseReport {
  const errors = jobErrors(state);
  const failing = Object.entries(state.sheets)
    .map(([key, s]) => ({ num: Number(key), s }))
    .filter(({ s }) => s.status === 'failed' || (s.status !== 'completed' && s.status !== 'skipped' && (s.lastError !== undefined || s.waitingUntil !== undefined)))
    .sort((a, b) => a.num - b.num);
  const failingSheets = failing.map(({ num, s }) => {
    const last = [...errors].reverse().find((e) => e.sheet === num);
    return {
      sheet: num,
      ...(s.description ? { description: s.description } : {}),
      status: s.waitingUntil !== undefined ? `${s.status} (${s.waitReason ?? 'waiting'})` : s.status,
      attempts: s.attempts,
      ...(last ? { lastError: last } : {}),
      validations: (s.validations ?? []).map((v) => ({ ...v })),
      ...(s.stdoutTail ? { stdoutTail: tail(s.stdoutTail) } : {}),
      ...(s.stderrTail ? { stderrTail: tail(s.stderrTail) } : {}),
    };
  });
  return {
    job: summariseJob(state),
    failingSheets,
    errors,
    suggestions: nextSteps(state, failingSheets.map((f) => f.lastError).filter((e): e is JobErrorEntry => e !== undefined)),
    ...(undelivered.length > 0 ? { undeliveredNotices: undelivered.map(({ at, event, channel, target, message }) => ({ at, event, channel, target, message })) } : {}),
    files: [
      { label: 'Score', path: state.scoreFile },
      { label: 'Workspace', path: state.workspace },
      ...(state.worktree ? [{ label: `Worktree (${state.worktree.branch})`, path: state.worktree.path }] : []),
      { label: 'Event log', path: eventLogFile(state.workspace) },
      { label: 'Checkpoint', path: stateDir(state.workspace) },
      ...failing.flatMap(({ num }) => [
        { label: `Sheet ${num} log`, path: sheetLogFile(state.workspace, num) },
        { label: `Sheet ${num} prompt`, path: promptFile(state.workspace, num) },
      ]),
    ],
  };
}

function nextSteps(state: JobState, lastErrors: JobErrorEntry[]): string[] {
  const steps: string[] = [];
  const seen = new Set<string>();
  for (const e of lastErrors) {
    if (e.suggestion && !seen.has(e.suggestion)) {
      seen.add(e.suggestion);
      steps.push(`Sheet ${e.sheet} (${e.code}): ${e.suggestion}`);
    }
  }
  switch (state.status) {
    case 'failed': {
      const firstFailed = lastErrors[0]?.sheet;
      if (firstFailed !== undefined) steps.push(`'mozart logs ${state.jobId} --sheet ${firstFailed}' shows sheet ${firstFailed}'s full agent output.`);
      steps.push(`When fixed: 'mozart resume ${state.jobId}' continues from the failed sheet; validated sheets never run again.`);
      steps.push(`If a folder it needs was missing: 'mozart resume ${state.jobId} --self-healing' creates it (inside the job's folders) and retries the sheet.`);
      steps.push(`If the agent did the work but a validation was wrong: fix the score, then 'mozart recover ${state.jobId}' re-checks failed sheets without re-running them.`);
      steps.push(`To start over from sheet 1: 'mozart run ${state.scoreFile} --fresh' discards the checkpoint and runs every sheet again.`);
      break;
    }
    case 'paused':
      steps.push(`'mozart resume ${state.jobId}' continues it; 'mozart modify ${state.jobId} -c SCORE --resume' continues it with a changed score.`);
      steps.push(`'mozart cancel ${state.jobId}' stops it for good.`);
      break;
    case 'running':
      steps.push(`It is running: 'mozart status ${state.jobId} --watch' follows it.`);
      break;
    case 'cancelled':
      steps.push(`'mozart resume ${state.jobId}' continues it from the first sheet not validated.`);
      break;
    default:
      break;
  }
  return steps;
}

const TAIL_CHARS = 4000;
const tail = (text: string): string => (text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text);

/** Largest slice one `job.logs` call returns. */
export const MAX_LOG_CHUNK = 256 * 1024;

/**
 * Reads up to `maxBytes` of a log from `offset`. A missing file is an empty log (nothing ran yet).
 * A negative offset counts from the end, so a client can ask for "the last 64 KiB". The slice never
 * ends inside a UTF-8 character: a partial one is left for the next read.
 */
export function readLogChunk(path: string, offset: number, maxBytes: number): LogChunk {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { path, text: '', nextOffset: Math.max(0, offset) };
  }
  try {
    const size = fstatSync(fd).size;
    const start = offset < 0 ? Math.max(0, size + offset) : Math.min(offset, size);
    const length = Math.max(0, Math.min(maxBytes, MAX_LOG_CHUNK, size - start));
    const buffer = Buffer.alloc(length);
    const read = length > 0 ? readSync(fd, buffer, 0, length, start) : 0;
    const whole = completeUtf8(buffer.subarray(0, read));
    return { path, text: whole.toString('utf8'), nextOffset: start + whole.length };
  } finally {
    closeSync(fd);
  }
}

/** Drops a UTF-8 sequence cut off at the end of the buffer. */
function completeUtf8(buffer: Buffer): Buffer {
  let i = buffer.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((buffer[i] as number) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buffer;
  const lead = buffer[i] as number;
  const need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return need > continuation ? buffer.subarray(0, i) : buffer;
}
