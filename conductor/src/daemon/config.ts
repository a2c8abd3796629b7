// The conductor's settings: read from its config file at start (a broken file stops the start,
// with file:line:col), re-read on SIGHUP and `daemon.reloadConfig`. A reload that finds the file
// broken keeps every setting as it was; otherwise the settings that can change live are handed to
// `apply` at once, and those that cannot (the socket, the learning store, cluster membership) are
// kept as they are and reported as taking effect after a restart. Variables and flags still win.
import { readFileSync } from 'node:fs';
import type { ConductorConfigReport, ConductorSetting, ConfigChange, ConfigReloadResult } from '../../../protocol/src/methods.js';
import { checkConductorConfig, formatConfigFinding } from '../../../score/src/conductor-config.js';
import type { ConductorConfigData } from '../../../score/src/conductor-config.js';
import { effectiveSettings, showValue } from '../../../score/src/conductor-settings.js';
import type { EffectiveSetting, ResolvedSettings, SettingDefaults, SettingKey, SettingValues } from '../../../score/src/conductor-settings.js';

/** The config file cannot be used: its message lists each problem as file:line:col. */
export class ConfigFileError extends Error {}

interface FileRead {
  exists: boolean;
  data?: ConductorConfigData;
  lines?: ReadonlyMap<string, number>;
  notes: string[];
}

/** Reads and checks the file; throws ConfigFileError when it cannot be read or has errors. */
export function readConfigFile(path: string): FileRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, notes: [] };
    throw new ConfigFileError(`${path}: cannot be read (${(error as Error).message}).`);
  }
  const checked = checkConductorConfig(path, text);
  const errors = checked.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0 || !checked.data) throw new ConfigFileError(errors.map(formatConfigFinding).join('\n'));
  return { exists: true, data: checked.data, lines: checked.lines, notes: checked.findings.map(formatConfigFinding) };
}

export interface ConfigOptions {
  file: string;
  env: NodeJS.ProcessEnv;
  flags: Readonly<Record<string, string | undefined>>;
  defaults: SettingDefaults;
}

export class ConductorConfig {
  private resolved: ResolvedSettings;
  private read: FileRead;
  private loadedAt = new Date().toISOString();
  /** Restart-only settings whose file value changed since the start: key → the value that waits. */
  private readonly waiting = new Map<SettingKey, string>();
  /** Keys that cannot change while this conductor runs besides the table's restart ones (max jobs in a cluster). */
  private readonly fixed = new Set<SettingKey>();

  /** Reads the file; throws ConfigFileError (a broken file) — the caller stops the start. */
  constructor(private readonly options: ConfigOptions) {
    this.read = readConfigFile(options.file);
    this.resolved = this.resolve(this.read);
  }

  /** From now on, a change of these keys takes effect after a restart only. */
  holdUntilRestart(keys: readonly SettingKey[]): void {
    for (const key of keys) this.fixed.add(key);
  }

  get values(): SettingValues {
    return this.resolved.values;
  }

  /** Variables and flags that could not be used, and keys with no effect. */
  get notes(): string[] {
    return [...this.read.notes, ...this.resolved.problems.map((p) => p.message), ...[...this.waiting].map(([key, value]) => `${key}: the file now says ${value}; that takes effect after a restart.`)];
  }

  /** The flag problems that must stop the start (a bad --max-jobs). */
  get fatal(): string[] {
    return this.resolved.problems.filter((p) => p.fatal).map((p) => p.message);
  }

  report(): ConductorConfigReport {
    return { file: this.options.file, exists: this.read.exists, settings: this.resolved.settings.map(wire), notes: this.notes, loadedAt: this.loadedAt };
  }

  /**
   * Re-reads the file. Throws ConfigFileError, changing nothing, when it is broken. Otherwise
   * returns what changed; `apply` gets the new values of the live settings.
   */
  reload(apply: (values: SettingValues, changed: ReadonlySet<SettingKey>) => void): ConfigReloadResult {
    const read = readConfigFile(this.options.file);
    const next = this.resolve(read);
    const before = new Map(this.resolved.settings.map((s) => [s.key, s]));
    const changes: ConfigChange[] = [];
    const changed = new Set<SettingKey>();
    const settings: EffectiveSetting[] = [];
    for (const setting of next.settings) {
      const old = before.get(setting.key) as EffectiveSetting;
      const fileChanged = JSON.stringify(fileValue(this.read, old)) !== JSON.stringify(fileValue(read, setting));
      const valueChanged = JSON.stringify(old.value) !== JSON.stringify(setting.value);
      const restart = setting.applies === 'restart' || this.fixed.has(setting.key);
      if (!fileChanged && !valueChanged) {
        settings.push(restart ? old : setting);
        continue;
      }
      const from = showValue(old);
      const to = showValue(setting);
      if (!valueChanged) {
        // The file changed, but a variable or flag decides this setting.
        changes.push({ key: setting.key, from: showValue({ ...old, value: fileValue(this.read, old) ?? old.value, source: 'file' }), to: showValue({ ...setting, value: fileValue(read, setting), source: 'file' }), effect: 'overridden', by: setting.origin ?? setting.source });
        settings.push(restart ? old : setting);
      } else if (restart) {
        changes.push({ key: setting.key, from, to, effect: 'restart' });
        settings.push(old);
        if (JSON.stringify(setting.value) === JSON.stringify(this.started(setting.key))) this.waiting.delete(setting.key);
        else this.waiting.set(setting.key, to);
      } else {
        changes.push({ key: setting.key, from, to, effect: setting.applies === 'new-jobs' ? 'new-jobs' : 'applied' });
        changed.add(setting.key);
        settings.push(setting);
      }
    }
    const values = Object.fromEntries(settings.map((s) => [s.key, s.value])) as unknown as SettingValues;
    this.read = read;
    this.resolved = { values, settings, problems: next.problems };
    this.loadedAt = new Date().toISOString();
    if (changed.size > 0) apply(values, changed);
    return { ...this.report(), changes };
  }

  /** The value a restart-only setting has had since the start. */
  private started(key: SettingKey): unknown {
    return this.resolved.settings.find((s) => s.key === key)?.value;
  }

  private resolve(read: FileRead): ResolvedSettings {
    const { env, flags, defaults } = this.options;
    return effectiveSettings({ env, flags, defaults, ...(read.data ? { file: { path: this.options.file, data: read.data, ...(read.lines ? { lines: read.lines } : {}) } } : {}) });
  }
}

/** What the file says for a setting (undefined: not set there). */
function fileValue(read: FileRead, setting: EffectiveSetting): unknown {
  let value: unknown = read.data;
  for (const part of setting.key.split('.')) value = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function wire(setting: EffectiveSetting): ConductorSetting {
  return { key: setting.key, value: setting.value, shown: showValue(setting), source: setting.source, ...(setting.origin ? { origin: setting.origin } : {}), applies: setting.applies };
}
