// Placeholder until the conductor issue lands.
process.stderr.write('mozart conductor: not implemented in this build\n');
process.exitCode = 1;
