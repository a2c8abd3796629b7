// Live, read-only log documents under the `mozart-log:` scheme: a sheet's captured agent output or
// a job's event log. The first content comes from `job.logs`; each conductor event for the job
// then reads on from the returned offset, so nothing is shown twice or lost. An editor scrolled
// to the end follows new output. Should the conductor not offer `job.logs`, the document is fed
// from the events themselves (and the sheet's output tail kept in its state).
import * as vscode from 'vscode';
import { ConductorError } from '../../../protocol/src/client.js';
import { RPC_ERRORS } from '../../../protocol/src/framing.js';
import { eventLine, eventLogText } from '../../../protocol/src/event-text.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { ConductorConnection } from '../conductor/connection.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Translate } from '../l10n.js';
import { appendLog, emptyLog, LOG_SCHEME, logPath, parseLogPath, renderLog } from './log-model.js';
import type { LogBuffer, LogTarget } from './log-model.js';

/** Bytes asked for per `job.logs` request. */
const CHUNK_BYTES = 512 * 1024;
const CHANGE_DELAY_MS = 100;

interface LogSession {
  target: LogTarget;
  buffer: LogBuffer;
  offset: number;
  /** 'offset': read on with job.logs; 'events': fed from event text (no job.logs). */
  mode: 'offset' | 'events';
  loaded: boolean;
  /** The job log's unfinished last JSON line, kept until the rest arrives. */
  partial: string;
  reading: boolean;
  again: boolean;
  problem?: string;
  changeTimer?: NodeJS.Timeout;
}

