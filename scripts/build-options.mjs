// esbuild options shared by the build and the benchmark (which measures minified sizes).
import { readFileSync } from 'node:fs';

export const entryPoints = {
  extension: 'extension/src/extension.ts',
  'language-server': 'language-server/src/main.ts',
  conductor: 'conductor/src/daemon/main.ts',
  cli: 'cli/src/main.ts',
};

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Options for one build; `production` minifies and drops source maps (what the .vsix ships). */
export function buildOptions(production) {
  return {
    entryPoints,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: production ? false : 'linked',
    minify: production,
    metafile: true,
    logLevel: 'warning',
    define: { MOZART_VERSION: JSON.stringify(version) },
    // `vscode` is provided by the extension host; chokidar/fsevents are optional nunjucks watchers we never use.
    external: ['vscode', 'chokidar', 'fsevents'],
  };
}
