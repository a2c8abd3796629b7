// esbuild options shared by the build and the benchmark (which measures minified sizes).
import { readFileSync } from 'node:fs';

export const entryPoints = {
  extension: 'extension/src/extension.ts',
  'language-server': 'language-server/src/main.ts',
  conductor: 'conductor/src/daemon/main.ts',
  cli: 'cli/src/main.ts',
  // A big score is checked in a worker thread, so the conductor keeps serving (score-checks.ts).
  'score-check-worker': 'conductor/src/daemon/score-check-worker.ts',
  // Cluster mode (BullMQ, ioredis) in a bundle of its own, next to conductor.js: a conductor loads
  // it only when started with --cluster, so a single conductor never even parses it.
  cluster: 'conductor/src/cluster/start.ts',
  // `mozart mcp` (the MCP SDK) in a bundle of its own, next to cli.js: the CLI loads it only for
  // that command, so `mozart validate` and the rest never parse it.
  mcp: 'cli/src/mcp/server.ts',
};

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * msgpackr (BullMQ's job packing) tries `require('msgpackr-extract')`, a native addon that only
 * speeds up decoding, and falls back to plain JavaScript when it is missing. Nothing we bundle may
 * be a native addon, so the bundle gets an empty module in its place: the fallback always runs.
 */
const noNativeAddons = {
  name: 'no-native-addons',
  setup(build) {
    build.onResolve({ filter: /^msgpackr-extract$/ }, () => ({ path: 'msgpackr-extract', namespace: 'no-native-addon' }));
    build.onLoad({ filter: /.*/, namespace: 'no-native-addon' }, () => ({ contents: 'module.exports = undefined;', loader: 'js' }));
  },
};

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
    plugins: [noNativeAddons],
  };
}
