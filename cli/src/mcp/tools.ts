// The MCP tools, named as the original Mozart's MCP server names them (list_jobs, get_job,
// start_job, pause_job, resume_job, cancel_job, mozart_artifact_*). Each asks the conductor over its
// socket, one connection per call, so a restarted conductor is found again on the next call.
import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ConductorClient } from '../../../protocol/src/client.js';
import type { JobSummary } from '../../../protocol/src/methods.js';
import { JOB_STATUSES } from '../../../protocol/src/param-schemas.js';
import { connectConductor } from '../conductor.js';
import { eventLineAtLeast, parseLogLevel } from '../commands/log-files.js';
import { guarded, ok } from './results.js';
import { listWorkspace, readWorkspaceFile, WorkspaceFileError } from './workspace-files.js';

export interface ToolContext {
  /** --socket, else $MOZART_SOCKET, else the default. */
  socket: string | undefined;
}

async function ask<T>(context: ToolContext, work: (client: ConductorClient) => Promise<T>): Promise<T> {
  const client = await connectConductor(context.socket);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

const jobId = z.string().min(1).describe('The job ID (the score\'s name), as list_jobs shows it');

/** The workspace of a job the conductor knows: by job ID, or a folder that is one of its jobs' workspaces. */
async function workspaceOf(context: ToolContext, args: { job_id?: string | undefined; workspace?: string | undefined }): Promise<{ jobId: string; workspace: string }> {
  if (args.job_id) {
    const state = await ask(context, (client) => client.request('job.status', { jobId: args.job_id as string }));
    // Both named (the original's job_id with its optional workspace): they must be the same job's.
    if (args.workspace !== undefined && resolve(args.workspace) !== resolve(state.workspace)) throw new WorkspaceFileError('access_denied', `${resolve(args.workspace)} is not the workspace of job '${state.jobId}' (its workspace is ${state.workspace}); leave workspace out, or name the job whose workspace it is.`);
    return { jobId: state.jobId, workspace: state.workspace };
  }
  if (!args.workspace) throw new WorkspaceFileError('access_denied', 'Name the job (job_id) or its workspace (workspace).');
  const wanted = resolve(args.workspace);
  const jobs = await ask(context, (client) => client.request('job.list', { all: true }));
  const job = jobs.find((j) => resolve(j.workspace) === wanted);
  if (!job) throw new WorkspaceFileError('access_denied', `${wanted} is not the workspace of any job the conductor knows; only jobs' workspaces can be read (see list_jobs).`);
  return { jobId: job.jobId, workspace: job.workspace };
}

const summaryLine = (s: JobSummary): string => `Job '${s.jobId}' is ${s.pausing ? 'pausing' : s.status}: ${s.completedSheets}/${s.totalSheets} sheets done, workspace ${s.workspace}.`;

/** Registers the job tools (list, get, start) and the control tools (pause, resume, cancel). */
export function registerJobTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'list_jobs',
    {
      description: 'List the jobs the Mozart conductor knows, finished ones included, newest first, with status, progress and workspace.',
      inputSchema: z.strictObject({
        status_filter: z.enum(JOB_STATUSES).optional().describe('Only jobs with this status'),
        limit: z.number().int().min(1).max(500).default(50).describe('At most this many jobs'),
      }),
      annotations: { readOnlyHint: true },
    },
    ({ status_filter, limit }) =>
      guarded(async () => {
        const jobs = await ask(context, (client) => client.request('job.list', { all: true }));
        const chosen = jobs.filter((j) => status_filter === undefined || j.status === status_filter).slice(0, limit);
        return ok({ jobs: chosen, total: jobs.length }, `${chosen.length} of ${jobs.length} jobs.`);
      }),
  );
  server.registerTool(
    'get_job',
    {
      description: "A job's state: status, each sheet's status, attempts and last error (with its E-code), cost, and workspace. Poll it to follow a job.",
      inputSchema: z.strictObject({ job_id: jobId }),
      annotations: { readOnlyHint: true },
    },
    ({ job_id }) =>
      guarded(async () => {
        const state = await ask(context, (client) => client.request('job.status', { jobId: job_id }));
        const done = Object.values(state.sheets).filter((s) => s.status === 'completed' || s.status === 'skipped').length;
        const error = state.error ? ` Error ${state.error.code}: ${state.error.message}` : '';
        return ok(state, `Job '${state.jobId}' is ${state.status}: ${done}/${state.totalSheets} sheets done.${error}`);
      }),
  );
  server.registerTool(
    'start_job',
    {
      description: 'Start a Mozart job from a score file (YAML). The conductor checks the score first and refuses an invalid one, saying why.',
      inputSchema: z.strictObject({
        config_path: z.string().min(1).describe('Path of the score file (relative paths are taken from the server\'s working folder)'),
        workspace: z.string().min(1).optional().describe("Run the job in this folder instead of the score's workspace"),
        start_sheet: z.number().int().min(1).default(1).describe('Begin at this sheet; earlier ones are recorded as skipped'),
        self_healing: z.boolean().default(false).describe('Fix known causes of failure (missing folders) and retry'),
        fresh: z.boolean().default(false).describe("Start over when the job already has a checkpoint (the old files are archived as the score's workspace_lifecycle says)"),
      }),
    },
    ({ config_path, workspace, start_sheet, self_healing, fresh }) =>
      guarded(async () => {
        const summary = await ask(context, (client) =>
          client.request('job.submit', {
            scoreFile: resolve(config_path),
            fresh,
            ...(start_sheet > 1 ? { startSheet: start_sheet } : {}),
            ...(self_healing ? { selfHealing: true } : {}),
            ...(workspace ? { workspace: resolve(workspace) } : {}),
          }),
        );
        return ok(summary, `Job '${summary.jobId}' started: ${summary.totalSheets} sheets, workspace ${summary.workspace}. Follow it with get_job.`);
      }),
  );
  server.registerTool(
    'pause_job',
    {
      description: 'Pause a running job at the next safe point: running sheets finish, nothing new starts. Resume it with resume_job.',
      inputSchema: z.strictObject({ job_id: jobId }),
    },
    ({ job_id }) => guarded(async () => {
      const summary = await ask(context, (client) => client.request('job.pause', { jobId: job_id }));
      return ok(summary, summaryLine(summary));
    }),
  );
  server.registerTool(
    'resume_job',
    {
      description: 'Resume a paused, failed or cancelled job from its checkpoint, re-reading its score (or config_path); sheets already validated never run again.',
      inputSchema: z.strictObject({
        job_id: jobId,
        config_path: z.string().min(1).optional().describe("A changed score to continue with (it must keep the job's name and workspace)"),
      }),
    },
    ({ job_id, config_path }) =>
      guarded(async () => {
        const summary = await ask(context, (client) => client.request('job.resume', { jobId: job_id, ...(config_path ? { scoreFile: resolve(config_path) } : {}) }));
        return ok(summary, summaryLine(summary));
      }),
  );
  server.registerTool(
    'cancel_job',
    {
      description: 'Cancel a job now: its agents are stopped. The checkpoint stays, so resume_job can continue it later.',
      inputSchema: z.strictObject({ job_id: jobId }),
      annotations: { destructiveHint: true },
    },
    ({ job_id }) => guarded(async () => {
      const summary = await ask(context, (client) => client.request('job.cancel', { jobId: job_id }));
      return ok(summary, summaryLine(summary));
    }),
  );
}

