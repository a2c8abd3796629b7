// Checks on paths the score names: V002 workspace parent, V003 template file, V004 system prompt
// file, V005 working directory, V107 files named by validations. Paths are relative to the score.
import { dirname } from 'node:path';
import type { Finding, Fix, Range } from '../findings.js';
import type { NodePath } from '../source.js';
import { resolveFromScore } from '../files.js';
import { findPlaceholders } from '../placeholders.js';
import { schemaAt } from '../schema-index.js';
import type { CheckContext } from './context.js';
import { findingAt, isSet } from './context.js';
import { invalidUtf8Message, invalidUtf8Position } from '../score-file.js';
import { severityOf } from '../catalog.js';

/** The text written into a template file created by the V003 quick fix. */
export const STARTER_TEMPLATE = `{#- Prompt for one sheet. Built-in variables: sheet_num, total_sheets, start_item, end_item, workspace. -#}
You are working on sheet {{ sheet_num }} of {{ total_sheets }} (items {{ start_item }}–{{ end_item }}).

Write your results to {{ workspace }}.
`;

/**
 * A fix for a path written with Windows separators (`templates\report.j2`): on this system a
 * backslash is part of a file name, so the path cannot be found. Rewrites the scalar as written,
 * keeping its quoting style.
 */
function separatorFix(ctx: CheckContext, path: NodePath): Fix[] {
  if (process.platform === 'win32') return [];
  const range = ctx.source.valueRange(path);
  const start = ctx.source.offsetAt(range.start);
  const raw = ctx.source.text.slice(start, ctx.source.offsetAt(range.end));
  if (!raw.includes('\\')) return [];
  const fixed = raw.startsWith('"') ? raw.replace(/\\\\/g, '/') : raw.replace(/\\/g, '/');
  if (fixed === raw) return [];
  return [{ title: 'Use forward slashes in this path', safe: true, actions: [{ kind: 'edit', file: ctx.source.file, range, newText: fixed }] }];
}

/** Extra advice for a path containing backslashes. */
function separatorHint(value: string): string {
  return value.includes('\\') && process.platform !== 'win32' ? ' The path uses backslashes; on this system folders are separated by "/".' : '';
}

/** V002: the workspace's parent folder must exist (Mozart creates the workspace itself). */
export function checkWorkspaceParent(ctx: CheckContext): Finding[] {
  if (!isSet(ctx, ['workspace'])) return [];
  const workspace = resolveFromScore(ctx.source.file, ctx.score.workspace);
  const parent = dirname(workspace);
  const kind = ctx.files.kind(parent);
  if (kind === 'directory') return [];
  if (kind === 'file') {
    return [findingAt(ctx, 'V002', ['workspace'], `The workspace's parent ${parent} is a file, not a folder. Point workspace somewhere else.`)];
  }
  return [
    findingAt(ctx, 'V002', ['workspace'], `The workspace's parent folder ${parent} does not exist. Create it, or point workspace somewhere that exists.${separatorHint(ctx.score.workspace)}`, {
      fixes: [...separatorFix(ctx, ['workspace']), { title: `Create folder ${parent}`, safe: separatorFix(ctx, ['workspace']).length === 0, actions: [{ kind: 'createDirectory', path: parent }] }],
    }),
  ];
}

/** V003: prompt.template_file must name an existing file. */
export function checkTemplateFile(ctx: CheckContext): Finding[] {
  const templateFile = ctx.score.prompt.template_file;
  if (typeof templateFile !== 'string' || !isSet(ctx, ['prompt', 'template_file'])) return [];
  const path = resolveFromScore(ctx.source.file, templateFile);
  const kind = ctx.files.kind(path);
  if (kind === 'file') return namedFileText(ctx, 'V003', ['prompt', 'template_file'], path);
  if (kind === 'directory') {
    return [findingAt(ctx, 'V003', ['prompt', 'template_file'], `prompt.template_file points at a folder (${path}); it must name a template file.`)];
  }
  return [
    findingAt(ctx, 'V003', ['prompt', 'template_file'], `Template file not found: ${path}. Create it or correct the path (relative paths start at the score's folder).${separatorHint(templateFile)}`, {
      fixes: [
        ...separatorFix(ctx, ['prompt', 'template_file']),
        {
          title: `Create ${templateFile} with a starter template`,
          safe: false,
          actions: [
            { kind: 'createDirectory', path: dirname(path) },
            { kind: 'createFile', path, content: STARTER_TEMPLATE },
          ],
        },
      ],
    }),
  ];
}

/** V004: backend.system_prompt_file must name an existing file. */
export function checkSystemPromptFile(ctx: CheckContext): Finding[] {
  const file = ctx.score.backend.system_prompt_file;
  if (typeof file !== 'string' || !isSet(ctx, ['backend', 'system_prompt_file'])) return [];
  // On another backend the field has no effect (S007 says so); a missing file there is harmless.
  if (!appliesToBackend(ctx, 'system_prompt_file')) return [];
  const path = resolveFromScore(ctx.source.file, file);
  const kind = ctx.files.kind(path);
  if (kind === 'file') return namedFileText(ctx, 'V004', ['backend', 'system_prompt_file'], path);
  if (kind === 'directory') {
    return [findingAt(ctx, 'V004', ['backend', 'system_prompt_file'], `backend.system_prompt_file points at a folder (${path}); it must name a file.`)];
  }
  return [
    findingAt(ctx, 'V004', ['backend', 'system_prompt_file'], `System prompt file not found: ${path}. Create it or correct the path.${separatorHint(file)}`, {
      fixes: separatorFix(ctx, ['backend', 'system_prompt_file']),
    }),
  ];
}

