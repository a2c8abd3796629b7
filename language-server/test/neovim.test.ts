// A real second client: headless Neovim (Debian's 0.7) runs dist/language-server.js --stdio with
// its built-in LSP client (fixtures/neovim-client.lua) — diagnostics on a line with non-ASCII text,
// hover, a completion inserted the way Neovim inserts one, and two quick fixes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const SERVER = resolve(__dirname, '../../dist/language-server.js');
const CLIENT = resolve(__dirname, 'fixtures/neovim-client.lua');
/** Only so a hung Neovim fails the test instead of the run; the script's own waits are far shorter. */
const WATCHDOG_MS = 120_000;

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const version = nvim.status === 0 ? (/NVIM v(\S+)/.exec(nvim.stdout)?.[1] ?? 'unknown') : undefined;
const skip = version ? false : 'nvim is not installed (apt-get install neovim; scripts/setup-ui-tests.sh installs it)';

interface NeovimResult {
  error?: string;
  steps: string[];
  published: { uri: string; version?: number; diagnostics: { code: string; range: { start: { line: number; character: number } }; codeDescription?: unknown }[] };
  diagnostics: { lnum: number; col: number; code: string }[];
  server_capabilities: { codeActionProvider?: unknown; positionEncoding?: string };
  hover?: { contents: { kind: string; value: string } };
  first_offer?: string;
  completion_item: { label: string; insertTextFormat?: number; textEdit?: { newText: string } };
  completion_items: { label: string; text: string; insertTextFormat?: number }[];
  completed_lines: string[];
  actions: { title: string; edit?: { changes?: unknown; documentChanges?: unknown }; command?: unknown; isPreferred?: boolean }[];
  final_lines: string[];
  final_diagnostics: string[];
}

const TYPO_LINE = '    🎵 Sheet {{ sheet_nun }} of {{ total_sheets }}';
const SCORE = ['name: neovim', 'workspace: ./later/ws', 'backend:', '  type: command', '  command: cat', 'sheet:', '  size: 1', '  total_items: 2', 'prompt:', '  template: |', TYPO_LINE, ''].join('\n');

test(`Neovim ${version ?? ''} drives the server: diagnostics, UTF-16 positions, hover, plain completion, quick fixes`, { skip, timeout: WATCHDOG_MS }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-nvim-'));
  try {
    const score = join(dir, 'song.score.yaml');
    const resultFile = join(dir, 'result.json');
    writeFileSync(score, SCORE);
    const env = {
      ...process.env,
      MOZART_SCORE: score,
      MOZART_SERVER: SERVER,
      MOZART_NODE: process.execPath,
      MOZART_RESULT: resultFile,
      // Neovim's LSP log and state stay in the scratch folder.
      XDG_CACHE_HOME: join(dir, 'cache'),
      XDG_STATE_HOME: join(dir, 'state'),
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_CONFIG_HOME: join(dir, 'config'),
    };
    const child = spawn('nvim', ['--headless', '--clean', '-n', '-c', `luafile ${CLIENT}`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', done));
    assert.equal(code, 0, output);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as NeovimResult;
    assert.equal(result.error, undefined, `${result.error}\nsteps done: ${result.steps.join(', ')}\n${output}`);

    // Diagnostics: no version or documentation link (Neovim 0.7 declares neither), UTF-16 columns.
    assert.equal(result.published.version, undefined);
    assert.deepEqual(result.published.diagnostics.map((d) => d.code).sort(), ['V002', 'V101']);
    assert.ok(result.published.diagnostics.every((d) => d.codeDescription === undefined));
    const typo = result.published.diagnostics.find((d) => d.code === 'V101');
    assert.equal(typo?.range.start.character, TYPO_LINE.indexOf('sheet_nun'), 'UTF-16 code units (🎵 counts two)');
    const shown = result.diagnostics.find((d) => d.code === 'V101');
    assert.equal(shown?.col, Buffer.byteLength(TYPO_LINE.slice(0, TYPO_LINE.indexOf('sheet_nun'))), 'Neovim placed it at the right byte');
    assert.equal(result.server_capabilities.positionEncoding, undefined, 'Neovim 0.7 listed no encodings, so none is named');

    // Hover: markdown, which Neovim 0.7 declares.
    assert.equal(result.hover?.contents.kind, 'markdown');
    assert.match(result.hover?.contents.value ?? '', /total_items/);

    // Completion: plain text on one line, inserted without a NUL byte or snippet markers.
    assert.ok(result.completion_items.length > 10, JSON.stringify(result.completion_items));
    for (const item of result.completion_items) {
      assert.doesNotMatch(item.text, /<NUL>|<NL>|\$\{|\$\d/, `${item.label}: ${item.text}`);
      assert.equal(item.insertTextFormat, undefined, item.label);
    }
    for (const line of result.completed_lines) assert.doesNotMatch(line, /<NUL>|\$\{|\$\d/);
    assert.deepEqual(result.completed_lines, ['retry:']);
    assert.equal(result.completion_item.insertTextFormat, undefined);
    assert.notEqual(result.first_offer, undefined);
    assert.ok(!['learning', 'grounding', 'bridge', 'ai_review', 'feedback', 'conductor', 'state_backend'].includes(result.first_offer ?? ''), `first offer ${result.first_offer} is a key this version ignores`);

    // Quick fixes: the rename as `changes` (no documentChanges declared); the folder through the server.
    const [rename, folder] = result.actions;
    assert.match(rename?.title ?? '', /Change to 'sheet_num'/);
    assert.ok(rename?.edit?.changes && !rename.edit.documentChanges, JSON.stringify(rename));
    assert.equal(rename?.isPreferred, undefined);
    assert.match(folder?.title ?? '', /Create folder/);
    assert.ok(existsSync(join(dir, 'later')), 'the folder exists');
    assert.equal(result.final_lines.join('\n'), SCORE.replace('sheet_nun', 'sheet_num').replace(/\n$/, ''));
    assert.deepEqual(result.final_diagnostics, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
