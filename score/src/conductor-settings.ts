// The conductor's settings, one table: each key of conductor.yaml that is acted on, its default, the
// MOZART_* variable and command-line flag that override it (file < env < flag), and when a change
// takes effect. `effectiveSettings` is the one resolution, used by the conductor at start and on
// reload and by `mozart config show` when no conductor runs; it says where each value comes from.
import scoreSchemaJson from '../../schemas/score.schema.json';
import type { ConductorConfigData } from './conductor-config.js';
import type { Score } from './score-types.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warning', 'error'];
export type NotificationConfig = Score['notifications'][number];

/** Every setting's value, by its dotted key in the file. */
export interface SettingValues {
  max_concurrent_jobs: number;
  log_level: LogLevel;
  'socket.path': string;
  'resource_limits.min_free_memory_mb': number;
  'learning.enabled': boolean;
  'learning.use_global_patterns': boolean;
  'learning.max_outcomes': number;
  'learning.max_age_days': number;
  notifications: NotificationConfig[];
  'cluster.url': string | null;
  'cluster.agent_caps': string | null;
  'cluster.lock_ms': number | null;
  'cluster.prefix': string | null;
  'cluster.member_id': string | null;
}
export type SettingKey = keyof SettingValues;

/** When a changed value is used: at once (running jobs too), by jobs started afterwards, or after a restart. */
export type Applies = 'now' | 'new-jobs' | 'restart';
export type SettingSource = 'default' | 'file' | 'env' | 'flag';

interface Spec<T> {
  applies: Applies;
  env?: string;
  /** The conductor's flag (`mozart start` passes it on). */
  flag?: string;
  /** The default; `socket.path`'s depends on MOZART_HOME and is given by the caller. */
  fallback: T | ((defaults: SettingDefaults) => T);
  /** A value from the environment or a flag: the value, or why it cannot be used. */
  parse?: (text: string) => T | Error;
  /** What `config show` prints for a default that is not a value (e.g. "host-pid"). */
  describeDefault?: string;
}

const wholeAtLeast = (min: number) => (text: string): number | Error => {
  const n = Number(text);
  return text.trim() !== '' && Number.isInteger(n) && n >= min ? n : new Error(`must be a whole number ≥ ${min}`);
};
const positive = (text: string): number | Error => {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : new Error('must be a number above 0');
};
const level = (text: string): LogLevel | Error => {
  const lower = text.toLowerCase();
  const value = lower === 'warn' ? 'warning' : lower;
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
};
const nonEmpty = (text: string): string | Error => (text === '' ? new Error('must not be empty') : text);

