// Bundles the four entry points into dist/ with esbuild. Everything the extension ships runs on
// plain Node (or Electron with ELECTRON_RUN_AS_NODE), so every bundle is CommonJS for Node 20.
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

export const entryPoints = {
  extension: 'extension/src/extension.ts',
  'language-server': 'language-server/src/main.ts',
  conductor: 'conductor/src/daemon/main.ts',
  cli: 'cli/src/main.ts',
};

const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const result = await esbuild.build({
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
});

mkdirSync('dist', { recursive: true });
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));