/** The original's artifact categories (its `_categorize_artifact`), our checkpoint folder counted as state. */
export const ARTIFACT_TYPES = ['output', 'error', 'log', 'state', 'all'] as const;
export function artifactType(path: string, jobId: string): 'output' | 'error' | 'log' | 'state' | 'other' {
  const name = path.split('/').at(-1) ?? path;
  const lower = name.toLowerCase();
  if (name.endsWith('.log')) return 'log';
  if (path.startsWith('.mozart/state/') || name === `${jobId}.json` || (name.endsWith('.json') && /state|checkpoint/.test(name))) return 'state';
  if (lower.includes('error') || lower.includes('stderr')) return 'error';
  if (lower.includes('output') || lower.includes('stdout')) return 'output';
  return 'other';
}

/** The original's get_logs levels; `all` keeps every event. */
const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'all'] as const;

/** Registers the artifact tools: a job's workspace files (confined to it) and its logs. */
export function registerArtifactTools(server: McpServer, context: ToolContext): void {
  const workspaceArg = z.string().min(1).optional();
  const where = {
    job_id: jobId.optional(),
    workspace: workspaceArg.describe('The workspace folder of a job the conductor knows (instead of job_id)'),
  };
  // The original's job_id-first tools take an optional workspace too: here it must be that job's.
  const jobWorkspace = workspaceArg.describe("The job's workspace (optional: it is found from job_id; given, it must be the job's)");
  server.registerTool(
    'mozart_artifact_list',
    {
      description: "List one folder of a job's workspace (name the job, or its workspace). Paths that leave the workspace are refused.",
      inputSchema: z.strictObject({ ...where, path: z.string().default('.').describe('A folder inside the workspace'), include_hidden: z.boolean().default(false).describe('Include names starting with a dot') }),
      annotations: { readOnlyHint: true },
    },
    (args) =>
      guarded(async () => {
        const { jobId: id, workspace } = await workspaceOf(context, args);
        const listed = listWorkspace(workspace, args.path, { includeHidden: args.include_hidden, recursive: false, limit: 1000 });
        return ok({ jobId: id, workspace, ...listed }, `${listed.entries.length} entries in ${args.path} of ${workspace}${listed.truncated ? ' (more left out)' : ''}.`);
      }),
  );
  const readShape = (maxDefault: number, maxMax: number) => ({
    max_size: z.number().int().min(1).max(maxMax).default(maxDefault).describe('Refuse files larger than this many bytes'),
  });
  const readAnswer = async (args: { job_id?: string | undefined; workspace?: string | undefined }, path: string, maxSize: number, encoding?: string) => {
    const { jobId: id, workspace } = await workspaceOf(context, args);
    const file = readWorkspaceFile(workspace, path, maxSize, encoding);
    return ok({ jobId: id, workspace, ...file }, file.text === undefined ? `${file.path}: a binary file of ${file.size} bytes${encoding !== undefined ? ` (or not valid ${file.encoding})` : ''} (its first bytes in hex follow).` : undefined);
  };
  server.registerTool(
    'mozart_artifact_read',
    {
      description: "Read a file of a job's workspace (name the job, or its workspace). Paths that leave the workspace, and links to outside it, are refused.",
      inputSchema: z.strictObject({
        ...where,
        file_path: z.string().min(1).describe('The file, relative to the workspace'),
        ...readShape(50_000, 100_000),
        encoding: z.string().min(1).default('utf-8').describe('The text encoding to read it with (utf-8, latin-1, utf-16le, windows-1252, …); a file not valid in it comes back as hex'),
      }),
      annotations: { readOnlyHint: true },
    },
    (args) => guarded(() => readAnswer(args, args.file_path, args.max_size, args.encoding)),
  );
  server.registerTool(
    'mozart_artifact_list_artifacts',
    {
      description: "Every file a job left in its workspace (recursively, links not followed), optionally only those whose path names a sheet (sheet-3, sheet_3, 3-sheet) or of one type: log (*.log), state (the checkpoint: .mozart/state/, <job>.json), error (names with error/stderr), output (output/stdout).",
      inputSchema: z.strictObject({
        job_id: jobId,
        workspace: jobWorkspace,
        sheet_filter: z.number().int().min(1).optional().describe('Only paths that name this sheet'),
        artifact_type: z.enum(ARTIFACT_TYPES).default('all').describe('Only artifacts of this type'),
        include_hidden: z.boolean().default(false).describe('Include names starting with a dot (the checkpoint and sheet logs are under .mozart/)'),
      }),
      annotations: { readOnlyHint: true },
    },
    (args) =>
      guarded(async () => {
        const { jobId: id, workspace } = await workspaceOf(context, args);
        const listed = listWorkspace(workspace, '.', { includeHidden: args.include_hidden, recursive: true, limit: 5000 });
        const sheet = args.sheet_filter;
        const named = sheet === undefined ? undefined : new RegExp(`sheet[_-]?${sheet}(?!\\d)|(?<!\\d)${sheet}[_-]sheet`, 'i');
        const entries = listed.entries
          .filter((e) => e.type !== 'directory' && (named === undefined || named.test(e.path)))
          .map((e) => ({ ...e, category: artifactType(e.path, id) }))
          .filter((e) => args.artifact_type === 'all' || e.category === args.artifact_type);
        return ok({ jobId: id, workspace, entries, truncated: listed.truncated }, `${entries.length} ${args.artifact_type === 'all' ? '' : `${args.artifact_type} `}files in ${workspace}${listed.truncated ? ' (the walk stopped at 5000 entries)' : ''}.`);
      }),
  );
  server.registerTool(
    'mozart_artifact_get_artifact',
    {
      description: "Read one file of a job's workspace by its path there. Paths that leave the workspace, and links to outside it, are refused.",
      inputSchema: z.strictObject({ job_id: jobId, artifact_path: z.string().min(1).describe('The file, relative to the workspace'), workspace: jobWorkspace, ...readShape(100_000, 1_000_000) }),
      annotations: { readOnlyHint: true },
    },
    (args) => guarded(() => readAnswer(args, args.artifact_path, args.max_size)),
  );
  server.registerTool(
    'mozart_artifact_get_logs',
    {
      description: "A job's logs: with sheet, that sheet's full agent output (every attempt); without, the job's event log. The last `lines` lines; `level` keeps the events of that level and above (as the workspace's mozart.log rates them).",
      inputSchema: z.strictObject({
        job_id: jobId,
        workspace: jobWorkspace,
        sheet: z.number().int().min(1).optional().describe("A sheet's agent output instead of the event log"),
        lines: z.number().int().min(1).max(10_000).default(100).describe('How many of the last lines'),
        level: z.enum(LOG_LEVELS).default('all').describe('Only events of this level and above (the event log; agent output has no levels)'),
      }),
      annotations: { readOnlyHint: true },
    },
    ({ job_id, workspace, sheet, lines, level }) =>
      guarded(async () => {
        if (workspace !== undefined) await workspaceOf(context, { job_id, workspace });
        if (sheet !== undefined && level !== 'all') throw new WorkspaceFileError('invalid_params', `level '${level}' filters the job's event log; a sheet's agent output has no levels. Leave level out (or 'all') with sheet.`);
        const min = level === 'all' ? undefined : parseLogLevel(level);
        const chunk = await ask(context, (client) => client.request('job.logs', { jobId: job_id, ...(sheet !== undefined ? { sheet } : {}), offset: -256 * 1024, maxBytes: 256 * 1024 }));
        const all = chunk.text.split('\n');
        if (all.at(-1) === '') all.pop();
        const kept = min === undefined ? all : all.filter((l) => l.trim() && eventLineAtLeast(l, min));
        const tail = kept.slice(-lines);
        return { content: [{ type: 'text', text: tail.length ? tail.join('\n') : `(the ${sheet !== undefined ? `sheet ${sheet} log` : 'event log'} ${min ? `has no events of level ${level} or above` : 'is empty'})` }], structuredContent: { jobId: job_id, path: chunk.path, lines: tail.length, level, ...(sheet !== undefined ? { sheet } : {}) } };
      }),
  );
}