export const SETTINGS: { [K in SettingKey]: Spec<SettingValues[K]> } = {
  max_concurrent_jobs: { applies: 'now', env: 'MOZART_MAX_JOBS', flag: '--max-jobs', fallback: 8, parse: wholeAtLeast(1) },
  log_level: { applies: 'now', env: 'MOZART_LOG_LEVEL', flag: '--log-level', fallback: 'info', parse: level },
  'socket.path': { applies: 'restart', env: 'MOZART_SOCKET', flag: '--socket', fallback: (d) => d.socketPath, parse: nonEmpty },
  'resource_limits.min_free_memory_mb': { applies: 'now', env: 'MOZART_MIN_FREE_MEMORY_MB', fallback: 256, parse: positive },
  'learning.enabled': { applies: 'now', fallback: true },
  'learning.use_global_patterns': { applies: 'now', fallback: true },
  'learning.max_outcomes': { applies: 'restart', env: 'MOZART_LEARNING_MAX_OUTCOMES', fallback: 100_000, parse: wholeAtLeast(1) },
  'learning.max_age_days': { applies: 'restart', env: 'MOZART_LEARNING_MAX_AGE_DAYS', fallback: 90, parse: positive },
  notifications: { applies: 'new-jobs', fallback: [] },
  'cluster.url': { applies: 'restart', env: 'MOZART_CLUSTER', flag: '--cluster', fallback: null, parse: nonEmpty, describeDefault: 'none (a single conductor)' },
  'cluster.agent_caps': { applies: 'restart', env: 'MOZART_CLUSTER_AGENT_CAPS', flag: '--agent-cap', fallback: null, parse: nonEmpty, describeDefault: 'none' },
  'cluster.lock_ms': { applies: 'restart', env: 'MOZART_CLUSTER_LOCK_MS', fallback: null, parse: wholeAtLeast(500), describeDefault: '30000' },
  'cluster.prefix': { applies: 'restart', env: 'MOZART_CLUSTER_PREFIX', fallback: null, parse: nonEmpty, describeDefault: 'mozart' },
  'cluster.member_id': { applies: 'restart', env: 'MOZART_CLUSTER_MEMBER', fallback: null, parse: nonEmpty, describeDefault: 'host-pid' },
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export interface SettingDefaults {
  /** The socket path when nothing names one: $MOZART_HOME/run/conductor.sock. */
  socketPath: string;
}

/** One setting as it is in effect, and where its value comes from. */
export interface EffectiveSetting {
  key: SettingKey;
  value: unknown;
  source: SettingSource;
  /** The variable or flag that set it, or `FILE:LINE` for the file. */
  origin?: string;
  applies: Applies;
  /** A default that is not a value, in words (`host-pid`). */
  describeDefault?: string;
}

export interface SettingsInput {
  /** The config file's checked data (absent: no file) and where it is. */
  file?: { path: string; data: ConductorConfigData; lines?: ReadonlyMap<string, number> };
  env: NodeJS.ProcessEnv;
  /** Flag name (`--max-jobs`) → the text given. */
  flags?: Readonly<Record<string, string | undefined>>;
  defaults: SettingDefaults;
}

export interface ResolvedSettings {
  values: SettingValues;
  settings: EffectiveSetting[];
  /** An environment variable or flag that could not be used, in words; a flag's problem is fatal at start. */
  problems: { origin: string; message: string; fatal: boolean }[];
}

const notificationDefaults = (scoreSchemaJson as unknown as { definitions: { notification: { properties: { on_events: { default: string[] } } } } }).definitions.notification.properties;

/** A notification channel from the file with its schema defaults filled in, as the score's get them. */
function withChannelDefaults(channel: NotificationConfig): NotificationConfig {
  const raw = channel as Partial<NotificationConfig> & { type: NotificationConfig['type'] };
  return { ...raw, on_events: raw.on_events ?? [...notificationDefaults.on_events.default], config: raw.config ?? {} } as NotificationConfig;
}

function fromFile(data: ConductorConfigData, key: string): unknown {
  let value: unknown = data;
  for (const part of key.split('.')) value = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

/** Resolves every setting: flag over environment over file over default. */
export function effectiveSettings(input: SettingsInput): ResolvedSettings {
  const values = {} as Record<string, unknown>;
  const settings: EffectiveSetting[] = [];
  const problems: ResolvedSettings['problems'] = [];
  for (const key of SETTING_KEYS) {
    const spec = SETTINGS[key] as Spec<unknown>;
    const base = { key, applies: spec.applies, ...(spec.describeDefault ? { describeDefault: spec.describeDefault } : {}) };
    let chosen: EffectiveSetting = { ...base, value: typeof spec.fallback === 'function' ? (spec.fallback as (d: SettingDefaults) => unknown)(input.defaults) : spec.fallback, source: 'default' };
    const inFile = input.file ? fromFile(input.file.data, key) : undefined;
    if (inFile !== undefined && input.file) {
      const line = input.file.lines?.get(key);
      chosen = { ...base, value: key === 'notifications' ? (inFile as NotificationConfig[]).map(withChannelDefaults) : inFile, source: 'file', origin: line ? `${input.file.path}:${line}` : input.file.path };
    }
    const tryText = (text: string | undefined, source: 'env' | 'flag', origin: string) => {
      if (text === undefined || (source === 'env' && text === '')) return;
      const parsed = spec.parse ? spec.parse(text) : new Error('cannot be set this way');
      if (parsed instanceof Error) problems.push({ origin, message: `${origin} ${parsed.message} (it is '${text}'); ${source === 'env' ? 'it is ignored' : 'the conductor does not start'}.`, fatal: source === 'flag' });
      else chosen = { ...base, value: parsed, source, origin };
    };
    if (spec.env) tryText(input.env[spec.env], 'env', spec.env);
    if (spec.flag) tryText(input.flags?.[spec.flag], 'flag', spec.flag);
    values[key] = chosen.value;
    settings.push(chosen);
  }
  return { values: values as unknown as SettingValues, settings, problems };
}

/** What a value looks like in `config show` and the reload report. */
export function showValue(setting: Pick<EffectiveSetting, 'value' | 'source' | 'describeDefault'>): string {
  if (setting.source === 'default' && setting.describeDefault) return setting.describeDefault;
  const value = setting.value;
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map((v) => (v && typeof v === 'object' && 'type' in v ? String((v as { type: unknown }).type) : JSON.stringify(v))).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}
