// The worker thread behind ScoreChecks (score-checks.ts): checks one score file and posts the
// result back without its parsed source, which is the only part that cannot cross threads.
import { parentPort, workerData } from 'node:worker_threads';
import { checkScoreFile } from '../../../score/src/engine.js';

const { file } = workerData as { file: string };
const check = checkScoreFile(file);
if (check.result) {
  const { source: _source, ...rest } = check.result;
  parentPort?.postMessage({ result: rest });
} else {
  parentPort?.postMessage(check);
}
