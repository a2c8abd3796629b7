// Entry point of dist/language-server.js. VS Code starts it over IPC; any other editor can run
// `node dist/language-server.js --stdio`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { ScoreLanguageServer } from './server.js';

const TRANSPORTS = ['--stdio', '--node-ipc', '--socket=', '--pipe='];

if (!process.argv.some((arg) => TRANSPORTS.some((t) => arg === t || (t.endsWith('=') && arg.startsWith(t))))) {
  process.stderr.write('usage: mozart-language-server --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n');
  process.exitCode = 2;
} else {
  const connection = createConnection(ProposedFeatures.all);
  new ScoreLanguageServer(connection);
  connection.listen();
}
