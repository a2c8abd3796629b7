// Checks on configuration values: V007 regexes, V008 validation rule fields, V009 evolved-score
// version references, V103/V104 timeout range, V106 empty patterns.
import { basename } from 'node:path';
import type { Finding } from '../findings.js';
import { compilePattern } from '../regex.js';
import type { CheckContext } from './context.js';
import { findingAt, isSet } from './context.js';
import { severityOf } from '../catalog.js';

/** V007: every regex the job will compile must compile. */
export function checkRegexes(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  ctx.score.validations.forEach((rule, index) => {
    if (rule.type !== 'content_regex' || typeof rule.pattern !== 'string' || rule.pattern.trim() === '') return;
    const result = compilePattern(rule.pattern);
    if (!result.ok) {
      findings.push(findingAt(ctx, 'V007', ['validations', index, 'pattern'], `Invalid regex in validation ${index + 1}: ${result.error}. ${regexHint(result.error)}`));
    }
  });
  ctx.score.rate_limit.detection_patterns.forEach((pattern, index) => {
    const result = compilePattern(pattern, 'i');
    if (!result.ok) {
      findings.push(findingAt(ctx, 'V007', ['rate_limit', 'detection_patterns', index], `Invalid regex in rate_limit.detection_patterns: ${result.error}. ${regexHint(result.error)}`));
    }
  });
  return findings;
}

function regexHint(error: string): string {
  const e = error.toLowerCase();
  if (e.includes('nothing to repeat')) return 'Escape a literal *, + or ? with a backslash.';
  if (e.includes('unterminated group') || e.includes('unmatched')) return 'Balance the parentheses, or escape a literal one as \\( or \\).';
  if (e.includes('unterminated character class')) return 'Close the [ with ], or escape a literal [ as \\[.';
  if (e.includes('invalid escape')) return 'Remove or double the backslash.';
  return 'Fix the pattern syntax, or escape the special characters you mean literally.';
}

const REQUIRED_BY_TYPE: Record<string, readonly string[]> = {
  file_exists: ['path'],
  file_modified: ['path'],
  content_contains: ['path', 'pattern'],
  content_regex: ['path', 'pattern'],
  command_succeeds: ['command'],
};

/** V008: a validation rule lacks the field its type needs. */
export function checkValidationFields(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  ctx.score.validations.forEach((rule, index) => {
    const needed = REQUIRED_BY_TYPE[rule.type] ?? [];
    const missing = needed.filter((field) => {
      const value = (rule as unknown as Record<string, unknown>)[field];
      // An empty pattern is V106's concern, not a missing field.
      if (field === 'pattern') return value === undefined || value === null;
      return typeof value !== 'string' || value.trim() === '';
    });
    if (missing.length === 0) return;
    const list = missing.map((m) => `'${m}'`).join(' and ');
    findings.push(
      findingAt(ctx, 'V008', ['validations', index, 'type'], `Validation ${index + 1} (${rule.type}) needs ${list}. Add ${missing.length > 1 ? 'them' : 'it'} to the rule; without ${missing.length > 1 ? 'them' : 'it'} the rule can never pass.`),
    );
  });
  return findings;
}

/** V103 (too short) and V104 (very long) agent timeouts. */
export function checkTimeouts(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const inspect = (seconds: number, path: (string | number)[], label: string): void => {
    if (seconds < 60) {
      findings.push(findingAt(ctx, 'V103', path, `${label} is ${seconds}s; agents often need more than a minute, so sheets may time out (E001) and burn retries. Use 60 or more.`));
    } else if (seconds > 7200) {
      findings.push(findingAt(ctx, 'V104', path, `${label} is ${seconds}s (${(seconds / 3600).toFixed(1)} h). A hung agent would hold the sheet that long; consider splitting the work into smaller sheets.`));
    }
  };
  if (isSet(ctx, ['backend', 'timeout_seconds'])) inspect(ctx.score.backend.timeout_seconds, ['backend', 'timeout_seconds'], 'backend.timeout_seconds');
  for (const [sheet, seconds] of Object.entries(ctx.score.backend.timeout_overrides ?? {})) {
    if (typeof seconds === 'number') inspect(seconds, ['backend', 'timeout_overrides', sheet], `The timeout override for sheet ${sheet}`);
  }
  return findings;
}

/** V106: an empty pattern matches everything, so the rule proves nothing. */
export function checkEmptyPatterns(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  ctx.score.validations.forEach((rule, index) => {
    if ((rule.type === 'content_contains' || rule.type === 'content_regex') && typeof rule.pattern === 'string' && rule.pattern.trim() === '') {
      findings.push(findingAt(ctx, 'V106', ['validations', index, 'pattern'], `Validation ${index + 1} has an empty pattern, which matches any file. Give it the text the file must contain, or remove the rule.`));
    }
  });
  return findings;
}

/**
 * V009: a score saved as `name-vN.yaml` that still names version N−1 in its job name or
 * workspace (error) or elsewhere outside comments (warning) — a copy that was not fully updated.
 */
export function checkVersionReferences(ctx: CheckContext): Finding[] {
  const match = /-v(\d+)\.ya?ml$/.exec(basename(ctx.source.file));
  if (!match) return [];
  const current = Number(match[1]);
  if (current <= 1) return [];
  const previous = current - 1;
  const mentionsPrevious = new RegExp(`(^|[^0-9A-Za-z])v${previous}(?![0-9])`);
  const findings: Finding[] = [];
  const flagged = new Set<number>();
  for (const field of ['name', 'workspace'] as const) {
    if (!isSet(ctx, [field])) continue;
    const value = String(ctx.score[field]);
    if (!mentionsPrevious.test(value)) continue;
    const finding = findingAt(ctx, 'V009', [field], `${field} still refers to v${previous}, but this file is v${current}: the new version would ${field === 'workspace' ? "overwrite the previous version's workspace" : 'be confused with the previous job'}. Change it to v${current}.`);
    flagged.add(finding.range.start.line);
    findings.push(finding);
  }
  for (let line = 0; line < ctx.source.lineCount; line++) {
    if (flagged.has(line)) continue;
    const text = ctx.source.lineText(line);
    const code = text.replace(/(^|\s)#.*$/, '');
    if (!mentionsPrevious.test(code) || /→|->/.test(code)) continue;
    // Same boundary as the test above, so `dev2` in front of a real `v2` does not take the column.
    const column = code.search(new RegExp(`(?<![0-9A-Za-z])v${previous}(?![0-9])`));
    findings.push({
      id: 'V009',
      severity: severityOf('V009', 'alternative'),
      message: `This line refers to v${previous}, but the file is v${current}. Update it unless it deliberately points at the previous version.`,
      file: ctx.source.file,
      range: { start: { line, character: column }, end: { line, character: column + String(previous).length + 1 } },
    });
  }
  return findings;
}
