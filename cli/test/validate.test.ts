// `mozart validate` as a user runs it: the bundled CLI in a child process, real files in a temp dir.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const CLI = resolve(__dirname, '../../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'mozart-validate-'));

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function score(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const VALID = `name: ok
backend:
  type: command
  command: cat > /dev/null
  timeout_seconds: 120
sheet:
  size: 2
  total_items: 5
prompt:
  template: "Sheet {{ sheet_num }} of {{ total_sheets }}"
`;

test('a valid score exits 0 and prints the sheet count and workspace', () => {
  const file = score('ok.yaml', VALID);
  const { code, stdout } = run('validate', file);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /is valid/);
  assert.match(stdout, /3 sheets on the command backend/);
  assert.match(stdout, new RegExp(`workspace: ${join(dir, 'workspace').replace(/[/\\]/g, '.')}`));
});

test('an invalid score exits 1 and lists each finding as file:line:col with its id', () => {
  score('bad.yaml', VALID.replace('prompt:\n  template: "Sheet {{ sheet_num }} of {{ total_sheets }}"', 'prompt:\n  template: |\n    Sheet {{ sheet_nmu }}\n  temlate_file: x.j2').replace('size: 2', 'size: two'));
  const { code, stdout } = run('validate', 'bad.yaml');
  assert.equal(code, 1, stdout);
  assert.match(stdout, /^bad\.yaml:\d+:\d+: error S002 sheet\.size must be an integer/m);
  assert.match(stdout, /^bad\.yaml:12:3: warning S001 Unknown key 'temlate_file'/m);
});

test('an unknown key is a warning with its did-you-mean, and the score stays valid (exit 0)', () => {
  score('unknown.yaml', VALID.replace('prompt:\n  template: "Sheet {{ sheet_num }} of {{ total_sheets }}"', 'prompt:\n  template: |\n    Sheet {{ sheet_nmu }}\n  temlate_file: x.j2'));
  const { code, stdout } = run('validate', 'unknown.yaml');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^unknown\.yaml:12:3: warning S001 Unknown key 'temlate_file' in prompt\. Did you mean 'template_file'\?/m);
  // The template finding points inside the block scalar, at the variable itself.
  assert.match(stdout, /^unknown\.yaml:11:14: warning V101 Undefined template variable 'sheet_nmu'/m);
  assert.match(stdout, /valid.*2 warnings/);
});

test('warnings alone still exit 0', () => {
  score('warn.yaml', VALID.replace('{{ total_sheets }}', '{{ total_sheet }}'));
  const { code, stdout } = run('validate', 'warn.yaml');
  assert.equal(code, 0, stdout);
  assert.match(stdout, /^warn\.yaml:10:\d+: warning V101 Undefined template variable 'total_sheet'.*Did you mean 'total_sheets'\?/m);
});

test('--json reports findings with 1-based positions and fixes', () => {
  score('warn2.yaml', VALID.replace('{{ total_sheets }}', '{{ total_sheet }}'));
  const { code, stdout } = run('validate', 'warn2.yaml', '--json');
  assert.equal(code, 0);
  const report = JSON.parse(stdout);
  assert.equal(report.valid, true);
  assert.equal(report.summary.sheets, 3);
  assert.deepEqual(report.findings.map((f: { id: string; line: number }) => [f.id, f.line]), [['V101', 10]]);
  assert.equal(report.findings[0].fixes[0].title, "Change to 'total_sheets'");
});

test('unparseable YAML exits 2 and still gives the position', () => {
  score('broken.yaml', 'name: x\nsheet: [1, 2\nprompt: {}\n');
  const { code, stdout } = run('validate', 'broken.yaml');
  assert.equal(code, 2);
  assert.match(stdout, /^broken\.yaml:\d+:\d+: error Y001 YAML syntax error/m);
});

test('a missing file exits 2 with a clear message', () => {
  const { code, stderr } = run('validate', 'nope.yaml');
  assert.equal(code, 2);
  assert.match(stderr, /cannot read nope\.yaml: no such file/);
});

test('bad usage exits 2 and points at --help', () => {
  const { code, stderr } = run('validate');
  assert.equal(code, 2);
  assert.match(stderr, /mozart --help/);
});

test('output stays bounded: a huge key prints a clipped message and excerpt, and one id prints at most 20 findings', () => {
  const typos = Array.from({ length: 300 }, (_, i) => `typo${i}: 1`).join('\n');
  const file = score('noisy.yaml', `${VALID}? ${'k'.repeat(1_000_000)}\n: 1\n${typos}\n`);
  const { code, stdout } = run('validate', file);
  assert.equal(code, 0, stdout.slice(0, 2000));
  assert.ok(stdout.length < 20_000, `printed ${stdout.length} characters`);
  assert.equal(stdout.match(/warning S001/g)?.length, 20);
  assert.match(stdout, /Unknown key 'k+… \(\d+ more characters\)/, 'the huge key is clipped');
  assert.match(stdout, /… and 281 more S001 findings \(--json lists every one\)/);
  assert.match(stdout, /is valid \(301 warnings\)/);
  const json = JSON.parse(run('validate', file, '--json').stdout) as { findings: unknown[] };
  assert.equal(json.findings.length, 301, '--json keeps every finding');
});

test('a long line is shown as an excerpt around the column, with the caret under it', () => {
  const file = score('long-line.yaml', `${VALID.replace('name: ok', `name: ok\ndescription: "${'x'.repeat(5000)}" ${'y'.repeat(3000)}`)}`);
  const { stdout } = run('validate', file);
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => /^\s+\d+ \| /.test(l));
  assert.ok(at >= 0, stdout.slice(0, 2000));
  const source = lines[at] as string;
  const caret = lines[at + 1] as string;
  assert.ok(source.length < 200, `excerpt of ${source.length} characters`);
  assert.match(source, /…/);
  assert.equal(source.indexOf('^') < 0 && caret.indexOf('^') > 0, true);
});