export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly sessions = new Map<string, LogSession>();
  /** Line counts last seen per log document, to tell whether an editor was at the end. */
  private readonly lineCounts = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: JobStore,
    private readonly connection: ConductorConnection,
    private readonly t: Translate,
  ) {
    const onEvent = (event: RunnerEvent) => this.onEvent(event);
    const onState = () => {
      // After a reconnect, read on: output may have been written while disconnected.
      if (this.connection.state.phase === 'running') for (const session of this.sessions.values()) this.read(session);
    };
    store.on('event', onEvent);
    connection.on('state', onState);
    this.disposables.push(
      { dispose: () => store.off('event', onEvent) },
      { dispose: () => connection.off('state', onState) },
      vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme !== LOG_SCHEME) return;
        const session = this.sessions.get(doc.uri.toString());
        if (session?.changeTimer) clearTimeout(session.changeTimer);
        this.sessions.delete(doc.uri.toString());
        this.lineCounts.delete(doc.uri.toString());
      }),
      vscode.workspace.onDidChangeTextDocument((change) => this.follow(change.document)),
    );
  }

  static uri(target: LogTarget): vscode.Uri {
    return vscode.Uri.from({ scheme: LOG_SCHEME, path: logPath(target) });
  }

  /** Opens (or shows) a log and scrolls to its end. */
  async open(target: LogTarget): Promise<void> {
    const document = await vscode.workspace.openTextDocument(LogDocuments.uri(target));
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    const end = new vscode.Position(document.lineCount, 0);
    editor.revealRange(new vscode.Range(end, end), vscode.TextEditorRevealType.Default);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const key = uri.toString();
    let session = this.sessions.get(key);
    if (!session) {
      const target = parseLogPath(uri.path);
      if (!target) return this.t('Not a Mozart log: {0}', uri.toString());
      session = { target, buffer: emptyLog(), offset: 0, mode: 'offset', loaded: false, partial: '', reading: false, again: false };
      this.sessions.set(key, session);
      this.read(session);
    }
    if (session.problem && session.buffer.text === '') return session.problem;
    if (!session.loaded) return this.t('Loading the log…');
    const empty = session.target.sheet === undefined ? this.t('(no events yet — new ones appear here as they happen)') : this.t('(no output yet — it appears here as the agent writes it)');
    return renderLog(session.buffer, empty, (chars) => this.t('[… {0} earlier characters not shown …]', chars));
  }

  private onEvent(event: RunnerEvent): void {
    for (const session of this.sessions.values()) {
      const { target } = session;
      if (target.jobId !== event.jobId) continue;
      if (target.sheet !== undefined && (event.type !== 'sheet.output' || event.sheet !== target.sheet)) continue;
      if (session.mode === 'offset') {
        this.read(session);
      } else if (session.loaded) {
        const text = target.sheet === undefined ? (event.type === 'sheet.output' ? '' : `${eventLine(event)}\n`) : event.type === 'sheet.output' ? event.text : '';
        session.buffer = appendLog(session.buffer, text);
        this.changed(session);
      }
    }
  }

  /** Reads on from the session's offset (one read at a time; events meanwhile trigger one more). */
  private read(session: LogSession): void {
    if (session.mode !== 'offset') return;
    if (session.reading) {
      session.again = true;
      return;
    }
    session.reading = true;
    void (async () => {
      try {
        do {
          session.again = false;
          for (;;) {
            const chunk = await this.connection.request('job.logs', { jobId: session.target.jobId, ...(session.target.sheet !== undefined ? { sheet: session.target.sheet } : {}), offset: session.offset, maxBytes: CHUNK_BYTES });
            const grew = chunk.nextOffset > session.offset;
            if (chunk.nextOffset < session.offset) session.buffer = appendLog(session.buffer, `\n${this.t('[the log was truncated; reading from its start]')}\n`);
            session.offset = chunk.nextOffset;
            // The job's event log is JSON lines; it reads as one line per event, as in `mozart logs`.
            let text = chunk.text;
            if (session.target.sheet === undefined) ({ text, partial: session.partial } = eventLogText(session.partial, chunk.text));
            session.buffer = appendLog(session.buffer, text);
            session.problem = undefined;
            if (!grew || chunk.text === '') break;
          }
        } while (session.again);
      } catch (error) {
        if (error instanceof ConductorError && error.code === RPC_ERRORS.methodNotFound) await this.fallBackToEvents(session);
        else session.problem = this.t('Could not read the log: {0}', (error as Error).message);
      } finally {
        session.reading = false;
        session.loaded = true;
        this.changed(session);
      }
    })();
  }

  /** A conductor without job.logs: start from the output tails in the sheet's state, then follow events. */
  private async fallBackToEvents(session: LogSession): Promise<void> {
    session.mode = 'events';
    if (session.target.sheet === undefined) {
      session.buffer = appendLog(session.buffer, `${this.t('[this conductor cannot read the event log; showing events from now on]')}\n`);
      return;
    }
    try {
      const state = await this.store.loadState(session.target.jobId);
      const sheet = state.sheets[String(session.target.sheet)];
      const tail = [sheet?.stdoutTail, sheet?.stderrTail].filter((s): s is string => Boolean(s)).join('\n');
      if (tail) session.buffer = appendLog(session.buffer, `${this.t('[last captured output]')}\n${tail}\n`);
    } catch {
      /* the events still come */
    }
  }

  private changed(session: LogSession): void {
    if (session.changeTimer) return;
    session.changeTimer = setTimeout(() => {
      session.changeTimer = undefined;
      this.changeEmitter.fire(LogDocuments.uri(session.target));
    }, CHANGE_DELAY_MS);
  }

  /** Keeps editors that were showing the end of a log at its end. */
  private follow(document: vscode.TextDocument): void {
    if (document.uri.scheme !== LOG_SCHEME) return;
    const key = document.uri.toString();
    const before = this.lineCounts.get(key) ?? 0;
    this.lineCounts.set(key, document.lineCount);
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() !== key) continue;
      const lastVisible = editor.visibleRanges.at(-1)?.end.line ?? 0;
      if (before === 0 || lastVisible >= before - 2) {
        const end = new vscode.Position(document.lineCount, 0);
        editor.revealRange(new vscode.Range(end, end), vscode.TextEditorRevealType.Default);
      }
    }
  }

  dispose(): void {
    for (const session of this.sessions.values()) if (session.changeTimer) clearTimeout(session.changeTimer);
    for (const d of this.disposables) d.dispose();
    this.changeEmitter.dispose();
  }
}
