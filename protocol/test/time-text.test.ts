// Times as people read them, in the reader's zone: checked under two zones in child processes,
// since a process's zone is fixed when it starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const PROBE = `
const { localDateTime, localTimeShort } = require('./protocol/src/time-text.ts');
const at = '2026-12-04T17:45:12.345Z';
process.stdout.write(JSON.stringify([localDateTime(at), localTimeShort(at, new Date('2026-12-04T18:00:00Z')), localTimeShort(at, new Date('2026-12-09T12:00:00Z')), localDateTime('not a time')]));
`;

function inZone(tz: string): string[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', PROBE], { encoding: 'utf8', env: { ...process.env, TZ: tz } });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

test('local date and time with the zone, only the time on the same day, bad input kept', () => {
  assert.deepEqual(inZone('UTC'), ['2026-12-04 17:45:12 UTC', '17:45:12', '2026-12-04 17:45:12 UTC', 'not a time']);
  assert.deepEqual(inZone('Asia/Kolkata'), ['2026-12-04 23:15:12 UTC+05:30', '23:15:12', '2026-12-04 23:15:12 UTC+05:30', 'not a time']);
  assert.deepEqual(inZone('America/New_York'), ['2026-12-04 12:45:12 UTC-05:00', '12:45:12', '2026-12-04 12:45:12 UTC-05:00', 'not a time']);
});
