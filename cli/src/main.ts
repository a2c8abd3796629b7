#!/usr/bin/env node
// The `mozart` command line. `validate` works offline; the job commands talk to the conductor.
import { parseArgs } from 'node:util';
import { validateCommand } from './commands/validate.js';
import { EXIT } from './output.js';

const USAGE = `Usage: mozart <command> [options]

Commands:
  validate <score> [--json]   Check a score for problems without running anything.

Options:
  -h, --help                  Show this help.
  --version                   Print the version.

Exit codes:
  0  success (validate: the score is valid; warnings allowed)
  1  the command found a problem (validate: at least one error)
  2  the command could not run (missing file, unparseable YAML, bad usage)
`;

declare const MOZART_VERSION: string | undefined;

/** Runs the CLI with the given arguments; returns the process exit code. */
export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? EXIT.unusable : EXIT.ok;
  }
  if (command === '--version') {
    process.stdout.write(`${typeof MOZART_VERSION === 'string' ? MOZART_VERSION : 'dev'}\n`);
    return EXIT.ok;
  }
  try {
    switch (command) {
      case 'validate': {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', short: 'j' }, help: { type: 'boolean', short: 'h' } } });
        if (values.help) {
          process.stdout.write('Usage: mozart validate <score.yaml> [--json]\n\nChecks a score and reports every finding as file:line:col. Exit 0 valid, 1 invalid, 2 cannot validate.\n');
          return EXIT.ok;
        }
        const score = positionals[0];
        if (!score || positionals.length > 1) return usageError('validate takes exactly one score file');
        return validateCommand({ score, json: values.json === true });
      }
      default:
        return usageError(`unknown command '${command}'`);
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return usageError((error as Error).message);
    throw error;
  }
}

function usageError(message: string): number {
  process.stderr.write(`mozart: ${message}\nRun 'mozart --help' for usage.\n`);
  return EXIT.unusable;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
