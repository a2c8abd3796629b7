// The status bar text, the progress and completion notifications, and the live log buffers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { initialConnectionState } from '../src/conductor/connection-state.js';
import { completionNotice, progressReport } from '../src/jobs/progress-model.js';
import { plainText as t } from '../src/l10n.js';
import { appendLog, emptyLog, logPath, parseLogPath, renderLog } from '../src/views/log-model.js';
import { connectionProblem, statusBarModel } from '../src/views/status-model.js';
import { summary } from './support/jobs.js';

describe('status bar', () => {
  const state = (patch: Partial<ReturnType<typeof initialConnectionState>>) => ({ ...initialConnectionState(), ...patch });

  test('says stopped, starting, running with the number of jobs, or error', () => {
    assert.equal(statusBarModel(state({ phase: 'stopped' }), 0, t).text, '$(debug-stop) Mozart: stopped');
    assert.equal(statusBarModel(state({ phase: 'starting' }), 0, t).text, '$(loading~spin) Mozart: starting');
    assert.equal(statusBarModel(state({ phase: 'running', conductor: { pid: 7, version: '0.1.0' } }), 0, t).text, '$(pulse) Mozart: idle');
    assert.equal(statusBarModel(state({ phase: 'running' }), 1, t).text, '$(play) Mozart: 1 job running');
    assert.equal(statusBarModel(state({ phase: 'running' }), 3, t).text, '$(play) Mozart: 3 jobs running');
    const error = statusBarModel(state({ phase: 'error', detail: 'The conductor stopped unexpectedly 3 times' }), 0, t);
    assert.equal(error.look, 'error');
    assert.match(error.tooltip, /stopped unexpectedly 3 times/);
    assert.equal(statusBarModel(state({ phase: 'lost' }), 0, t).look, 'warning');
  });

  test('says pausing from the moment a running job is asked to pause', () => {
    const running = state({ phase: 'running', conductor: { pid: 7, version: '0.1.0' } });
    const one = statusBarModel(running, 1, t, undefined, 1);
    assert.equal(one.text, '$(loading~spin) Mozart: 1 job pausing');
    assert.match(one.tooltip, /^Pausing: nothing new starts; a job asked to pause pauses once its running sheets end\. Conductor pid 7/);
    assert.equal(statusBarModel(running, 2, t, undefined, 2).text, '$(loading~spin) Mozart: 2 jobs pausing');
    assert.equal(statusBarModel(running, 3, t, undefined, 1).text, '$(play) Mozart: 3 jobs running, 1 pausing');
    // A stale count (the job just ended) never says more pausing than running.
    assert.equal(statusBarModel(running, 0, t, undefined, 1).text, '$(pulse) Mozart: idle');
    assert.equal(statusBarModel(running, 1, t, undefined, 0).text, '$(play) Mozart: 1 job running');
  });

  test('an unusable conductor is explained with the reason the connection knows', () => {
    assert.equal(connectionProblem(state({ phase: 'error', detail: 'crashed 3 times' }), t), 'The Mozart conductor is not available: crashed 3 times');
    assert.equal(connectionProblem(state({ phase: 'stopped' }), t), 'The Mozart conductor is not running.');
    assert.match(connectionProblem(state({ phase: 'lost' }), t), /was lost/);
  });

  test('names the conductor it is connected to', () => {
    assert.match(statusBarModel(state({ phase: 'running', conductor: { pid: 4242, version: '0.1.0' } }), 2, t).tooltip, /pid 4242, version 0\.1\.0/);
    // After an extension update the running conductor may be older: say so, interrupt nothing.
    const outdated = statusBarModel(state({ phase: 'running', conductor: { pid: 9, version: '0.1.0' } }), 1, t, '0.2.0');
    assert.equal(outdated.text, '$(play) Mozart: 1 job running');
    assert.match(outdated.tooltip, /version 0\.1\.0\. This extension bundles version 0\.2\.0; restart the conductor/);
    assert.doesNotMatch(statusBarModel(state({ phase: 'running', conductor: { pid: 9, version: '0.2.0' } }), 1, t, '0.2.0').tooltip, /bundles/);
  });
});

describe('job notifications', () => {
  test('progress counts finished sheets and shows the cost', () => {
    assert.deepEqual(progressReport(summary({ totalSheets: 4, completedSheets: 1, failedSheets: 1, costUsd: 0.5 }), t), { message: '1/4 sheets · 1 failed · $0.50', percent: 50 });
    assert.equal(progressReport(summary({ totalSheets: 0 }), t).percent, 0);
  });

  test('a running job has no completion notice; a settled one offers the next steps', () => {
    assert.equal(completionNotice(summary({ status: 'running' }), t), undefined);
    assert.deepEqual(completionNotice(summary({ status: 'completed', totalSheets: 3, costUsd: 0.1 }), t), { level: 'info', message: "Mozart job 'review' completed: 3 sheets ($0.10).", actions: ['openWorkspace', 'showLog'] });
    const failed = completionNotice(summary({ status: 'failed', error: { code: 'E201', message: 'sheet 2 failed' } }), t);
    assert.equal(failed?.level, 'error');
    assert.match(failed?.message ?? '', /failed — E201: sheet 2 failed/);
    assert.deepEqual(failed?.actions, ['diagnose', 'resume', 'showLog']);
    assert.deepEqual(completionNotice(summary({ status: 'paused' }), t)?.actions, ['resume', 'showLog']);
  });
});

describe('log documents', () => {
  test('a log URI path names its job and sheet, and round-trips unusual job names', () => {
    assert.equal(logPath({ jobId: 'review', sheet: 3 }), '/review/review-sheet-3.log', 'the tab title names the job');
    assert.equal(logPath({ jobId: 'review' }), '/review/review-job.log');
    assert.equal(parseLogPath('/review/other-sheet-3.log'), undefined, 'the file name and the folder name the same job');
    const odd = { jobId: 'a b/c%d', sheet: 12 };
    assert.deepEqual(parseLogPath(logPath(odd)), odd);
    assert.deepEqual(parseLogPath(logPath({ jobId: 'x' })), { jobId: 'x' });
    assert.equal(parseLogPath('/review/other.txt'), undefined);
    assert.equal(parseLogPath('/%E0%A4%A/%E0%A4%A-job.log'), undefined);
  });

  test('appending keeps the newest text, dropping whole old lines past the limit', () => {
    let buffer = emptyLog();
    for (let i = 1; i <= 10; i++) buffer = appendLog(buffer, `line ${i}\n`, 30);
    assert.ok(buffer.text.length <= 30);
    assert.ok(buffer.text.endsWith('line 10\n'));
    assert.ok(buffer.text.startsWith('line '), 'cut at a line boundary');
    assert.equal(buffer.dropped + buffer.text.length, Array.from({ length: 10 }, (_, i) => `line ${i + 1}\n`).join('').length);
    assert.match(renderLog(buffer, 'empty', (n) => `[${n} dropped]`), /^\[\d+ dropped\]\nline/);
  });

  test('an empty log shows its note', () => {
    assert.equal(renderLog(emptyLog(), '(no output yet)', () => ''), '(no output yet)');
  });
});
