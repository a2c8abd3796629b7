// Which jobs `mozart clear` forgets, as a table: the choice is a pure function of the ids, the
// options, which jobs run, and each job's status (undefined: its checkpoint cannot be read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobStatus } from '../../../protocol/src/job-state.js';
import { clearable, JobError } from '../../src/daemon/manager-parts.js';

const statuses: Record<string, JobStatus | undefined> = {
  done: 'completed', broke: 'failed', stopped: 'cancelled', resting: 'paused', busy: 'running', unreadable: undefined,
};
const running = new Set(['busy']);
const choose = (options: { jobId?: string; statuses?: JobStatus[] }, ids = Object.keys(statuses)): string[] =>
  clearable(ids, options, (id) => running.has(id), (id) => statuses[id]);

const rows: { name: string; options: { jobId?: string; statuses?: JobStatus[] }; ids?: string[]; cleared: string[] }[] = [
  { name: 'default: finished jobs and unreadable ones', options: {}, cleared: ['done', 'broke', 'stopped', 'unreadable'] },
  { name: 'an empty status list means the default', options: { statuses: [] }, cleared: ['done', 'broke', 'stopped', 'unreadable'] },
  { name: 'only the statuses asked for (plus unreadable)', options: { statuses: ['failed'] }, cleared: ['broke', 'unreadable'] },
  { name: 'paused can be asked for; running never', options: { statuses: ['paused', 'running'] }, cleared: ['resting', 'unreadable'] },
  { name: 'a named job goes whatever its status', options: { jobId: 'resting' }, ids: ['resting'], cleared: ['resting'] },
];
for (const row of rows) {
  test(`clearable: ${row.name}`, () => assert.deepEqual(choose(row.options, row.ids), row.cleared));
}

test('clearable: a named running job is refused with what to do', () => {
  assert.throws(() => choose({ jobId: 'busy' }, ['busy']), (error: unknown) => error instanceof JobError && /cancel or pause it/.test(error.message));
});
