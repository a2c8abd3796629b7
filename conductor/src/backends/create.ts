// Picks the backend a score asks for.
import { resolveFromScore } from '../../../score/src/files.js';
import type { Score } from '../../../score/src/score-types.js';
import type * as AnthropicApiModule from './anthropic-api.js';
import { ClaudeCliBackend } from './claude-cli.js';
import { CommandBackend } from './command.js';
import type * as OllamaModule from './ollama.js';
import type { AgentResult, Backend } from './types.js';

/**
 * The HTTP backends' client libraries are loaded when a score first uses them, not when the
 * conductor starts: most conductors never talk to the API or to Ollama, and an idle conductor
 * should stay small. (Static paths, so the bundler still includes both modules.)
 */
function loadOnFirstUse<T>(which: 'anthropic' | 'ollama'): T {
  /* eslint-disable @typescript-eslint/no-require-imports -- a deliberate lazy load, see above */
  return (which === 'anthropic' ? require('./anthropic-api.js') : require('./ollama.js')) as T;
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** A backend that cannot run, reporting why on every attempt (a configuration error, not retried). */
class UnavailableBackend implements Backend {
  constructor(
    readonly name: string,
    private readonly reason: string,
  ) {}

  async execute(): Promise<AgentResult> {
    return { exitCode: null, signal: null, stdout: '', stderr: this.reason, durationMs: 0, timedOut: false, cancelled: false, startError: { code: 'E306', message: this.reason } };
  }
}

/** The backend for a validated score. */
export function createBackend(score: Score, scoreFile: string): Backend {
  const b = score.backend;
  switch (b.type) {
    case 'command':
      return new CommandBackend({ command: b.command ?? '', env: b.env ?? {} });
    case 'claude_cli':
      return new ClaudeCliBackend({
        cli_path: b.cli_path ? resolveFromScore(scoreFile, b.cli_path) : null,
        skip_permissions: b.skip_permissions,
        disable_mcp: b.disable_mcp,
        output_format: b.output_format,
        cli_model: b.cli_model,
        allowed_tools: b.allowed_tools,
        system_prompt_file: b.system_prompt_file ? resolveFromScore(scoreFile, b.system_prompt_file) : null,
        cli_extra_args: b.cli_extra_args,
        sheet_overrides: b.sheet_overrides,
      });
    case 'anthropic_api': {
      const { AnthropicApiBackend } = loadOnFirstUse<typeof AnthropicApiModule>('anthropic');
      return new AnthropicApiBackend({ model: b.model, api_key_env: b.api_key_env, max_tokens: b.max_tokens, sheet_overrides: b.sheet_overrides });
    }
    case 'ollama': {
      const { OllamaBackend } = loadOnFirstUse<typeof OllamaModule>('ollama');
      const o = b.ollama;
      return new OllamaBackend({ base_url: o.base_url, model: o.model, num_ctx: o.num_ctx, timeout_seconds: o.timeout_seconds, keep_alive: o.keep_alive });
    }
    default:
      return new UnavailableBackend(b.type, `The ${b.type} backend is not supported by this version of Mozart; use claude_cli, anthropic_api, ollama or command.`);
  }
}
