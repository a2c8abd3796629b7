// The `command` backend: any shell command plays the agent. The prompt arrives on stdin (and in
// MOZART_PROMPT_FILE); the command runs in its own process group like every other agent.
import { runProcess } from './process.js';
import type { AgentRequest, AgentResult, Backend } from './types.js';

/** Settings of the command backend (from the score's backend section). */
export interface CommandBackendConfig {
  command: string;
  env: Record<string, string | undefined>;
}

export class CommandBackend implements Backend {
  readonly name = 'command';

  constructor(private readonly config: CommandBackendConfig) {}

  async execute(request: AgentRequest, signal: AbortSignal): Promise<AgentResult> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...Object.fromEntries(Object.entries(this.config.env).filter((e): e is [string, string] => e[1] !== undefined)),
      MOZART_SHEET_NUM: String(request.sheetNum),
      MOZART_WORKSPACE: request.workspace,
      ...(request.promptFile ? { MOZART_PROMPT_FILE: request.promptFile } : {}),
    };
    const result = await runProcess(
      {
        command: '/bin/sh',
        args: ['-c', this.config.command],
        cwd: request.cwd,
        env,
        stdin: request.prompt,
        timeoutMs: request.timeoutMs,
        captureBytes: request.captureBytes,
        ...(request.onOutput ? { onOutput: request.onOutput } : {}),
        ...(request.onSpawn ? { onSpawn: request.onSpawn } : {}),
        ...(request.idleTimeoutMs !== undefined ? { idleTimeoutMs: request.idleTimeoutMs } : {}),
      },
      signal,
    );
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
      durationMs: result.durationMs,
      timedOut: result.timedOut,
      stalled: result.stalled,
      cancelled: result.cancelled,
      ...(result.spawnError ? { startError: { code: result.spawnError.code === 'ENOENT' ? 'E505' : 'E501', message: `cannot start /bin/sh in ${request.cwd}: ${result.spawnError.message}` } } : {}),
    } as AgentResult;
  }
}
