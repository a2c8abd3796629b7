// What the MCP tools answer: the conductor's data as JSON (text for every client, structured
// content for those that read it), and failures as tool errors that carry a code and the message.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ConductorError, ConductorTimeoutError } from '../../../protocol/src/client.js';
import { RPC_ERRORS } from '../../../protocol/src/framing.js';
import { NoConductorError } from '../conductor.js';
import { WorkspaceFileError } from './workspace-files.js';

/** A tool's answer: `data` as indented JSON, after an optional line for a person to read. */
export function ok(data: unknown, summary?: string): CallToolResult {
  const json = JSON.stringify(data, null, 2);
  const structured = data !== null && typeof data === 'object' && !Array.isArray(data) ? { structuredContent: data as Record<string, unknown> } : {};
  return { content: [{ type: 'text', text: summary ? `${summary}\n\n${json}` : json }], ...structured };
}

const RPC_NAMES: Record<number, string> = {
  [RPC_ERRORS.refused]: 'refused',
  [RPC_ERRORS.invalidParams]: 'invalid_params',
  [RPC_ERRORS.methodNotFound]: 'method_not_found',
  [RPC_ERRORS.internalError]: 'internal_error',
  [RPC_ERRORS.tooLarge]: 'too_large',
};

/** A failure's code and message: an E-code when the message starts with one, else its kind. */
export function describeError(error: unknown): { code: string; message: string; rpcCode?: number } {
  const message = error instanceof Error ? error.message : String(error);
  const eCode = /^(E\d{3})\b[:\s]*/.exec(message);
  if (error instanceof ConductorError) {
    if (eCode) return { code: eCode[1] as string, message: message.slice(eCode[0].length), rpcCode: error.code };
    return { code: RPC_NAMES[error.code] ?? `rpc_${error.code}`, message, rpcCode: error.code };
  }
  if (error instanceof NoConductorError) return { code: 'no_conductor', message };
  if (error instanceof ConductorTimeoutError) return { code: 'conductor_timeout', message };
  if (error instanceof WorkspaceFileError) return { code: error.code, message };
  return { code: eCode?.[1] ?? 'error', message: eCode ? message.slice(eCode[0].length) : message };
}

/** A tool error: `CODE: message`, and the same as structured content. */
export function failed(error: unknown): CallToolResult {
  const described = describeError(error);
  return { isError: true, content: [{ type: 'text', text: `${described.code}: ${described.message}` }], structuredContent: { error: described } };
}

/** Runs a tool's work; any failure becomes a tool error instead of a protocol error. */
export async function guarded(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return failed(error);
  }
}
