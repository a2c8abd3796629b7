// `mozart --help`, each command's `--help`, docs/cli.md and its table of the original's spellings
// describe the same command line: none can drift from the others or from what the CLI accepts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../protocol/src/client.js';
import { COMMAND_OPTIONS, COMMANDS } from '../src/args.js';
import { LEARNING_COMMANDS } from '../src/commands/learning.js';

const CLI = resolve(__dirname, '../../dist/cli.js');
const SCORE = resolve(__dirname, '../../examples/hello-world.yaml');
const docs = readFileSync(resolve(__dirname, '../../docs/cli.md'), 'utf8');
const original = JSON.parse(readFileSync(resolve(__dirname, 'fixtures/original-cli.json'), 'utf8')) as { global: string[]; commands: Record<string, string[]> };

// A socket path over the OS limit: conductor commands fail before touching any conductor (start
// included), so each command reaches its own code and fails there.
const SOCKET = `/tmp/${'x'.repeat(200)}.sock`;
const mozart = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, MOZART_HOME: '/nonexistent-mozart-home', NO_COLOR: '1' } });
const help = mozart('--help').stdout;
const commands = [...help.matchAll(/^ {2}([a-z][a-z-]+)(?=[ <[]|$)/gm)].map((m) => m[1] as string).filter((c) => c !== 'success');
const helpCache = new Map<string, string>();
const commandHelp = (command: string): string => {
  if (!helpCache.has(command)) helpCache.set(command, mozart(...command.split(' '), '--help').stdout);
  return helpCache.get(command) as string;
};

/** A spelling in the table: command words (none for a global option), options as [long, short?] pairs. */
interface Spelling {
  command: string;
  options: { long: string; short?: string; value: boolean }[];
}
function parseSpelling(span: string): Spelling {
  const words = span.split(' ');
  const commandWords: string[] = [];
  for (const word of words) {
    if (!/^[a-z][a-z-]*$/.test(word)) break;
    commandWords.push(word);
  }
  const options = [...span.matchAll(/(--[a-z][a-z-]*)(?:, (-[A-Za-z]))?(?: ([A-Z<[a-z][^ ,]*)(?= |$))?/g)].map((m) => ({ long: m[1] as string, ...(m[2] ? { short: m[2] } : {}), value: m[3] !== undefined && /^[A-Z<]|redis|^\[/.test(m[3]) }));
  return { command: commandWords.join(' '), options };
}

interface Row {
  line: string;
  original?: Spelling;
  ours?: Spelling;
  kind: string;
}
const section = docs.slice(docs.indexOf("## The original's command line → ours"));
const table = section.slice(0, section.indexOf('\n## ', 10));
const rows: Row[] = table
  .split('\n')
  .filter((l) => /^\| (`|—)/.test(l))
  .map((line) => {
    const cells = line.split(' | ');
    const span = (cell: string) => /^\|? ?`([^`]+)`$/.exec(cell.trim())?.[1];
    const o = span(cells[0] as string);
    const ours = span(cells[1] as string);
    return { line, ...(o ? { original: parseSpelling(o) } : {}), ...(ours ? { ours: parseSpelling(ours) } : {}), kind: (cells[2] ?? '').replace(/\|$/, '').trim() };
  });

test('the table covers every command and option of the original, long and short, and invents none', () => {
  assert.ok(rows.length > 150, `parsed ${rows.length} rows`);
  const covered = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!row.original) continue;
    const set = covered.get(row.original.command) ?? new Set<string>();
    for (const o of row.original.options) {
      set.add(o.long);
      if (o.short) set.add(o.short);
    }
    covered.set(row.original.command, set);
  }
  const expected: Record<string, string[]> = { '': original.global, ...original.commands };
  for (const [command, options] of Object.entries(expected)) {
    assert.ok(covered.has(command), `no row for the original's '${command}'`);
    for (const option of options) assert.ok(covered.get(command)?.has(option), `no row for the original's '${command} ${option}'`);
  }
  for (const [command, options] of covered) {
    assert.ok(Object.hasOwn(expected, command), `the table names '${command}', which the original does not have`);
    for (const option of options) assert.ok(expected[command]?.includes(option), `the table names '${command} ${option}', which the original does not have`);
  }
});

test('every row says how the original maps to ours, and a row with no spelling of ours is refused', () => {
  for (const row of rows) {
    assert.match(row.kind, /^(same|renamed|no effect|refused|new)\b/, row.line);
    if (!row.ours) assert.match(row.kind, /^refused/, row.line);
    if (!row.original) assert.match(row.kind, /^new/, row.line);
    if (row.ours && row.original && /^same/.test(row.kind)) assert.equal(row.ours.command, row.original.command, row.line);
  }
});

test("every spelling of ours in the table is in --help: the command in 'mozart --help', each option on one line of 'mozart <command> --help'", () => {
  for (const row of rows) {
    if (!row.ours) continue;
    const { command, options } = row.ours;
    // A sub-command (`config show`) is listed under its command.
    if (command) assert.ok(commands.includes(command) || commands.includes(command.split(' ')[0] as string), `'mozart --help' does not list '${command}' (${row.line})`);
    const text = command ? commandHelp(command) : help;
    for (const { long, short } of options) {
      const line = text.split('\n').find((l) => new RegExp(`(^|[\\s,·])${long}(?![\\w-])`).test(l) && (!short || new RegExp(`(^|[\\s,·])${short}(?![\\w-])`).test(l)));
      assert.ok(line, `'mozart ${command} --help' has no line with ${long}${short ? ` and ${short}` : ''} (${row.line})`);
      if (/^no effect/.test(row.kind)) assert.match(line, /no effect/i, `its help says ${long} has no effect: ${line}`);
    }
  }
});

test('every command of mozart --help is in the table, and docs/cli.md documents each of them', () => {
  assert.ok(commands.length >= 30, `found ${commands.join(', ')}`);
  const ours = new Set(rows.map((r) => r.ours?.command));
  for (const command of commands) {
    assert.ok(ours.has(command), `docs/cli.md's table has no row for '${command}'`);
    assert.match(docs, new RegExp(`### \`mozart ${command}\\b|· \`mozart ${command}\\b`), `docs/cli.md has no section for ${command}`);
  }
});

test("each command's --help describes every option its parser accepts", () => {
  for (const [command, options] of Object.entries(COMMAND_OPTIONS)) {
    const text = commandHelp(command);
    assert.doesNotMatch(text, /\(undocumented\)/, `${command}: ${text}`);
    for (const name of Object.keys(options)) {
      const shown = name === 'verbose-errors' ? 'verbose' : name === 'log-level-conductor' ? 'log-level' : name;
      assert.match(text, new RegExp(`--${shown}\\b`), `${command} --help lacks --${shown}`);
    }
  }
});

/** The arguments a command needs to reach its options: a score, a job name, or nothing. */
function argvFor(spelling: Spelling, option?: Spelling['options'][number]): string[] {
  const command = spelling.command || 'list';
  const positional = command === 'run' || command === 'validate' ? [SCORE] : ['status', 'resume', 'pause', 'modify', 'logs', 'errors', 'diagnose', 'history', 'recover'].includes(command) ? ['job-x'] : [];
  const opt = option ? [option.long, ...(option.value ? ['5'] : [])] : [];
  return [...command.split(' '), ...positional, ...opt, '--socket', SOCKET];
}

test('each "no effect" row says so on stderr when given (before any conductor is asked)', () => {
  let checked = 0;
  for (const row of rows.filter((r) => /^no effect/.test(r.kind))) {
    for (const option of (row.ours as Spelling).options) {
      const r = mozart(...argvFor(row.ours as Spelling, option));
      assert.match(r.stderr, /has no effect/, `${argvFor(row.ours as Spelling, option).slice(0, -2).join(' ')}: ${r.stderr}`);
      checked++;
    }
  }
  assert.ok(checked >= 10, `checked ${checked}`);
});

test('each "refused" row exits 2 with a message saying what to use instead', () => {
  const refused = rows.filter((r) => /^refused/.test(r.kind));
  assert.ok(refused.length >= 5, `${refused.length} refused rows`);
  for (const row of refused) {
    const spelling = row.original as Spelling;
    const args = [...spelling.command.split(' '), ...spelling.options.flatMap((o) => [o.long, ...(o.value ? ['5'] : [])])];
    const r = mozart(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /unknown|Unknown option/, args.join(' '));
    assert.match(r.stderr, /VS Code extension's Mozart view/, args.join(' '));
  }
});

test('every listed command is known to the CLI (none falls through to "unknown command")', () => {
  const run = (command: string) => mozart(command, '--socket', SOCKET);
  assert.match(run('no-such-command').stderr, /unknown command 'no-such-command'/, 'the check can tell');
  for (const command of commands) {
    const r = run(command);
    assert.doesNotMatch(r.stderr, /unknown command/, command);
    assert.notEqual(r.status, 0, `${command} without its arguments or conductor fails: ${r.stdout}`);
  }
});

test("mozart --help lists every command the CLI has, names only commands that exist, and offers all but dashboard", () => {
  const known = new Set([...COMMANDS, ...Object.keys(LEARNING_COMMANDS)]);
  for (const command of commands) assert.ok(known.has(command), `'mozart --help' lists '${command}', which the CLI does not have`);
  // Every `mozart X` the help mentions in its text is a command too.
  for (const [, word] of help.matchAll(/'mozart ([a-z][a-z-]*)/g)) assert.ok(known.has(word as string), `'mozart --help' mentions 'mozart ${word}'`);
  const notOffered = /^Not offered[^\n]*(?:\n(?!\n)[^\n]*)*/m.exec(help)?.[0] ?? '';
  assert.match(notOffered, /dashboard/, 'the check can tell');
  const named = [...known].filter((c) => new RegExp(`(^|[\\s(:,])${c}(?=[\\s),.]|$)`).test(notOffered.replace(/docs\/cli\.md.*/s, '')));
  assert.deepEqual(named, ['dashboard'], `the "Not offered" paragraph: ${notOffered}`);
  assert.deepEqual([...known].filter((c) => c !== 'dashboard' && !commands.includes(c)), [], 'every command but dashboard has its line in the usage');
});

test('the environment variables: --help lists MOZART_REQUEST_TIMEOUT with its real default, and docs/cli.md names each one', () => {
  const environment = help.slice(help.indexOf('\nEnvironment:'), help.indexOf('\nExit codes:'));
  assert.ok(environment.length > 20, 'mozart --help has an Environment part');
  const timeout = environment.split('\n').find((l) => l.includes('MOZART_REQUEST_TIMEOUT'));
  assert.ok(timeout, environment);
  assert.match(timeout, new RegExp(`[Ss]econds.*default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000}\\)`));
  const named = [...environment.matchAll(/\b(MOZART_[A-Z_]+|NO_COLOR)\b/g)].map((m) => m[1] as string);
  assert.ok(named.length >= 5, named.join(', '));
  for (const name of named) assert.match(docs, new RegExp(`\\b${name}\\b`), `docs/cli.md does not mention ${name}`);
  // And what --help says about the resume spellings is what the parser takes: -r is a flag.
  assert.doesNotMatch(help, /--reload-config FILE/);
});
