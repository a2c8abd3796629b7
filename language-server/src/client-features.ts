// What the client said it can do, read once from `initialize`, so every answer uses only what was
// declared: snippets, markdown, item and diagnostic tags, code action literals, `documentChanges`
// and file creation, hierarchical symbols, kinds outside the protocol's first set. An editor that
// declares nothing (Neovim 0.7 declares little) gets plain, universally understood answers.
import type { ClientCapabilities, MarkupContent } from 'vscode-languageserver';

/** The client's declared capabilities, reduced to the decisions the server makes. */
export interface ClientFeatures {
  /** Completion may use snippet syntax (`$0`, `${1|a,b|}`) with `insertTextFormat: Snippet`. */
  snippets: boolean;
  /** How completion documentation may be sent: markdown, plain MarkupContent, or a bare string. */
  completionDocs: MarkupSupport;
  completionKinds: ReadonlySet<number>;
  /** Completion item tags the client knows (1 = deprecated). */
  completionTags: ReadonlySet<number>;
  completionDeprecated: boolean;
  hoverDocs: MarkupSupport;
  diagnosticVersion: boolean;
  relatedInformation: boolean;
  codeDescription: boolean;
  /** Diagnostic tags the client knows (1 = unnecessary, 2 = deprecated). */
  diagnosticTags: ReadonlySet<number>;
  /** Code actions may be CodeAction literals (else only Commands). */
  codeActionLiterals: boolean;
  isPreferred: boolean;
  /** Workspace edits may use `documentChanges` (else `changes`). */
  documentChanges: boolean;
  /** A workspace edit may create files (a `create` resource operation inside `documentChanges`). */
  createFiles: boolean;
  /** The server may ask the client to apply an edit (workspace/applyEdit). */
  applyEdit: boolean;
  hierarchicalSymbols: boolean;
  symbolKinds: ReadonlySet<number>;
  /** The client listed position encodings (LSP 3.17): the server must name the one it uses. */
  announcePositionEncoding: boolean;
  configuration: boolean;
  configurationDynamically: boolean;
  watchDynamically: boolean;
}

/** Markup a client takes: 'markdown', 'plaintext' (MarkupContent), or 'string' (it declared no format). */
export type MarkupSupport = 'markdown' | 'plaintext' | 'string';

/** Kinds every client knows when it sends no value set (the protocol's first 1–18, Text … Reference / File … Array). */
const BASE_KINDS: ReadonlySet<number> = new Set(Array.from({ length: 18 }, (_, i) => i + 1));

function markup(formats: readonly string[] | undefined): MarkupSupport {
  if (!formats) return 'string';
  if (formats.includes('markdown')) return 'markdown';
  return 'plaintext';
}

/** The features a client declared. */
export function clientFeatures(capabilities: ClientCapabilities): ClientFeatures {
  const text = capabilities.textDocument;
  const workspace = capabilities.workspace;
  const item = text?.completion?.completionItem;
  const diagnostics = text?.publishDiagnostics;
  const edits = workspace?.workspaceEdit;
  const documentChanges = edits?.documentChanges === true;
  return {
    snippets: item?.snippetSupport === true,
    completionDocs: markup(item?.documentationFormat),
    completionKinds: new Set(text?.completion?.completionItemKind?.valueSet ?? BASE_KINDS),
    completionTags: new Set(item?.tagSupport?.valueSet ?? []),
    completionDeprecated: item?.deprecatedSupport === true,
    hoverDocs: markup(text?.hover?.contentFormat),
    diagnosticVersion: diagnostics?.versionSupport === true,
    relatedInformation: diagnostics?.relatedInformation === true,
    codeDescription: diagnostics?.codeDescriptionSupport === true,
    diagnosticTags: new Set(diagnostics?.tagSupport?.valueSet ?? []),
    codeActionLiterals: text?.codeAction?.codeActionLiteralSupport !== undefined,
    isPreferred: text?.codeAction?.isPreferredSupport === true,
    documentChanges,
    // Resource operations live inside `documentChanges`; without it they cannot be sent at all.
    createFiles: documentChanges && (edits?.resourceOperations ?? []).includes('create'),
    applyEdit: workspace?.applyEdit === true,
    hierarchicalSymbols: text?.documentSymbol?.hierarchicalDocumentSymbolSupport === true,
    symbolKinds: new Set(text?.documentSymbol?.symbolKind?.valueSet ?? BASE_KINDS),
    announcePositionEncoding: Array.isArray(capabilities.general?.positionEncodings),
    configuration: workspace?.configuration === true,
    configurationDynamically: workspace?.didChangeConfiguration?.dynamicRegistration === true,
    watchDynamically: workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
  };
}

/** Before `initialize` (and for a client that declares nothing): the least the protocol guarantees. */
export const BASELINE_FEATURES: ClientFeatures = clientFeatures({});

/** The first kind of `wanted` the client knows (the last one is used when it knows none). */
export function knownKind<K extends number>(known: ReadonlySet<number>, ...wanted: K[]): K {
  return wanted.find((kind) => known.has(kind)) ?? (wanted[wanted.length - 1] as K);
}

/** Markdown as the client can take it: as is, as plain MarkupContent, or a bare string. */
export function documentation(markdown: string, support: MarkupSupport): MarkupContent | string {
  if (support === 'markdown') return { kind: 'markdown', value: markdown };
  const plain = plainText(markdown);
  return support === 'plaintext' ? { kind: 'plaintext', value: plain } : plain;
}

/** The markdown the server writes, readable as plain text: no emphasis marks or backticks, links as `text (url)`. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1 ($2)')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|\W)_([^_]+)_(?=\W|$)/g, '$1$2')
    .replace(/`([^`]*)`/g, '$1');
}