/**
 * A file the score names whose text reaches the agent (a template, a system prompt): it must be a
 * regular file Mozart reads (`id` at the field when not), and its bytes UTF-8 (Y002 at the first
 * byte that is not, in that file), so nothing reaches the agent replaced without a word.
 */
function namedFileText(ctx: CheckContext, id: string, field: NodePath, path: string): Finding[] {
  const read = ctx.files.read(path);
  if (!read.ok) return read.reason === 'missing' ? [] : [findingAt(ctx, id, field, `${field.join('.')} cannot be read: ${read.message}.`)];
  if (!read.invalidUtf8) return [];
  const at = invalidUtf8Position(read.text, read.invalidUtf8);
  return [
    {
      id: 'Y002',
      severity: severityOf('Y002'),
      message: `${invalidUtf8Message(read.invalidUtf8)} This is the file ${field.join('.')} names: save it as UTF-8 (or remove the byte); the score does not run until then.`,
      file: path,
      range: { start: at, end: { line: at.line, character: at.character + 1 } },
    },
  ];
}

/** False when a backend field belongs to a backend other than the selected one. */
function appliesToBackend(ctx: CheckContext, key: string): boolean {
  const owner = schemaAt(['backend', key])?.['x-backend'];
  return owner === undefined || owner === ctx.score.backend.type;
}

/** V005: backend.working_directory must be an existing folder. */
export function checkWorkingDirectory(ctx: CheckContext): Finding[] {
  const dir = ctx.score.backend.working_directory;
  if (typeof dir !== 'string' || !isSet(ctx, ['backend', 'working_directory'])) return [];
  if (!appliesToBackend(ctx, 'working_directory')) return [];
  const path = resolveFromScore(ctx.source.file, dir);
  const kind = ctx.files.kind(path);
  if (kind === 'directory') return [];
  if (kind === 'file') {
    return [findingAt(ctx, 'V005', ['backend', 'working_directory'], `backend.working_directory is a file, not a folder: ${path}.`)];
  }
  return [
    findingAt(ctx, 'V005', ['backend', 'working_directory'], `Working directory does not exist: ${path}. Create it or correct the path; the agent runs there.${separatorHint(dir)}`, {
      fixes: [
        ...separatorFix(ctx, ['backend', 'working_directory']),
        { title: `Create folder ${path}`, safe: separatorFix(ctx, ['backend', 'working_directory']).length === 0, actions: [{ kind: 'createDirectory', path }] },
      ],
    }),
  ];
}

const SCRIPT_EXTENSION = /\.(sh|bash|zsh|py|js|mjs|cjs|ts|rb|pl|php|lua|ps1)$/;

/** Words of a shell command with their offsets, simple quoting honoured (enough to find file arguments). */
function shellWords(command: string): { word: string; offset: number }[] {
  const words: { word: string; offset: number }[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(command))) {
    const quoted = match[1] ?? match[2];
    words.push({ word: quoted ?? match[3] ?? '', offset: match.index + (quoted !== undefined ? 1 : 0) });
  }
  return words;
}

/** The range of `length` characters at `offset` in the string value at `path`, or the whole value. */
function rangeInValue(ctx: CheckContext, path: NodePath, value: string, offset: number, length: number): Range {
  const before = value.slice(0, offset).split('\n');
  const line = before.length - 1;
  const character = (before[line] ?? '').length;
  const start = ctx.source.positionInScalar(path, line, character);
  const end = ctx.source.positionInScalar(path, line, character + length);
  if (!start || !end || end.line !== start.line || end.character <= start.character) return ctx.source.valueRange(path);
  return { start, end };
}

/**
 * V107: a file a validation relies on that does not exist. Only paths that can be resolved now
 * are checked (no `{placeholder}`, no shell variable), and only where nothing the job does is
 * expected to create them: scripts named by commands, and absolute paths of content checks.
 */
export function checkValidationFiles(ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  ctx.score.validations.forEach((rule, index) => {
    if ((rule.type === 'content_contains' || rule.type === 'content_regex') && typeof rule.path === 'string') {
      const path = rule.path;
      if (path.startsWith('/') && findPlaceholders(path).length === 0 && !path.includes('$') && ctx.files.kind(path) === 'missing') {
        findings.push(findingAt(ctx, 'V107', ['validations', index, 'path'], `Validation ${index + 1} reads ${path}, which does not exist yet. Make sure a sheet creates it, or fix the path.`));
      }
    }
    if (rule.type === 'command_succeeds' && typeof rule.command === 'string') {
      // As the runner does: a relative working directory is inside the workspace. Scripts there
      // may be written by the job itself, so only a folder outside the workspace is checked now.
      const workspace = resolveFromScore(ctx.source.file, ctx.score.workspace);
      const dir = typeof rule.working_directory === 'string' && findPlaceholders(rule.working_directory).length === 0
        ? resolveFromScore(`${workspace}/x`, rule.working_directory)
        : undefined;
      const baseDir = dir !== undefined && dir !== workspace && !dir.startsWith(`${workspace}/`) ? dir : undefined;
      for (const { word, offset } of shellWords(rule.command)) {
        if (!SCRIPT_EXTENSION.test(word) || word.includes('$') || findPlaceholders(word).length > 0) continue;
        if (!word.startsWith('/') && !baseDir) continue; // relative to the workspace, which the job fills
        const path = word.startsWith('/') ? word : resolveFromScore(`${baseDir}/x`, word);
        if (ctx.files.kind(path) === 'missing') {
          const commandPath = ['validations', index, 'command'];
          findings.push({
            ...findingAt(ctx, 'V107', commandPath, `Validation ${index + 1} runs ${word}, but ${path} does not exist. Create the script or fix the command.`),
            range: rangeInValue(ctx, commandPath, rule.command, offset, word.length),
          });
        }
      }
    }
  });
  return findings;
}
