// Placeholder until the extension issue lands: the manifest needs an entry point that loads.
export function activate(): void {}

export function deactivate(): void {}
