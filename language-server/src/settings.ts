// The user's settings for the server (VS Code's `mozart.*` settings, or initializationOptions from
// another editor), read defensively: a wrong type falls back to the default instead of failing.
import { checkInfo } from '../../score/src/catalog.js';

/** What a check's findings are shown as; 'off' hides them. */
export type SeverityOverride = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Everything the server can be told. */
export interface ServerSettings {
  /** Wait after the last keystroke when edits come in a burst or checks are slow (else a score is checked at once; see check-timing.ts). */
  debounceMs: number;
  /** Globs (matched against the absolute path) of YAML files that are always scores. */
  scoreGlobs: string[];
  /** Per check id: a different severity, or 'off'. */
  checks: Record<string, SeverityOverride>;
  /** Where the check documentation lives; `#v101`-style anchors are appended. */
  docsUrl: string;
}

export const DEFAULT_SCORE_GLOBS = ['**/*.score.yaml', '**/*.score.yml', '**/scores/**/*.yaml', '**/scores/**/*.yml'];

const OVERRIDES = new Set<SeverityOverride>(['error', 'warning', 'information', 'hint', 'off']);

/** Settings from whatever object the client sent. Unknown or malformed entries are ignored. */
export function readSettings(input: unknown, defaultDocsUrl: string): ServerSettings {
  const value = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const server = (value.languageServer && typeof value.languageServer === 'object' ? value.languageServer : {}) as Record<string, unknown>;
  const debounce = server.debounceMs ?? value.debounceMs;
  const globs = value.scoreFiles ?? value.scoreGlobs;
  const checks: Record<string, SeverityOverride> = {};
  if (value.checks && typeof value.checks === 'object') {
    for (const [id, level] of Object.entries(value.checks as Record<string, unknown>)) {
      const normalised = level === 'info' ? 'information' : level;
      if (checkInfo(id) && typeof normalised === 'string' && OVERRIDES.has(normalised as SeverityOverride)) {
        checks[id.toUpperCase()] = normalised as SeverityOverride;
      }
    }
  }
  return {
    debounceMs: typeof debounce === 'number' && Number.isFinite(debounce) && debounce >= 0 ? Math.min(debounce, 10_000) : 150,
    scoreGlobs: Array.isArray(globs) && globs.every((g) => typeof g === 'string') ? (globs as string[]) : DEFAULT_SCORE_GLOBS,
    checks,
    docsUrl: typeof value.docsUrl === 'string' && value.docsUrl !== '' ? value.docsUrl : defaultDocsUrl,
  };
}
