// What the HTTP backends (anthropic_api, ollama) share. There is no process group to kill, so one
// AbortController ends the request instead — on the runner's cancel, the time limit or stale
// detection — and remembers which of them fired, because the runner classifies each differently.
import { OutputTail } from './process.js';
import type { AgentRequest, AgentResult } from './types.js';

/** Ends one request on cancel, timeout or silence, and says which it was. */
export class AttemptControl {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly onOuterAbort = (): void => this.stop('cancelled');
  timedOut = false;
  stalled = false;
  cancelled = false;

  constructor(
    private readonly outer: AbortSignal,
    timeoutMs: number,
    private readonly idleTimeoutMs: number | undefined,
  ) {
    this.timer = setTimeout(() => this.stop('timedOut'), timeoutMs);
    this.touch();
    if (outer.aborted) this.stop('cancelled');
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** Pass this to the HTTP client. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the attempt was ended by us rather than by the server. */
  get stopped(): boolean {
    return this.timedOut || this.stalled || this.cancelled;
  }

  /** Something arrived from the server: restart the stale-detection clock. */
  touch(): void {
    if (this.idleTimeoutMs === undefined) return;
    if (this.idleTimer) this.idleTimer.refresh();
    else this.idleTimer = setTimeout(() => this.stop('stalled'), this.idleTimeoutMs);
  }

  /** Clears the timers and the listener; call once the request has settled. */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }

  private stop(why: 'timedOut' | 'stalled' | 'cancelled'): void {
    if (this.stopped) return;
    this[why] = true;
    this.controller.abort();
  }
}

/** The reply text as it streams: forwarded live, kept whole for resultText, tailed for stdout. */
export class ReplyCapture {
  text = '';
  private readonly stdout: OutputTail;
  private readonly stderr: OutputTail;

  constructor(private readonly request: AgentRequest) {
    this.stdout = new OutputTail(request.captureBytes);
    this.stderr = new OutputTail(request.captureBytes);
  }

  reply(chunk: string): void {
    if (!chunk) return;
    this.text += chunk;
    this.stdout.push(Buffer.from(chunk));
    this.request.onOutput?.('stdout', chunk);
  }

  /** A diagnostic line (errors, notes); it goes to stderr and the live log. */
  note(line: string): void {
    const text = line.endsWith('\n') ? line : `${line}\n`;
    this.stderr.push(Buffer.from(text));
    this.request.onOutput?.('stderr', text);
  }

  /** The parts of an AgentResult every outcome shares. */
  result(control: AttemptControl, startedMs: number): AgentResult {
    return {
      exitCode: null,
      signal: null,
      stdout: this.stdout.text(),
      stderr: this.stderr.text(),
      durationMs: performance.now() - startedMs,
      timedOut: control.timedOut,
      stalled: control.stalled,
      cancelled: control.cancelled,
      ...(this.text ? { resultText: this.text } : {}),
    };
  }
}

/** A result for a backend that never got to send its request (bad configuration, unreachable). */
export function failedStart(code: NonNullable<AgentResult['startError']>['code'], message: string, durationMs = 0): AgentResult {
  return { exitCode: null, signal: null, stdout: '', stderr: message, durationMs, timedOut: false, cancelled: false, startError: { code, message } };
}

/** Parses retry-after (seconds or an HTTP date) and retry-after-ms into milliseconds. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = headers?.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The network error code (ECONNREFUSED, ENOTFOUND, …) somewhere in an error's cause chain. */
export function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The error's message, with the secret (if any) cut out: servers may echo what they were sent. */
export function safeMessage(error: unknown, secret?: string): string {
  const text = error instanceof Error ? error.message : String(error);
  return redact(text, secret);
}

export function redact(text: string, secret?: string): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
