// Packs the `mozart` CLI as an npm package of its own (mozart-ai-compose-cli-<version>.tgz), for
// `npm install -g` or `npx` without VS Code. The root package.json is the extension (private), so
// the CLI's manifest is cli/package/package.json, given the root's version here.
//
// The package holds production bundles built here (not dist/'s, which tests may be running):
// cli.js, and the files it runs from its own folder — conductor.js (`mozart start`), and the
// conductor's score-check-worker.js and cluster.js. They must need nothing at run time but Node:
// the build fails if a bundle imports any other module, save the few optional ones that are only
// required inside a try (listed below with where they come from).
//   node scripts/pack-cli.mjs [--out DIR]   (default dist/; prints the .tgz path last)
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOptions, entryPoints } from './build-options.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(ROOT, 'dist'));
const stage = join(out, 'cli-package');

/** Modules a bundle may name without shipping them: each is required lazily inside a try. */
const OPTIONAL = {
  chokidar: "nunjucks' template watching, which Mozart never turns on",
  fsevents: "chokidar's macOS watcher",
  pg: "BullMQ's PostgreSQL backend (cluster mode uses Redis)",
  '@valkey/valkey-glide': "BullMQ's Valkey GLIDE client (cluster mode uses ioredis)",
};
const BUNDLES = ['cli', 'conductor', 'score-check-worker', 'cluster'];

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const options = buildOptions(true);
const result = await esbuild.build({
  ...options,
  absWorkingDir: ROOT,
  entryPoints: Object.fromEntries(BUNDLES.map((name) => [name, entryPoints[name]])),
  outdir: stage,
});

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const problems = [];
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  for (const { path, external } of output.imports) {
    if (external && !builtins.has(path) && !(path in OPTIONAL)) problems.push(`${file} needs '${path}' at run time`);
  }
}
if (problems.length > 0) {
  console.error(`The CLI package would not be self-contained:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(ROOT, 'cli/package/package.json'), 'utf8'));
writeFileSync(join(stage, 'package.json'), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
copyFileSync(join(ROOT, 'cli/package/README.md'), join(stage, 'README.md'));
copyFileSync(join(ROOT, 'LICENSE'), join(stage, 'LICENSE'));
cpSync(join(ROOT, 'docs'), join(stage, 'docs'), { recursive: true });

const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: stage,
    encoding: 'utf8',
    env: { ...process.env, npm_config_ignore_scripts: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  }),
)[0];
console.log(`${packed.name}@${packed.version}: ${packed.entryCount} files, ${(packed.size / 1024 / 1024).toFixed(2)} MB packed, ${(packed.unpackedSize / 1024 / 1024).toFixed(2)} MB unpacked`);
console.log(join(out, packed.filename));
