// Edit-to-diagnostics latency of our language server next to Red Hat's yaml-language-server (the
// server behind the YAML extension most VS Code users have), both driven over stdio exactly as an
// editor drives them, on every example score and a generated 5,000-line score. Ours runs twice:
// as shipped (default settings: checked at once unless checks are slow or edits come in a burst)
// and with no delay at all (debounceMs 0), so the difference is what our waiting costs. Figures
// are printed, never asserted: they depend on the machine.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { URI } from 'vscode-uri';
import { generateBigScore } from '../lib/big-score.js';
import { median, percentile } from '../lib/stats.js';

const ROOT = resolve(__dirname, '../..');
const OUR_SERVER = join(ROOT, 'dist/language-server.js');
const SCHEMA = join(ROOT, 'schemas/score.schema.json');
/** Without a reply within this long something is broken; the bench stops instead of hanging. */
const WATCHDOG_MS = 30_000;
/** Unmeasured edits per document first, so neither server is timed while its JIT warms up on a new shape of input. */
const WARM_UP_EDITS = 3;
/** Unmeasured edits each server process makes first, on the first example, so the first document measured does not pay for the whole process's warm-up. */
const PROCESS_WARM_UP_EDITS = 20;

interface Diagnostics {
  uri: string;
  version?: number;
  diagnostics: unknown[];
}

interface Waiter {
  uri: string;
  accept: (p: Diagnostics) => boolean;
  resolve: (p: Diagnostics) => void;
}

interface Position {
  line: number;
  character: number;
}

