// The score engine's front door: text in, findings (plus the typed score and its sheet plan when
// they can be built) out. The language server, `mozart validate` and the conductor all call this.
import { checkRegexes, checkEmptyPatterns, checkTimeouts, checkValidationFields, checkVersionReferences } from './checks/config.js';
import type { Check, CheckContext } from './checks/context.js';
import { checkTemplateSyntax, checkUndefinedVariables } from './checks/jinja.js';
import { checkSystemPromptFile, checkTemplateFile, checkValidationFiles, checkWorkingDirectory, checkWorkspaceParent } from './checks/paths.js';
import { checkBackend, checkConsistency, checkPromptSource, planFindings } from './checks/rules.js';
import { checkInactiveFields } from './checks/inactive.js';
import { checkSkipWhen } from './checks/skip-when.js';
import { checkVariableTemplates } from './checks/variables.js';
import type { FileView } from './files.js';
import { diskFiles, resolveFromScore } from './files.js';
import type { Finding } from './findings.js';
import { compareFindings, START_OF_FILE } from './findings.js';
import type { SheetPlan } from './plan.js';
import { planSheets } from './plan.js';
import { checkSchema } from './schema-check.js';
import type { Score } from './score-types.js';
import type { InvalidUtf8 } from './score-file.js';
import { invalidUtf8Message, readScoreFile } from './score-file.js';
import { ScoreSource } from './source.js';
import { applySuppressions } from './suppress.js';
import { severityOf } from './catalog.js';

/** Checks that need a schema-valid score, in the order their findings are most useful. */
const CHECKS: readonly Check[] = [
  checkPromptSource,
  checkBackend,
  checkConsistency,
  checkTemplateSyntax,
  checkUndefinedVariables,
  checkWorkspaceParent,
  checkTemplateFile,
  checkSystemPromptFile,
  checkWorkingDirectory,
  checkRegexes,
  checkValidationFields,
  checkVersionReferences,
  checkTimeouts,
  checkEmptyPatterns,
  checkValidationFiles,
  checkSkipWhen,
  checkVariableTemplates,
  checkInactiveFields,
];

/** What checking a score produced. */
export interface ScoreCheckResult {
  source: ScoreSource;
  findings: Finding[];
  /** False when the YAML itself could not be read (`mozart validate` exits 2). */
  parsed: boolean;
  /** The score with defaults applied, when the schema accepted it. */
  score?: Score;
  plan?: SheetPlan;
  /** Absolute workspace path, when the score is usable. */
  workspace?: string;
}

/** Options for {@link checkScore}. */
export interface CheckOptions {
  files?: FileView;
  /** Set when the text was decoded from bytes that are not all UTF-8 (see readScoreFile). */
  invalidUtf8?: InvalidUtf8;
}

/** Checks score text. Never throws: an internal failure becomes a finding that says so. */
export function checkScore(file: string, text: string, options: CheckOptions = {}): ScoreCheckResult {
  const source = new ScoreSource(file, text);
  try {
    const files = options.files ?? diskFiles;
    const result = options.invalidUtf8 ? encodingFailure(source, options.invalidUtf8) : runChecks(source, files);
    const linesOf = (path: string): string[] | undefined => {
      if (path === file) return source.text.split('\n');
      const read = files.read(path);
      return read.ok ? read.text.split('\n') : undefined;
    };
    // A score that could not be read or planned cannot run whatever the comments say, so its
    // errors are never silenced: silencing them would make an unusable score look valid.
    const usable = result.score !== undefined && result.plan !== undefined;
    const silenced = applySuppressions(result.findings, linesOf);
    result.findings = (usable ? silenced : [...silenced, ...result.findings.filter((f) => f.severity === 'error' && !silenced.includes(f))]).sort(compareFindings);
    return result;
  } catch (error) {
    return {
      source,
      parsed: source.problems.length === 0,
      findings: [
        {
          id: 'S000',
          severity: severityOf('S000'),
          message: `Mozart could not finish checking this score (internal error: ${(error as Error).message}). Please report it with the score attached.`,
          file,
          range: START_OF_FILE,
        },
      ],
    };
  }
}

/**
 * Reads a score file safely (regular files only, at most MAX_SCORE_FILE_BYTES) and checks it. A
 * file that cannot be read at all gives `error` instead of findings.
 */
export function checkScoreFile(file: string, options: Omit<CheckOptions, 'invalidUtf8'> = {}): { result: ScoreCheckResult; error?: undefined } | { error: string; result?: undefined } {
  const read = readScoreFile(file);
  if (!read.ok) return { error: read.message };
  return { result: checkScore(file, read.text, { ...options, ...(read.invalidUtf8 ? { invalidUtf8: read.invalidUtf8 } : {}) }) };
}

/** Y002: the bytes are not UTF-8, so what the parser would see is not what the file says. */
function encodingFailure(source: ScoreSource, bad: InvalidUtf8): ScoreCheckResult {
  const at = source.positionAt(bad.textOffset);
  return {
    source,
    parsed: false,
    findings: [
      {
        id: 'Y002',
        severity: 'error',
        message: `${invalidUtf8Message(bad)} Save the score as UTF-8 (or remove the byte); nothing else is checked until then.`,
        file: source.file,
        range: { start: at, end: { line: at.line, character: at.character + 1 } },
      },
    ],
  };
}

function runChecks(source: ScoreSource, files: FileView): ScoreCheckResult {
  if (source.problems.length > 0) {
    const findings = source.problems.map((p) => ({
      id: p.code === 'TOO_DEEP' ? 'Y003' : 'Y001',
      severity: severityOf(p.code === 'TOO_DEEP' ? 'Y003' : 'Y001'),
      message: p.code === 'TOO_DEEP' ? `${p.message}; nothing else is checked until then.` : `YAML syntax error: ${p.message}. Fix the YAML at this position; nothing else can be checked until it parses.`,
      file: source.file,
      range: p.range,
    }));
    return { source, findings, parsed: false };
  }
  const raw = source.data;
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    const what = raw === null || raw === undefined ? 'empty' : Array.isArray(raw) ? 'a list' : 'a single value';
    return {
      source,
      parsed: true,
      findings: [
        {
          id: 'S002',
          severity: severityOf('S002'),
          message: `A score must be a mapping of keys (name, sheet, prompt, …), but this file is ${what}.`,
          file: source.file,
          range: source.firstContentLine(),
        },
      ],
    };
  }
  const data = structuredClone(raw) as Record<string, unknown>;
  const schema = checkSchema(source, data);
  if (!schema.usable) return { source, findings: schema.findings, parsed: true };

  const score = data as unknown as Score;
  const planned = planSheets(score.sheet);
  const ctx: CheckContext = { source, score, raw: raw as Record<string, unknown>, files, ...(planned.plan ? { plan: planned.plan } : {}) };
  const findings = [...schema.findings, ...planFindings(ctx, planned.problems)];
  for (const check of CHECKS) findings.push(...check(ctx));
  return {
    source,
    findings,
    parsed: true,
    score,
    ...(planned.plan ? { plan: planned.plan } : {}),
    workspace: resolveFromScore(source.file, score.workspace),
  };
}

/** True when the score could be read and planned and no finding is an error (warnings and infos allowed). */
export function isValid(result: Omit<ScoreCheckResult, 'source'>): boolean {
  return result.parsed && result.score !== undefined && result.plan !== undefined && !result.findings.some((f) => f.severity === 'error');
}
