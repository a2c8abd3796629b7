// Placeholder until the language-server issue lands.
process.stderr.write('mozart language server: not implemented in this build\n');
process.exitCode = 1;