/** One server process and its JSON-RPC connection, with just enough client to open and edit documents. */
class ServerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly connection: MessageConnection;
  private waiters: Waiter[] = [];
  private readonly exited: Promise<void>;
  private readonly stderr: string[] = [];
  /** Whether the server asked for incremental changes (otherwise it gets the full text, as VS Code does). */
  private incremental = false;

  constructor(
    readonly name: string,
    args: string[],
    /** The answer to a workspace/configuration item, by section. */
    private readonly configuration: (section: string | undefined) => unknown,
  ) {
    this.child = spawn(process.execPath, args, { stdio: 'pipe' });
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((done) => this.child.on('exit', () => done()));
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: Diagnostics) => {
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== params.uri || !w.accept(params)) return true;
        w.resolve(params);
        return false;
      });
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map((item) => this.configuration(item.section)));
    // Registrations, progress tokens and anything else a server may ask: accept and move on, as an editor would.
    this.connection.onRequest(() => null);
    this.connection.onNotification(() => undefined);
    this.connection.listen();
  }

  async initialize(initializationOptions: unknown): Promise<void> {
    const result = await this.within(
      this.connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: URI.file(ROOT).toString(),
        workspaceFolders: [{ uri: URI.file(ROOT).toString(), name: 'mozart' }],
        capabilities: {
          workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
          textDocument: { synchronization: { dynamicRegistration: false }, publishDiagnostics: { versionSupport: true, relatedInformation: true } },
        },
        initializationOptions,
      }),
      'initialize',
    );
    const sync = (result as { capabilities?: { textDocumentSync?: number | { change?: number } } }).capabilities?.textDocumentSync;
    this.incremental = (typeof sync === 'number' ? sync : sync?.change) === 2;
    await this.connection.sendNotification('initialized', {});
  }

  configurationChanged(settings: unknown): Promise<void> {
    return this.connection.sendNotification('workspace/didChangeConfiguration', { settings });
  }

  /** The next diagnostics for `uri` that `accept` takes, timed out by the watchdog. */
  nextDiagnostics(uri: string, accept: (p: Diagnostics) => boolean): Promise<Diagnostics> {
    return this.within(new Promise((resolve) => this.waiters.push({ uri, accept, resolve })), `diagnostics for ${uri}`);
  }

  async open(uri: string, text: string): Promise<Diagnostics> {
    const first = this.nextDiagnostics(uri, () => true);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    return first;
  }

  /**
   * Sends one edit and returns the milliseconds until the diagnostics for it arrive. A server that
   * stamps its diagnostics with the document version is matched on that version; one that does not
   * (yaml-language-server) is matched on the first diagnostics after the change, which is sound
   * because the next edit is only sent once they arrived.
   */
  async edit(uri: string, version: number, at: Position, removed: number, inserted: string, fullText: string): Promise<{ ms: number; published: Diagnostics }> {
    const change = this.incremental ? { range: { start: at, end: { line: at.line, character: at.character + removed } }, text: inserted } : { text: fullText };
    const next = this.nextDiagnostics(uri, (p) => p.version === undefined || p.version === version);
    const started = performance.now();
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    const published = await next;
    return { ms: performance.now() - started, published };
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Asks the server to shut down; kills it if it has not exited shortly after. */
  async stop(): Promise<void> {
    const grace = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms).unref());
    try {
      await Promise.race([this.connection.sendRequest('shutdown').then(() => this.connection.sendNotification('exit')), grace(2000)]);
    } catch {
      // Already gone or not answering: the kill below deals with it.
    }
    await Promise.race([this.exited, grace(2000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    this.connection.dispose();
  }

  private within<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const watchdog = setTimeout(() => reject(new Error(`${this.name}: no ${what} within ${WATCHDOG_MS} ms\n${this.stderr.join('').slice(-2000)}`)), WATCHDOG_MS);
      promise.then(
        (value) => {
          clearTimeout(watchdog);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(watchdog);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

/** yaml-language-server's built-in wait before it validates, read from the installed package so the printed figure is the one that ran. */
function theirDelay(): { ms: number | undefined; where: string; applied: string } {
  const dir = dirname(require.resolve('yaml-language-server/package.json'));
  const where = join(dir, 'out/server/src/yamlSettings.js');
  const applied = join(dir, 'out/server/src/languageserver/handlers/validationHandlers.js');
  const match = existsSync(where) ? /validationDelayMs\s*=\s*(\d+)/.exec(readFileSync(where, 'utf8')) : null;
  return { ms: match ? Number(match[1]) : undefined, where: relative(ROOT, where), applied: relative(ROOT, applied) };
}

interface Subject {
  label: string;
  path: string;
  text: string;
  edits: number;
}

interface Measured {
  times: number[];
  findings: number;
}

/**
 * Opens the document, makes `WARM_UP_EDITS` unmeasured and then `edits` measured edits, and closes
 * it. Each edit appends a character to the end of the `description:` line or takes it away again,
 * so every version differs from the one before and the score stays valid.
 */
async function measure(server: ServerProcess, subject: Subject): Promise<Measured> {
  const uri = URI.file(subject.path).toString();
  const lines = subject.text.split('\n');
  const line = lines.findIndex((l) => /^\s*description:\s/.test(l));
  if (line < 0) throw new Error(`${subject.label}: no description line to edit`);
  const end = (lines[line] as string).length;
  let published = await server.open(uri, subject.text);
  const times: number[] = [];
  for (let i = 0; i < WARM_UP_EDITS + subject.edits; i++) {
    const version = i + 2;
    const appended = i % 2 === 0;
    lines[line] = appended ? `${lines[line] as string}x` : (lines[line] as string).slice(0, -1);
    const result = await server.edit(uri, version, { line, character: end }, appended ? 0 : 1, appended ? 'x' : '', lines.join('\n'));
    if (i >= WARM_UP_EDITS) times.push(result.ms);
    published = result.published;
  }
  await server.close(uri);
  return { times, findings: published.diagnostics.length };
}

/** Waits until yaml-language-server reports a schema finding, proving our schema is associated (a bench without it would time a plain YAML parse). */
async function confirmSchema(theirs: ServerProcess): Promise<boolean> {
  const uri = URI.file(join(ROOT, 'examples/bench-schema-probe.yaml')).toString();
  const text = 'name: probe\nsheet:\n  size: 1\n  total_items: 1\nprompt:\n  template: x\nretyr: 1\n';
  let published = await theirs.open(uri, text);
  for (let version = 2; published.diagnostics.length === 0 && version < 12; version++) {
    await new Promise((done) => setTimeout(done, 200));
    published = (await theirs.edit(uri, version, { line: 0, character: 0 }, 0, '', text)).published;
  }
  await theirs.close(uri);
  return published.diagnostics.length > 0;
}

const fmt = (ms: number): string => ms.toFixed(1);

/** Prints the comparison table. Needs `npm run build` first (it runs dist/language-server.js). */
export async function benchLsp(): Promise<void> {
  if (!existsSync(OUR_SERVER)) throw new Error(`${relative(ROOT, OUR_SERVER)} is missing: run npm run build first`);
  const examples = join(ROOT, 'examples');
  const subjects: Subject[] = readdirSync(examples)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ label: f, path: join(examples, f), text: readFileSync(join(examples, f), 'utf8'), edits: 30 }));
  // Not on disk: both servers check the editor's text; beside the examples so relative paths resolve the same way.
  subjects.push({ label: 'generated score', path: join(examples, 'generated-5000-lines.yaml'), text: generateBigScore(5000), edits: 10 });

  // As shipped: the settings VS Code sends for an untouched configuration (every default).
  const shippedSettings = {};
  const noDelaySettings = { languageServer: { debounceMs: 0 } };
  const yamlSettings = {
    schemas: { [URI.file(SCHEMA).toString()]: ['*.yaml'] },
    validate: true,
    // Offline and focused on validation: no schema catalogue download, no CRD store, no formatter.
    schemaStore: { enable: false },
    kubernetesCRDStore: { enable: false },
    format: { enable: false },
  };
  const shipped = new ServerProcess('ours as shipped', [OUR_SERVER, '--stdio'], (section) => (section === 'mozart' ? shippedSettings : {}));
  const noDelay = new ServerProcess('ours without delay', [OUR_SERVER, '--stdio'], (section) => (section === 'mozart' ? noDelaySettings : {}));
  const theirs = new ServerProcess('yaml-language-server', [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'], (section) =>
    section === 'yaml' ? yamlSettings : {},
  );
  const delay = theirDelay();
  try {
    await shipped.initialize({ settings: shippedSettings });
    await noDelay.initialize({ settings: noDelaySettings });
    await theirs.initialize(undefined);
    await shipped.configurationChanged({ mozart: shippedSettings });
    await noDelay.configurationChanged({ mozart: noDelaySettings });
    await theirs.configurationChanged({ yaml: yamlSettings });
    const schemaApplied = await confirmSchema(theirs);

    // The process's own warm-up (code paths run for the first time, JIT), unmeasured, on a copy of the first example.
    const first = subjects[0] as Subject;
    const warmUp: Subject = { ...first, label: `${first.label} (warm-up)`, path: join(examples, 'bench-warm-up.yaml'), edits: PROCESS_WARM_UP_EDITS };
    for (const server of [shipped, noDelay, theirs]) await measure(server, warmUp);

    const rows: string[][] = [];
    /** Ours as shipped, median per example (not the generated score): the figure issue 16's goal is about. */
    const exampleMedians: number[] = [];
    for (const subject of subjects) {
      // One server at a time: the others sit idle, so they never compete for the CPU.
      const a = await measure(shipped, subject);
      const z = await measure(noDelay, subject);
      const b = await measure(theirs, subject);
      const [oursMedian, theirsMedian] = [median(a.times), median(b.times)];
      if (subject !== subjects[subjects.length - 1]) exampleMedians.push(oursMedian);
      rows.push([
        subject.label,
        String(subject.text.split('\n').length),
        fmt(oursMedian),
        fmt(percentile(a.times, 95)),
        fmt(median(z.times)),
        fmt(theirsMedian),
        fmt(percentile(b.times, 95)),
        delay.ms === undefined ? '?' : fmt(theirsMedian - delay.ms),
        `${(theirsMedian / oursMedian).toFixed(1)}×`,
        `${a.findings} / ${b.findings}`,
      ]);
    }

    console.log('\nEdit → diagnostics latency over stdio (ms, wall clock; ours as shipped and with debounceMs 0, theirs as shipped)');
    const header = ['document', 'lines', 'ours med', 'ours p95', 'no delay med', 'theirs med', 'theirs p95', 'theirs−delay', 'theirs/ours', 'findings o/t'];
    const widths = [26, 7, 10, 10, 14, 12, 12, 14, 13, 14];
    const print = (cells: string[]): void => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(''));
    print(header);
    for (const row of rows) print(row);
    console.log('ours: as shipped (default settings) in "ours med/p95"; with debounceMs 0 in "no delay med"; "theirs/ours" compares as shipped with as shipped.');
    const worst = Math.max(...exampleMedians);
    console.log(`goal (ours as shipped, median under 20 ms on every example): ${worst < 20 ? 'met' : 'NOT met'}, the highest example median is ${fmt(worst)} ms.`);
    console.log(
      `edits: 30 per example, 10 on the generated score, after ${WARM_UP_EDITS} unmeasured warm-up edits each (and ${PROCESS_WARM_UP_EDITS} per server process first, on a copy of ${first.label}); each appends or removes one character of the description.`,
    );
    console.log('matching: ours by the version in publishDiagnostics; yaml-language-server sends no version, so its first publish after the change (the next edit waits for it).');
    console.log(
      `yaml-language-server waits ${delay.ms ?? '?'} ms before validating (validationDelayMs in ${delay.where}, a setTimeout in ${delay.applied}; not a setting), ` +
        'so its figures include that wait; "theirs−delay" subtracts it.',
    );
    console.log(
      `findings: ours counts Mozart checks (schema, plan, templates, paths…); yaml-language-server checks YAML syntax and ${schemaApplied ? 'our schema (association confirmed)' : 'NOT our schema (association could not be confirmed)'}.`,
    );
  } finally {
    await Promise.all([shipped.stop(), noDelay.stop(), theirs.stop()]);
  }
}

// Alone: `node scripts/build.mjs && node --import tsx scripts/bench/lsp.ts` (npm run bench runs it among the others).
if (require.main === module) {
  benchLsp().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
