// Bundles the four entry points into dist/ with esbuild. Everything the extension ships runs on
// plain Node (or Electron with ELECTRON_RUN_AS_NODE), so every bundle is CommonJS for Node 20.
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildOptions } from './build-options.mjs';

const result = await esbuild.build(buildOptions(process.argv.includes('--production')));
mkdirSync('dist', { recursive: true });
writeFileSync('dist/meta.json', JSON.stringify(result.metafile));
