// The one interface every agent backend implements: run a prompt, report what happened. A backend
// never throws for an agent failure; the runner classifies the result into an error code.

/** What a backend is asked to do for one attempt of one sheet. */
export interface AgentRequest {
  prompt: string;
  sheetNum: number;
  /** Absolute workspace path (exists before the first sheet runs). */
  workspace: string;
  /** Absolute folder the agent runs in. */
  cwd: string;
  timeoutMs: number;
  /** Bytes of stdout and of stderr to keep. */
  captureBytes: number;
  /** Where the prompt is also written, for agents that prefer a file. */
  promptFile?: string;
  /** Live output, as it arrives. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Stop the agent after this long without output (stale_detection); undefined: never. */
  idleTimeoutMs?: number;
  /** Called with the agent's process (group) id once it runs. */
  onSpawn?: (pid: number) => void;
}

/** How one agent run ended. */
export interface AgentResult {
  /** Process exit code; for API backends 0 on success, 1 on failure. Null when killed. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** Stopped by stale detection: no output for the idle timeout. */
  stalled?: boolean;
  cancelled: boolean;
  /** The agent's final answer text, when the backend knows it (JSON output, API responses). */
  resultText?: string;
  costUsd?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** The backend itself reported failure (e.g. claude's JSON `is_error`). */
  isError?: boolean;
  /** HTTP status of an API error the backend reported (e.g. 429). */
  apiErrorStatus?: number;
  /** How long the API asked us to wait before trying again (its retry-after header), in ms. */
  retryAfterMs?: number;
  /** The backend could not be started at all: missing binary, bad configuration, unreachable server. */
  startError?: { code: 'E505' | 'E502' | 'E306' | 'E301' | 'E501'; message: string };
}

/** An agent backend. */
export interface Backend {
  readonly name: string;
  execute(request: AgentRequest, signal: AbortSignal): Promise<AgentResult>;
}
