// Checks on paths the score names: V002 workspace parent, V003 template file, V004 system prompt
// file, V005 working directory, V107 files named by validations. Paths are relative to the score.
import { dirname } from 'node:path';
import type { Finding } from '../findings.js';
import { resolveFromScore } from '../files.js';
import { findPlaceholders } from '../placeholders.js';
import type { CheckContext } from './context.js';
import { findingAt, isSet } from './context.js';

/** The text written into a template file created by the V003 quick fix. */
export const STARTER_TEMPLATE = `{#- Prompt for one sheet. Built-in variables: sheet_num, total_sheets, start_item, end_item, workspace. -#}
You are working on sheet {{ sheet_num }} of {{ total_sheets }} (items {{ start_item }}–{{ end_item }}).

Write your results to {{ workspace }}.
`;

/** V002: the workspace's parent folder must exist (Mozart creates the workspace itself). */
export function checkWorkspaceParent(ctx: CheckContext): Finding[] {
  if (!isSet(ctx, ['workspace'])) return [];
  const workspace = resolveFromScore(ctx.source.file, ctx.score.workspace);
  const parent = dirname(workspace);
  if (ctx.files.kind(parent) === 'directory') return [];
  return [
    findingAt(ctx, 'V002', 'error', ['workspace'], `The workspace's parent folder ${parent} does not exist. Create it, or point workspace somewhere that exists.`, {
      fixes: [{ title: `Create folder ${parent}`, safe: true, actions: [{ kind: 'createDirectory', path: parent }] }],
    }),
  ];
}

/** V003: prompt.template_file must name an existing file. */
export function checkTemplateFile(ctx: CheckContext): Finding[] {
  const templateFile = ctx.score.prompt.template_file;
  if (typeof templateFile !== 'string' || !isSet(ctx, ['prompt', 'template_file'])) return [];
  const path = resolveFromScore(ctx.source.file, templateFile);
  const kind = ctx.files.kind(path);
  if (kind === 'file') return [];
  if (kind === 'directory') {
    return [findingAt(ctx, 'V003', 'error', ['prompt', 'template_file'], `prompt.template_file points at a folder (${path}); it must name a template file.`)];
  }
  return [
    findingAt(ctx, 'V003', 'error', ['prompt', 'template_file'], `Template file not found: ${path}. Create it or correct the path (relative paths start at the score's folder).`, {
      fixes: [
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
  const path = resolveFromScore(ctx.source.file, file);
  if (ctx.files.kind(path) === 'file') return [];
  return [findingAt(ctx, 'V004', 'error', ['backend', 'system_prompt_file'], `System prompt file not found: ${path}. Create it or correct the path.`)];
}

/** V005: backend.working_directory must be an existing folder. */
export function checkWorkingDirectory(ctx: CheckContext): Finding[] {
  const dir = ctx.score.backend.working_directory;
  if (typeof dir !== 'string' || !isSet(ctx, ['backend', 'working_directory'])) return [];
  const path = resolveFromScore(ctx.source.file, dir);
  const kind = ctx.files.kind(path);
  if (kind === 'directory') return [];
  if (kind === 'file') {
    return [findingAt(ctx, 'V005', 'error', ['backend', 'working_directory'], `backend.working_directory is a file, not a folder: ${path}.`)];
  }
  return [
    findingAt(ctx, 'V005', 'error', ['backend', 'working_directory'], `Working directory does not exist: ${path}. Create it or correct the path; the agent runs there.`, {
      fixes: [{ title: `Create folder ${path}`, safe: true, actions: [{ kind: 'createDirectory', path }] }],
    }),
  ];
}

const SCRIPT_EXTENSION = /\.(sh|bash|zsh|py|js|mjs|cjs|ts|rb|pl|php|lua|ps1)$/;

/** Words of a shell command, with simple quoting honoured (enough to find file arguments). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(command))) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
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
        findings.push(findingAt(ctx, 'V107', 'warning', ['validations', index, 'path'], `Validation ${index + 1} reads ${path}, which does not exist yet. Make sure a sheet creates it, or fix the path.`));
      }
    }
    if (rule.type === 'command_succeeds' && typeof rule.command === 'string') {
      const baseDir = typeof rule.working_directory === 'string' && findPlaceholders(rule.working_directory).length === 0
        ? resolveFromScore(ctx.source.file, rule.working_directory)
        : undefined;
      for (const word of shellWords(rule.command)) {
        if (!SCRIPT_EXTENSION.test(word) || word.includes('$') || findPlaceholders(word).length > 0) continue;
        if (!word.startsWith('/') && !baseDir) continue; // relative to the workspace, which the job fills
        const path = word.startsWith('/') ? word : resolveFromScore(`${baseDir}/x`, word);
        if (ctx.files.kind(path) === 'missing') {
          findings.push(findingAt(ctx, 'V107', 'warning', ['validations', index, 'command'], `Validation ${index + 1} runs ${word}, but ${path} does not exist. Create the script or fix the command.`));
        }
      }
    }
  });
  return findings;
}
