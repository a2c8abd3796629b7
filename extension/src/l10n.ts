// User-facing text in modules that must run without VS Code: they take a `Translate` function.
// The extension passes `vscode.l10n.t`; tests and plain Node use `plainText`, which only fills in
// the `{0}`-style placeholders the same way.

/** Formats a message with `{n}` placeholders (the signature of `vscode.l10n.t`). */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** The untranslated message with its placeholders filled in. */
export const plainText: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? whole : String(value);
  });
