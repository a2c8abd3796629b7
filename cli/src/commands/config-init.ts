// The starter file `mozart config init` writes: every setting that is acted on, with its default
// and the schema's description as a comment, sections in the schema's order; settings whose default
// depends on the machine (the socket) or that turn a mode on (cluster) are written commented out.
// The keys the schema marks x-inactive are listed at the end, commented out, with why.
import { conductorSchema } from '../../../score/src/conductor-config.js';
import type { ConfigSchemaNode } from '../../../score/src/conductor-config.js';
import { SETTINGS } from '../../../score/src/conductor-settings.js';
import type { SettingKey } from '../../../score/src/conductor-settings.js';

/** Every dotted key of the schema (sections' keys, not the sections). */
export function configKeys(node: ConfigSchemaNode = conductorSchema, prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    if (child.properties && !child['x-inactive']) out.push(...configKeys(child, key));
    else out.push(key);
  }
  return out;
}

/** A comment block, wrapped at about 96 columns. */
function comment(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > 94 - indent.length) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(`${indent}# ${line}`);
  return lines;
}

/** Settings written commented out: their default is not a fixed value, or setting them changes the mode. */
const COMMENTED: ReadonlySet<string> = new Set(['socket.path', 'cluster.url', 'cluster.agent_caps', 'cluster.lock_ms', 'cluster.prefix', 'cluster.member_id']);
const EXAMPLES: Partial<Record<string, string>> = {
  'socket.path': '/run/user/1000/mozart.sock',
  'cluster.url': 'redis://localhost:6379',
  'cluster.agent_caps': 'claude_cli=4',
  'cluster.lock_ms': '30000',
  'cluster.prefix': 'mozart',
  'cluster.member_id': 'build-box-1',
};

function valueText(key: string): string {
  const fallback = (SETTINGS[key as SettingKey] as { fallback: unknown } | undefined)?.fallback;
  if (key === 'notifications') return '[]';
  return EXAMPLES[key] ?? (typeof fallback === 'function' || fallback === undefined ? '' : String(fallback));
}

function section(node: ConfigSchemaNode, path: string[], indent: string): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    if (child['x-inactive']) continue;
    const key = [...path, name].join('.');
    if (child.properties) {
      // A section whose every key is commented out is too: an empty `cluster:` would be null, not a mapping.
      const keys = Object.entries(child.properties).filter(([, c]) => !c['x-inactive']).map(([n]) => `${key}.${n}`);
      const header = keys.every((k) => COMMENTED.has(k)) ? `${indent}# ${name}:` : `${indent}${name}:`;
      out.push('', ...comment(child.description ?? '', indent), header, ...section(child, [...path, name], `${indent}  `));
      continue;
    }
    out.push(...(path.length === 0 ? [''] : []), ...comment(child.description ?? '', indent));
    if (key === 'notifications') out.push(...comment('For example: [{type: desktop, on_events: [job_complete, job_failed]}]', indent));
    out.push(`${indent}${COMMENTED.has(key) ? '# ' : ''}${name}: ${valueText(key)}`);
  }
  return out;
}

function inactive(node: ConfigSchemaNode, path: string[]): string[] {
  const out: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const key = [...path, name].join('.');
    if (child['x-inactive']) out.push(`#   ${key}: ${child['x-inactive']}`);
    else if (child.properties) out.push(...inactive(child, [...path, name]));
  }
  return out;
}

export function starterConfig(): string {
  return [
    '# Mozart conductor settings, read when the conductor starts and again on SIGHUP or',
    "# 'mozart config set'. Command-line flags override MOZART_* variables, which override this file.",
    "# 'mozart config show' prints what is in effect and where each value comes from;",
    "# 'mozart config check' validates this file (file:line:col for every problem).",
    ...section(conductorSchema, [], ''),
    '',
    "# Accepted for the original Mozart's daemon config, but with no effect in this version:",
    ...inactive(conductorSchema, []),
    '',
  ].join('\n');
}
