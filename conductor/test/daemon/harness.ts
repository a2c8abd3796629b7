// A real conductor in a temp MOZART_HOME for daemon and CLI tests: run `mozart` commands against it,
// write scores on the `command` backend, and wait for its events.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConductorClient } from '../../../protocol/src/client.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';

export const CLI = resolve(__dirname, '../../../dist/cli.js');

export interface Harness {
  home: string;
  socket: string;
  env: NodeJS.ProcessEnv;
  /** Runs `mozart ...args` to completion. */
  mozart(...args: string[]): { code: number | null; out: string; err: string };
  /** Starts `mozart ...args` and resolves when it exits; `onOut` sees its stdout as it comes. */
  mozartLive(args: string[], onOut?: (soFar: string) => void): Promise<{ code: number | null; out: string; err: string }>;
  connect(): Promise<ConductorClient>;
}

/** A conductor home with extra environment for the conductor and CLI (e.g. MOZART_MAX_JOBS). */
export function harness(extraEnv: NodeJS.ProcessEnv = {}): Harness {
  const home = mkdtempSync(join(tmpdir(), 'mozart-home-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MOZART_HOME: home, NO_COLOR: '1', ...extraEnv };
  delete env.MOZART_SOCKET;
  const socket = join(home, 'run', 'conductor.sock');
  return {
    home,
    socket,
    env,
    mozart(...args) {
      const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
    mozartLive(args, onOut) {
      const child = spawn(process.execPath, [CLI, ...args], { env });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        onOut?.(out);
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise((res) => child.on('close', (code) => res({ code, out, err })));
    },
    connect: () => ConductorClient.connect(socket),
  };
}

/** Writes a score on the command backend whose sheet N passes when `{workspace}/sN` exists. */
export function scoreFile(name: string, command: string, sheets = 2, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-score-'));
  const file = join(dir, 'score.yaml');
  writeFileSync(
    file,
    `name: ${name}
workspace: ./ws
pause_between_sheets_seconds: 0
backend: { type: command, command: ${JSON.stringify(command)}, timeout_seconds: 60 }
sheet: { size: 1, total_items: ${sheets} }
prompt: { template: "sheet {{ sheet_num }}" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}", description: "sheet output" }
${extra}`,
  );
  return file;
}

/** Collects a client's events and resolves waits on them, matching events already seen too. */
export class EventLog {
  readonly events: RunnerEvent[] = [];
  private readonly waiters: { predicate: (e: RunnerEvent) => boolean; resolve: (e: RunnerEvent) => void }[] = [];

  constructor(client: ConductorClient) {
    client.onEvent = (event) => {
      this.events.push(event);
      for (const w of [...this.waiters]) {
        if (w.predicate(event)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    };
  }

  waitFor(predicate: (e: RunnerEvent) => boolean): Promise<RunnerEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }
}
