// One attempt: run the agent on a prompt, then check the validations. It produces an outcome and
// writes nothing — no checkpoint record, no event, no file; what the agent says while it runs goes
// to the sinks the caller gives it. What the outcome means is decided by decide().
import type { AgentResult, Backend } from '../backends/types.js';
import type { Score } from '../../../score/src/score-types.js';
import { runValidations, snapshotModifiedTargets } from './validations.js';
import type { ValidationOutcome } from './validations.js';
import type { SheetValues } from './sheet-inputs.js';

export interface AttemptRequest {
  backend: Backend;
  score: Score;
  sheet: number;
  values: SheetValues;
  prompt: string;
  /** Where the prompt was saved (some backends pass the file rather than the text). */
  promptFile: string;
  workspace: string;
  cwd: string;
  timeoutSeconds: number;
  /** Stops the agent (cancel, or a pause that interrupts). */
  signal: AbortSignal;
  /** The agent's process started (its pid); the caller records it. */
  onSpawn: (pid: number) => void;
  /** Live output; the caller logs and streams it. */
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** What an attempt produced: the agent's result and the validations as they ran. */
export interface AttemptOutcome {
  result: AgentResult;
  checked: ValidationOutcome;
  /** How long the validations took (0 when they did not run). */
  validationMs: number;
}

export async function runAttempt(request: AttemptRequest): Promise<AttemptOutcome> {
  const { score, workspace, values, signal } = request;
  const before = await snapshotModifiedTargets(score.validations, { workspace, values });
  const result = await request.backend.execute(
    {
      prompt: request.prompt,
      sheetNum: request.sheet,
      workspace,
      cwd: request.cwd,
      timeoutMs: request.timeoutSeconds * 1000,
      captureBytes: score.backend.max_output_capture_bytes,
      promptFile: request.promptFile,
      ...(score.stale_detection.enabled ? { idleTimeoutMs: score.stale_detection.idle_timeout_seconds * 1000 } : {}),
      onSpawn: request.onSpawn,
      onOutput: request.onOutput,
    },
    signal,
  );
  // An attempt stopped by pause or cancel is not checked: it did not finish.
  if (result.cancelled && signal.aborted) return { result, checked: { results: [], passed: 0, applicable: 0, percent: 0, allPassed: false }, validationMs: 0 };
  const validating = performance.now();
  const checked = await runValidations(score.validations, { workspace, values, before, signal });
  return { result, checked, validationMs: Math.round(performance.now() - validating) };
}
