// The launcher terminal-cli.ts writes for the integrated terminal: no `vscode` import, so it is
// tested under plain Node by running the launcher it produces.

/** The launcher's file name and text for this platform (pure, tested). */
export function cliLauncher(platform: NodeJS.Platform, execPath: string, cliScript: string): { name: string; text: string } {
  if (platform === 'win32') {
    return { name: 'mozart.cmd', text: `@echo off\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${execPath}" "${cliScript}" %*\r\n` };
  }
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return { name: 'mozart', text: `#!/bin/sh\n# Written by the Mozart AI Compose extension: runs its bundled CLI.\nELECTRON_RUN_AS_NODE=1 exec ${quote(execPath)} ${quote(cliScript)} "$@"\n` };
}
