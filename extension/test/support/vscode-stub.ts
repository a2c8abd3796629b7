// A minimal stand-in for the `vscode` module: what the extension touches while it activates, so
// its bundle can be loaded and activated under plain Node (./activate-under-stub.ts bundles this
// file as `node_modules/vscode` for the activation test and `npm run bench`). It records what
// activation registers; anything that would show UI resolves to "dismissed".
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';

export interface Disposable {
  dispose(): void;
}
export const Disposable = {
  from(...parts: Disposable[]): Disposable {
    return { dispose: () => parts.forEach((part) => part.dispose()) };
  },
};

type Listener<T> = (value: T) => unknown;
export type Event<T> = (listener: Listener<T>) => Disposable;

/** What activation registered, for callers that want to check or count it. */
export const registered = {
  commands: [] as string[],
  treeViews: [] as string[],
  statusBarItems: [] as string[],
  outputChannels: [] as string[],
  contentProviders: [] as string[],
  codeLensProviders: 0,
  contextKeys: new Map<string, unknown>(),
};

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

function never<T>(): Event<T> {
  return new EventEmitter<T>().event;
}

const done: Disposable = { dispose: () => undefined };

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  get fsPath(): string {
    return this.path;
  }
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static from(parts: { scheme: string; path?: string }): Uri {
    return new Uri(parts.scheme, parts.path ?? '');
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, posix.join(base.path, ...segments));
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number | Position, startCharacter: number | Position, endLine?: number, endCharacter?: number) {
    this.start = startLine instanceof Position ? startLine : new Position(startLine, startCharacter as number);
    this.end = startCharacter instanceof Position ? startCharacter : new Position(endLine ?? this.start.line, endCharacter ?? this.start.character);
  }
}

export class CodeLens {
  constructor(
    readonly range: Range,
    readonly command?: { title: string; command: string },
  ) {}
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}

export enum TextEditorRevealType {
  Default = 0,
  InCenter = 1,
  InCenterIfOutsideViewport = 2,
  AtTop = 3,
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  contextValue?: string;
  iconPath?: ThemeIcon;
  command?: { command: string; title: string };
  constructor(
    readonly label: string,
    readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export const l10n = {
  t(message: string, ...args: unknown[]): string {
    return message.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : whole));
  },
};

function outputChannel(name: string) {
  registered.outputChannels.push(name);
  const ignore = (): void => undefined;
  return { name, append: ignore, appendLine: ignore, replace: ignore, clear: ignore, show: ignore, hide: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore, dispose: ignore, onDidChangeLogLevel: never<number>(), logLevel: 2 };
}

export const window = {
  createOutputChannel: outputChannel,
  createTreeView(id: string) {
    registered.treeViews.push(id);
    return { visible: false, badge: undefined as unknown, message: undefined as string | undefined, onDidChangeVisibility: never<{ visible: boolean }>(), onDidExpandElement: never<{ element: unknown }>(), onDidCollapseElement: never<{ element: unknown }>(), dispose: () => undefined };
  },
  createStatusBarItem(id: string) {
    registered.statusBarItems.push(id);
    return { id, name: '', text: '', tooltip: '' as unknown, command: '' as unknown, backgroundColor: undefined as ThemeColor | undefined, show: () => undefined, hide: () => undefined, dispose: () => undefined };
  },
  showInformationMessage: async (): Promise<undefined> => undefined,
  showWarningMessage: async (): Promise<undefined> => undefined,
  showErrorMessage: async (): Promise<undefined> => undefined,
  showQuickPick: async (): Promise<undefined> => undefined,
  showOpenDialog: async (): Promise<undefined> => undefined,
  withProgress: async <R>(_options: unknown, task: (progress: { report(value: unknown): void }) => Promise<R>): Promise<R> => task({ report: () => undefined }),
  activeTextEditor: undefined,
  visibleTextEditors: [],
};

export const workspace = {
  isTrusted: true,
  workspaceFolders: undefined,
  textDocuments: [],
  getConfiguration: () => ({ get: <T>(_key: string, fallback?: T): T | undefined => fallback }),
  registerTextDocumentContentProvider(scheme: string): Disposable {
    registered.contentProviders.push(scheme);
    return done;
  },
  onDidCloseTextDocument: never<unknown>(),
  onDidChangeTextDocument: never<unknown>(),
  onDidGrantWorkspaceTrust: never<void>(),
  onDidChangeConfiguration: never<{ affectsConfiguration(section: string): boolean }>(),
  findFiles: async (): Promise<Uri[]> => [],
  asRelativePath: (path: string | Uri): string => (typeof path === 'string' ? path : path.fsPath),
};

export const commands = {
  registerCommand(id: string): Disposable {
    registered.commands.push(id);
    return done;
  },
  async executeCommand(id: string, ...args: unknown[]): Promise<undefined> {
    if (id === 'setContext') registered.contextKeys.set(String(args[0]), args[1]);
    return undefined;
  },
};

export const languages = {
  registerCodeLensProvider(): Disposable {
    registered.codeLensProviders++;
    return done;
  },
  match: (): number => 0,
};

/** A Memento kept in memory, like a fresh window's workspace state. */
function memoryMemento() {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T): T | undefined => (values.has(key) ? (values.get(key) as T) : fallback),
    update: (key: string, value: unknown): Promise<void> => {
      if (value === undefined) values.delete(key);
      else values.set(key, value);
      return Promise.resolve();
    },
  };
}

/** An ExtensionContext with what activate() reads: the extension's folder, subscriptions and state. */
/** The terminals' environment variable collection: what the extension put there, by variable. */
export const terminalEnvironment = new Map<string, { op: 'prepend' | 'replace'; value: string }>();

export function createExtensionContext(extensionPath: string, globalStoragePath = join(tmpdir(), `mozart-stub-storage-${process.pid}`)) {
  const environmentVariableCollection = {
    description: '' as unknown,
    persistent: true,
    clear: () => terminalEnvironment.clear(),
    prepend: (variable: string, value: string) => terminalEnvironment.set(variable, { op: 'prepend', value }),
    replace: (variable: string, value: string) => terminalEnvironment.set(variable, { op: 'replace', value }),
  };
  return {
    subscriptions: [] as Disposable[],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalStorageUri: Uri.file(globalStoragePath),
    environmentVariableCollection,
    workspaceState: memoryMemento(),
    globalState: memoryMemento(),
  };
}
