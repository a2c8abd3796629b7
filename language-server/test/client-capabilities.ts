// What real clients declare in `initialize`, for tests that drive the server as each of them would.
import type { ClientCapabilities } from 'vscode-languageserver-protocol';

const range = <K extends number>(n: number): K[] => Array.from({ length: n }, (_, i) => (i + 1) as K);

/** What VS Code declares (vscode-languageclient 9's computeClientCapabilities and features), the parts the server reads. */
export const VSCODE_CAPABILITIES: ClientCapabilities = {
  general: { positionEncodings: ['utf-16'] },
  workspace: {
    configuration: true,
    applyEdit: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'], failureHandling: 'textOnlyTransactional', normalizesLineEndings: true },
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true },
    executeCommand: { dynamicRegistration: true },
  },
  textDocument: {
    publishDiagnostics: { versionSupport: false, relatedInformation: true, codeDescriptionSupport: true, dataSupport: true, tagSupport: { valueSet: [1, 2] } },
    completion: {
      completionItem: {
        snippetSupport: true,
        commitCharactersSupport: true,
        documentationFormat: ['markdown', 'plaintext'],
        deprecatedSupport: true,
        preselectSupport: true,
        tagSupport: { valueSet: [1] },
        insertReplaceSupport: true,
        labelDetailsSupport: true,
      },
      completionItemKind: { valueSet: range(25) },
      contextSupport: true,
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports'] } },
      isPreferredSupport: true,
      disabledSupport: true,
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true, symbolKind: { valueSet: range(26) } },
    definition: { linkSupport: true },
  },
};

/**
 * What the test client declares: VS Code's, plus diagnostic versions — the tests match each
 * result to the edit it was computed for by its version (VS Code itself declares versionSupport false).
 */
export const TEST_CAPABILITIES: ClientCapabilities = {
  ...VSCODE_CAPABILITIES,
  textDocument: { ...VSCODE_CAPABILITIES.textDocument, publishDiagnostics: { ...VSCODE_CAPABILITIES.textDocument?.publishDiagnostics, versionSupport: true } },
};

/** What Neovim 0.7.2 (Debian 12) declares: vim.lsp.protocol.make_client_capabilities(), the parts the server reads. */
export const NEOVIM_07_CAPABILITIES: ClientCapabilities = {
  textDocument: {
    synchronization: { dynamicRegistration: false, willSave: false, willSaveWaitUntil: false, didSave: true },
    codeAction: {
      dynamicRegistration: false,
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports'] } },
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
    completion: {
      dynamicRegistration: false,
      completionItem: { snippetSupport: false, commitCharactersSupport: false, preselectSupport: false, deprecatedSupport: false, documentationFormat: ['markdown', 'plaintext'] },
      completionItemKind: { valueSet: range(25) },
      contextSupport: false,
    },
    definition: { linkSupport: true },
    hover: { dynamicRegistration: false, contentFormat: ['markdown', 'plaintext'] },
    documentSymbol: { dynamicRegistration: false, symbolKind: { valueSet: range(26) }, hierarchicalDocumentSymbolSupport: true },
    publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] } },
  },
  workspace: { workspaceFolders: true, applyEdit: true, workspaceEdit: { resourceOperations: ['rename', 'create', 'delete'] } },
  window: { workDoneProgress: true },
};
