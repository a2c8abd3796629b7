// The `claude_cli` backend: runs the real Claude Code CLI (`claude -p`) with the flags the score
// sets, in its own process group, and reads cost, tokens and API errors from its JSON output. With
// output_format text it asks for stream-json anyway, so cost and tokens are recorded, and shows
// the assistant's text from that stream (the sheet's stdout is the final answer, as text prints).
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runProcess } from './process.js';
import type { AgentRequest, AgentResult, Backend } from './types.js';

/** The claude_cli settings the backend uses (a slice of the score's backend section). */
export interface ClaudeCliConfig {
  cli_path?: string | null;
  skip_permissions: boolean;
  disable_mcp: boolean;
  output_format: 'text' | 'json' | 'stream-json';
  cli_model: string | null;
  allowed_tools: string[] | null;
  /** Absolute path, already resolved against the score. */
  system_prompt_file: string | null;
  cli_extra_args: string[];
  /** backend.sheet_overrides: a sheet's cli_model replaces the job-wide one. */
  sheet_overrides?: Readonly<Record<string, { cli_model?: string | null } | undefined>>;
}

/** Prompts longer than this go through stdin: one argv string is limited to 128 KiB on Linux. */
const MAX_PROMPT_ARG_BYTES = 100_000;

/** Finds the claude executable: explicit path, MOZART_CLAUDE_PATH, then PATH. */
export function findClaude(configured: string | null | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = configured || env.MOZART_CLAUDE_PATH;
  if (explicit) return explicit;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'claude');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/** Builds the CLI arguments for a prompt (without the executable). Exported for tests. */
export function claudeArgs(config: ClaudeCliConfig, prompt: string | undefined): string[] {
  const args = ['-p'];
  if (prompt !== undefined) args.push(prompt);
  if (config.skip_permissions) args.push('--dangerously-skip-permissions');
  args.push('--output-format', config.output_format);
  if (config.output_format === 'stream-json') args.push('--verbose');
  if (config.disable_mcp) args.push('--strict-mcp-config', '--mcp-config', '{"mcpServers":{}}');
  if (config.cli_model) args.push('--model', config.cli_model);
  if (config.allowed_tools?.length) args.push('--allowedTools', config.allowed_tools.join(','));
  if (config.system_prompt_file) args.push('--system-prompt', readFileSync(config.system_prompt_file, 'utf8'));
  args.push(...config.cli_extra_args);
  return args;
}

/** The fields of the CLI's final `result` object that Mozart uses. */
interface ClaudeResultJson {
  type?: string;
  is_error?: boolean;
  api_error_status?: number | null;
  result?: string;
  total_cost_usd?: number;
  usage?: { input_tokens?: number; output_tokens?: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };
}

/** Finds the CLI's result object in json or stream-json output (the last `type: result` line). */
export function parseClaudeResult(stdout: string): ClaudeResultJson | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as ClaudeResultJson;
      if (parsed && (parsed.type === 'result' || 'is_error' in parsed)) return parsed;
    } catch {
      /* not JSON: keep looking */
    }
  }
  // json output may be pretty-printed over several lines.
  try {
    const whole = JSON.parse(stdout) as ClaudeResultJson;
    if (whole && typeof whole === 'object') return whole;
  } catch {
    /* not one JSON document */
  }
  return undefined;
}

export class ClaudeCliBackend implements Backend {
  readonly name = 'claude_cli';

