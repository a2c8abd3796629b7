// The `ollama` backend: sends the prompt to a local Ollama server's chat endpoint (streamed) and
// reports the reply and its token counts. Text in, text out: the tool-calling settings of the
// schema (dynamic_tools, compression_level, max_tool_iterations) are accepted but not acted on.
import { Ollama } from 'ollama';
import { AttemptControl, failedStart, networkCode, ReplyCapture, safeMessage } from './api-attempt.js';
import type { AgentRequest, AgentResult, Backend } from './types.js';

/** The backend.ollama settings the backend uses. */
export interface OllamaConfig {
  base_url: string;
  model: string;
  num_ctx: number;
  timeout_seconds: number;
  keep_alive: string;
}

/** The shape of the client's HTTP errors (its ResponseError class is not exported). */
function httpStatus(error: unknown): number | undefined {
  const status = error && typeof error === 'object' ? (error as { status_code?: unknown }).status_code : undefined;
  return typeof status === 'number' ? status : undefined;
}

export class OllamaBackend implements Backend {
  readonly name = 'ollama';

  constructor(private readonly config: OllamaConfig) {}

  async execute(request: AgentRequest, signal: AbortSignal): Promise<AgentResult> {
    const started = performance.now();
    const { base_url: url, model } = this.config;
    // One request per attempt, so the tighter of the sheet's limit and Ollama's own applies.
    const timeoutMs = Math.min(request.timeoutMs, this.config.timeout_seconds * 1000);
    const control = new AttemptControl(signal, timeoutMs, request.idleTimeoutMs);
    const capture = new ReplyCapture(request);
    // The client's abort() only reaches requests whose headers have arrived; our own signal on
    // every fetch also stops a server that never answers.
    const client = new Ollama({ host: url, fetch: (input, init) => fetch(input, { ...init, signal: control.signal }) });
    let inputTokens = 0;
    let outputTokens = 0;
    try {
      const stream = await client.chat({
        model,
        messages: [{ role: 'user', content: request.prompt }],
        stream: true,
        keep_alive: this.config.keep_alive,
        options: { num_ctx: this.config.num_ctx },
      });
      for await (const part of stream) {
        control.touch();
        capture.reply(part.message.content);
        if (part.done) {
          inputTokens = part.prompt_eval_count ?? 0;
          outputTokens = part.eval_count ?? 0;
        }
      }
    } catch (error) {
      return this.failure(error, control, capture, started);
    } finally {
      control.dispose();
    }
    // A local model costs nothing per token; 0 keeps the runner from applying cost_limits' rates.
    return { ...capture.result(control, started), exitCode: 0, resultText: capture.text, inputTokens, outputTokens, costUsd: 0 };
  }

  private failure(error: unknown, control: AttemptControl, capture: ReplyCapture, started: number): AgentResult {
    const { base_url: url, model } = this.config;
    if (control.stopped) {
      capture.note(control.cancelled ? 'The request was cancelled.' : control.stalled ? 'The reply stalled (stale_detection).' : 'The request ran past the time limit.');
      return capture.result(control, started);
    }
    const status = httpStatus(error);
    const message = safeMessage(error);
    if (status === 404) {
      return failedStart('E301', `Ollama at ${url} has no model '${model}' (backend.ollama.model): ${message}. Pull it with \`ollama pull ${model}\` or choose another model.`, performance.now() - started);
    }
    if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
      return failedStart('E301', `Ollama at ${url} refused the request (HTTP ${status}): ${message}. Check backend.ollama in the score.`, performance.now() - started);
    }
    if (status === undefined) {
      const code = networkCode(error);
      if (code) return failedStart('E501', `Cannot reach Ollama at ${url} (${code}). Is \`ollama serve\` running there? Set backend.ollama.base_url if it listens elsewhere.`, performance.now() - started);
    }
    capture.note(`Ollama error${status !== undefined ? ` (HTTP ${status})` : ''}: ${message}`);
    return { ...capture.result(control, started), exitCode: 1, isError: true, ...(status !== undefined ? { apiErrorStatus: status } : {}) };
  }
}
