// A channel's `config` is free-form in the score; these read one value of the expected type, so a
// wrong type falls back to the default instead of reaching an HTTP client as garbage. The score
// check for notifications (score/src/checks/notifications.ts) reports the wrong types to the user.

export type ChannelConfig = Readonly<Record<string, unknown>>;

export function text(config: ChannelConfig, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function number(config: ChannelConfig, key: string, fallback: number): number {
  const value = config[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

export function flag(config: ChannelConfig, key: string, fallback: boolean): boolean {
  const value = config[key];
  return typeof value === 'boolean' ? value : fallback;
}

/** A string or a list of strings (e-mail recipients). */
export function list(config: ChannelConfig, key: string): string[] {
  const value = config[key];
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return [];
}

/** The value itself, or the environment variable named by `<key>_env`. */
export function valueOrEnv(config: ChannelConfig, key: string, env: NodeJS.ProcessEnv, defaultEnv?: string): { value?: string; from: string } {
  const direct = text(config, key);
  if (direct) return { value: direct, from: key };
  const envName = text(config, `${key}_env`) ?? defaultEnv;
  if (!envName) return { from: `${key} or ${key}_env` };
  const fromEnv = env[envName];
  return fromEnv ? { value: fromEnv, from: `$${envName}` } : { from: `$${envName}` };
}

/** Header values with `${VAR}` replaced from the environment (for tokens kept out of the score). */
export function headers(config: ChannelConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = config.headers;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    out[name] = String(value).replace(/\$\{(\w+)\}/g, (_, variable: string) => env[variable] ?? '');
  }
  return out;
}