  constructor(
    private readonly config: ClaudeCliConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async execute(request: AgentRequest, signal: AbortSignal): Promise<AgentResult> {
    const executable = findClaude(this.config.cli_path, this.env);
    if (!executable) {
      return failedStart('E505', 'The claude CLI was not found on PATH. Install it (npm install -g @anthropic-ai/claude-code), or set backend.cli_path or MOZART_CLAUDE_PATH.');
    }
    let args: string[];
    const textMode = this.config.output_format === 'text';
    const viaStdin = Buffer.byteLength(request.prompt) > MAX_PROMPT_ARG_BYTES;
    try {
      const model = this.config.sheet_overrides?.[String(request.sheetNum)]?.cli_model;
      // Text output carries no cost or token counts: ask for the event stream and show its text.
      const wire = this.config.output_format === 'text' ? 'stream-json' : this.config.output_format;
      args = claudeArgs({ ...this.config, output_format: wire, ...(model ? { cli_model: model } : {}) }, viaStdin ? undefined : request.prompt);
    } catch (error) {
      return failedStart('E306', `Cannot read backend.system_prompt_file: ${(error as Error).message}`);
    }
    const result = await runProcess(
      {
        command: executable,
        args,
        cwd: request.cwd,
        env: { ...this.env, MOZART_SHEET_NUM: String(request.sheetNum), MOZART_WORKSPACE: request.workspace },
        ...(viaStdin ? { stdin: request.prompt } : {}),
        timeoutMs: request.timeoutMs,
        captureBytes: request.captureBytes,
        ...(request.onOutput ? { onOutput: textMode ? streamToText(request.onOutput) : request.onOutput } : {}),
        ...(request.onSpawn ? { onSpawn: request.onSpawn } : {}),
        ...(request.idleTimeoutMs !== undefined ? { idleTimeoutMs: request.idleTimeoutMs } : {}),
      },
      signal,
    );
    if (result.spawnError) {
      const missing = result.spawnError.code === 'ENOENT' || result.spawnError.code === 'EACCES';
      return failedStart(missing ? 'E505' : 'E501', `Cannot start ${executable}: ${result.spawnError.message}`);
    }
    const base: AgentResult = {
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
      durationMs: result.durationMs,
      timedOut: result.timedOut,
      stalled: result.stalled,
      cancelled: result.cancelled,
    };
    const parsed = parseClaudeResult(result.stdout);
    if (!parsed) return base;
    const usage = parsed.usage ?? {};
    return {
      ...base,
      // What text output would have printed: the final answer, not the event stream behind it.
      ...(textMode ? { stdout: parsed.result ?? '' } : {}),
      ...(parsed.result !== undefined ? { resultText: parsed.result } : {}),
      ...(typeof parsed.total_cost_usd === 'number' ? { costUsd: parsed.total_cost_usd } : {}),
      ...(usage.input_tokens !== undefined ? { inputTokens: usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) } : {}),
      ...(usage.output_tokens !== undefined ? { outputTokens: usage.output_tokens } : {}),
      ...(parsed.is_error !== undefined ? { isError: parsed.is_error } : {}),
      ...(typeof parsed.api_error_status === 'number' ? { apiErrorStatus: parsed.api_error_status } : {}),
    };
  }
}

/**
 * Turns the CLI's stream-json events into the text a person reads: the assistant's words as they
 * arrive. Lines may be split across chunks; a partial line waits for the rest.
 */
export function streamToText(onOutput: (stream: 'stdout' | 'stderr', text: string) => void): (stream: 'stdout' | 'stderr', text: string) => void {
  let partial = '';
  return (stream, text) => {
    if (stream === 'stderr') return onOutput(stream, text);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const words = assistantText(line);
      if (words) onOutput('stdout', words.endsWith('\n') ? words : `${words}\n`);
    }
  };
}

function assistantText(line: string): string | undefined {
  if (!line.trimStart().startsWith('{')) return line.trim() ? line : undefined;
  try {
    const event = JSON.parse(line) as { type?: string; message?: { content?: { type?: string; text?: string }[] } };
    if (event.type !== 'assistant') return undefined;
    const text = (event.message?.content ?? []).filter((c) => c.type === 'text' && c.text).map((c) => c.text).join('\n');
    return text || undefined;
  } catch {
    return line;
  }
}

function failedStart(code: NonNullable<AgentResult['startError']>['code'], message: string): AgentResult {
  return { exitCode: null, signal: null, stdout: '', stderr: message, durationMs: 0, timedOut: false, cancelled: false, startError: { code, message } };
}
