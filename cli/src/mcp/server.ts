// `mozart mcp`: a Model Context Protocol server on stdin/stdout for AI agents and editors. It is a
// bundle of its own (dist/mcp.js), loaded by the CLI only for this command, so other commands never
// parse the MCP SDK. Tools and resources follow the original Mozart's MCP server; the conductor
// does the work. stdout carries protocol messages only: everything else goes to stderr.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import scoreSchema from '../../../schemas/score.schema.json';
import { connectConductor } from '../conductor.js';
import { registerArtifactTools, registerJobTools } from './tools.js';
import type { ToolContext } from './tools.js';

declare const MOZART_VERSION: string | undefined;

const SCHEMA_URI = 'config://schema';
const JOBS_URI = 'mozart://jobs';

async function jobs(context: ToolContext) {
  const client = await connectConductor(context.socket);
  try {
    return await client.request('job.list', { all: true });
  } finally {
    client.close();
  }
}

async function jobState(context: ToolContext, jobId: string) {
  const client = await connectConductor(context.socket);
  try {
    return await client.request('job.status', { jobId });
  } finally {
    client.close();
  }
}

const json = (uri: string, data: unknown) => ({ contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(data, null, 2) }] });

/** The server with every tool and resource, not yet connected to a transport. */
export function createMcpServer(context: ToolContext): McpServer {
  const server = new McpServer(
    { name: 'mozart', version: typeof MOZART_VERSION === 'string' ? MOZART_VERSION : 'dev' },
    {
      instructions:
        'Mozart runs long, multi-step AI agent jobs from YAML scores through its conductor. Start one with start_job, follow it with get_job, read what it wrote with the mozart_artifact_* tools. The score format is the resource config://schema.',
    },
  );
  registerJobTools(server, context);
  registerArtifactTools(server, context);
  server.registerResource('score-schema', SCHEMA_URI, { title: 'Mozart score JSON schema', description: "The JSON schema of a Mozart score (the YAML file a job runs): every field, its type, default and meaning.", mimeType: 'application/json' }, (uri) => json(uri.href, scoreSchema));
  server.registerResource('jobs', JOBS_URI, { title: 'Mozart jobs', description: 'Every job the conductor knows, with status, progress and workspace.', mimeType: 'application/json' }, async (uri) => json(uri.href, await jobs(context)));
  server.registerResource(
    'job',
    new ResourceTemplate('mozart://jobs/{job_id}', {
      list: async () => ({
        resources: (await jobs(context).catch(() => [])).map((j) => ({ uri: `mozart://jobs/${encodeURIComponent(j.jobId)}`, name: j.jobId, description: `${j.status}, ${j.completedSheets}/${j.totalSheets} sheets`, mimeType: 'application/json' })),
      }),
    }),
    { title: 'Mozart job', description: "One job's state: sheets, attempts, errors, cost.", mimeType: 'application/json' },
    async (uri, variables) => {
      const raw = variables.job_id;
      const id = decodeURIComponent(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
      return json(uri.href, await jobState(context, id));
    },
  );
  return server;
}

/**
 * Serves MCP on stdin/stdout until stdin closes; resolves to the exit code. console output is sent
 * to stderr first, so a stray log line cannot corrupt the protocol stream.
 */
export async function runMcpServer(options: { socket?: string }): Promise<number> {
  const toStderr = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  const server = createMcpServer({ socket: options.socket });
  const transport = new StdioServerTransport();
  await server.connect(transport);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  process.stderr.write('mozart mcp: serving the Model Context Protocol on stdin/stdout\n');
  await closed;
  await server.close();
  return 0;
}
