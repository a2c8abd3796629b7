// The diagnose panel's step buttons: every CLI command a next step names becomes a button for the
// matching extension command; the page can ask only for allowed commands, and only ever on the
// panel's own job.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnoseReport } from '../../protocol/src/methods.js';
import { newSheet } from '../../protocol/src/job-state.js';
import type { JobState } from '../../protocol/src/job-state.js';
import { diagnose } from '../../conductor/src/daemon/reports.js';
import { parseDiagnoseMessage, renderDiagnoseHtml } from '../src/views/diagnose-html.js';
import { STEP_COMMANDS, parseStepMessage, stepActions, stepInvocation, stepLabel } from '../src/views/diagnose-steps.js';
import { plainText as t } from '../src/l10n.js';
import { summary } from './support/jobs.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = (): { contributes?: { commands?: { command: string }[] } } => JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));

const commands = (text: string, sheet?: number) => stepActions(text, sheet).map((a) => (a.sheet === undefined ? a.command : `${a.command}#${a.sheet}`));

describe('steps name CLI commands; each becomes the extension command doing the same', () => {
  test('one table row per CLI command the conductor writes', () => {
    const rows: [string, string[]][] = [
      ["When fixed: 'mozart resume review' continues from the failed sheet.", ['mozart.resumeJob']],
      ["'mozart resume review --self-healing' creates it and retries.", ['mozart.resumeWithHealing']],
      ['mozart resume review -H', ['mozart.resumeWithHealing']],
      ["fix the score, then 'mozart recover review' re-checks failed sheets", ['mozart.recoverJob']],
      ["'mozart modify review -c SCORE --resume' continues it with a changed score.", ['mozart.modifyJob']],
      ["'mozart cancel review' stops it for good.", ['mozart.cancelJob']],
      ["'mozart pause review' pauses it.", ['mozart.pauseJob']],
      ["To start over: 'mozart run /s/my score.yaml --fresh' discards the checkpoint.", ['mozart.rerunJob']],
      ["'mozart logs review --sheet 2' shows sheet 2's full agent output.", ['mozart.showSheetLog#2']],
      ["'mozart logs review' shows the event log.", ['mozart.showJobLog']],
      ["It is running: 'mozart status review --watch' follows it.", ['mozart.showJobLog']],
      ['Fix it (mozart validate), then resume.', ['mozart.validate']],
      ["'mozart resume a' continues it; 'mozart modify a -c SCORE --resume' continues it with a changed score.", ['mozart.resumeJob', 'mozart.modifyJob']],
      ["'mozart resume a' or 'mozart resume a' again", ['mozart.resumeJob']],
    ];
    for (const [text, expected] of rows) assert.deepEqual(commands(text), expected, text);
  });

  test('a plain run, a status without --watch, and words without a command give no button', () => {
    assert.deepEqual(commands("'mozart run score.yaml' submits it."), []);
    assert.deepEqual(commands("'mozart status review' shows it."), []);
    assert.deepEqual(commands('Raise the timeout or split the work.'), []);
    assert.deepEqual(commands('resume when ready (mozartresume is not a command)'), []);
  });

  test("a sheet's hint that points at its log or the workspace gets those buttons", () => {
    assert.deepEqual(commands('Compare the pattern with what the agent wrote (see the sheet log).', 3), ['mozart.showSheetLog#3']);
    assert.deepEqual(commands('Run the command by hand in the workspace to see why.', 3), ['mozart.openWorkspace']);
    // Without a sheet there is no sheet log to open.
    assert.deepEqual(commands('see the sheet log'), []);
  });

  test('every step the conductor writes for a failed, paused or running job names a command with a button', () => {
    const base: JobState = {
      version: 1,
      jobId: 'review',
      name: 'review',
      scoreFile: '/s/review.yaml',
      workspace: '/s/ws',
      status: 'failed',
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:09Z',
      totalSheets: 2,
      sheets: {
        '1': { ...newSheet(), status: 'completed' },
        '2': { ...newSheet(), status: 'failed', attempts: 1, errors: [{ code: 'E001', category: 'timeout', message: 'too slow', attempt: 1, at: '2026-01-01T00:00:05Z' }] },
      },
      costUsd: 0,
    };
    const failed = diagnose(base).suggestions;
    const offered = new Set(failed.flatMap((s) => stepActions(s).map((a) => a.command)));
    for (const c of ['mozart.resumeJob', 'mozart.resumeWithHealing', 'mozart.recoverJob', 'mozart.rerunJob', 'mozart.showSheetLog'] as const) assert.ok(offered.has(c), `${c} offered for ${failed.join(' | ')}`);
    for (const status of ['failed', 'paused', 'running', 'cancelled'] as const) {
      for (const step of diagnose({ ...base, status }).suggestions.filter((s) => s.includes('mozart '))) {
        assert.ok(stepActions(step).length > 0, `a ${status} job's step '${step}' has a button`);
      }
    }
    const paused = new Set(diagnose({ ...base, status: 'paused' }).suggestions.flatMap((s) => stepActions(s).map((a) => a.command)));
    assert.deepEqual([...paused].sort(), ['mozart.cancelJob', 'mozart.modifyJob', 'mozart.resumeJob']);
  });

  test('every command a button can run is contributed by the extension, and has a label', () => {
    const contributed = new Set(manifest().contributes?.commands?.map((c) => c.command));
    for (const c of STEP_COMMANDS) {
      assert.ok(contributed.has(c), `${c} is contributed`);
      assert.ok(stepLabel({ command: c, sheet: 2 }, t).length > 0);
    }
    assert.equal(stepLabel({ command: 'mozart.showSheetLog', sheet: 2 }, t), 'Show Sheet 2 Log');
  });
});

describe('messages from a step button', () => {
  const report = (patch: Partial<DiagnoseReport['job']> = {}): DiagnoseReport => ({
    job: summary({ jobId: 'review', status: 'failed', totalSheets: 3, scoreFile: '/scores/review.yaml', ...patch }),
    failingSheets: [],
    errors: [],
    suggestions: [],
    files: [],
  });

  test('only allow-listed command ids are accepted, and a sheet only one the job has', () => {
    assert.deepEqual(parseStepMessage({ type: 'command', command: 'mozart.resumeJob' }, 3), { type: 'command', command: 'mozart.resumeJob' });
    assert.deepEqual(parseStepMessage({ type: 'command', command: 'mozart.showSheetLog', sheet: 3 }, 3), { type: 'command', command: 'mozart.showSheetLog', sheet: 3 });
    for (const bad of [
      { type: 'command', command: 'workbench.action.terminal.sendSequence' },
      { type: 'command', command: 'mozart.stopConductor' },
      { type: 'command', command: 'mozart.removeJob' },
      { type: 'command', command: 'mozart.resumeJob ' },
      { type: 'command' },
      { type: 'command', command: 'mozart.showSheetLog' },
      { type: 'command', command: 'mozart.showSheetLog', sheet: 4 },
      { type: 'command', command: 'mozart.showSheetLog', sheet: 0 },
      { type: 'command', command: 'mozart.showSheetLog', sheet: 1.5 },
      { type: 'command', command: 'mozart.showSheetLog', sheet: '2' },
      'mozart.resumeJob',
      null,
    ]) {
      assert.equal(parseStepMessage(bad, 3), undefined, JSON.stringify(bad));
      assert.equal(parseDiagnoseMessage(bad, 0, 3), undefined, JSON.stringify(bad));
    }
    // Through the page's parser too, with the job's sheet count.
    assert.deepEqual(parseDiagnoseMessage({ type: 'command', command: 'mozart.cancelJob', jobId: 'someone-else' }, 0, 3), { type: 'command', command: 'mozart.cancelJob' });
  });

  test("the command always runs on the panel's job (or its score), whatever else the page sent", () => {
    const r = report();
    assert.deepEqual(stepInvocation({ type: 'command', command: 'mozart.resumeJob' }, r), { command: 'mozart.resumeJob', argument: { kind: 'job', jobId: 'review' } });
    assert.deepEqual(stepInvocation({ type: 'command', command: 'mozart.showSheetLog', sheet: 2 }, r), { command: 'mozart.showSheetLog', argument: { kind: 'sheet', jobId: 'review', sheet: 2 } });
    assert.deepEqual(stepInvocation({ type: 'command', command: 'mozart.validate' }, r), { command: 'mozart.validate', argument: { kind: 'score', scoreFile: '/scores/review.yaml' } });
    const parsed = parseDiagnoseMessage({ type: 'command', command: 'mozart.cancelJob', jobId: 'other' }, 0, 3);
    assert.ok(parsed && parsed.type === 'command');
    assert.deepEqual(stepInvocation(parsed, r)?.argument, { kind: 'job', jobId: 'review' });
    // No score known: nothing to validate.
    assert.equal(stepInvocation({ type: 'command', command: 'mozart.validate' }, report({ scoreFile: undefined })), undefined);
  });
});

describe('the page', () => {
  const page = (patch: Partial<DiagnoseReport> = {}) =>
    renderDiagnoseHtml(
      {
        job: summary({ jobId: 'review', status: 'failed', totalSheets: 3 }),
        failingSheets: [
          {
            sheet: 2,
            status: 'failed',
            attempts: 1,
            lastError: { sheet: 2, code: 'E202', category: 'validation', message: 'no match', attempt: 1, at: '2025-01-01T12:00:00Z', suggestion: 'Compare the pattern with what the agent wrote (see the sheet log).' },
            validations: [],
          },
        ],
        errors: [],
        suggestions: ["When fixed: 'mozart resume review' continues from the failed sheet.", "'mozart logs review --sheet 2' shows sheet 2's full agent output.", 'Nothing to run here.'],
        files: [],
        ...patch,
      },
      { nonce: 'bm9uY2U=', cspSource: 'vscode-webview://abc', t },
    );

  test('each step with a CLI command has its button, and keeps the CLI text as secondary text', () => {
    const html = page();
    assert.match(html, /<li class="step"><div class="actions"><button data-action="command" data-command="mozart\.resumeJob">Resume<\/button><\/div><div class="cli">When fixed: &#39;mozart resume review&#39; continues from the failed sheet\.<\/div><\/li>/);
    assert.match(html, /<button data-action="command" data-command="mozart\.showSheetLog" data-sheet="2">Show Sheet 2 Log<\/button><\/div><div class="cli">&#39;mozart logs review --sheet 2&#39;/);
    assert.match(html, /<li class="step">Nothing to run here\.<\/li>/);
    // The page's script posts the command and sheet it finds on the button.
    assert.match(html, /vscode\.postMessage\(\{ type: 'command', command: button\.getAttribute\('data-command'\)/);
  });

  test('"What to do" is a plain heading, not link-styled, with buttons for what the hint names', () => {
    const html = page();
    assert.match(html, /<div class="what-to-do"><h4>What to do<\/h4><div>Compare the pattern with what the agent wrote \(see the sheet log\)\.<\/div><div class="actions"><button data-action="command" data-command="mozart\.showSheetLog" data-sheet="2">/);
    assert.ok(!html.includes('textLink'), 'nothing on the page takes the link colour');
    assert.ok(!/<a\b/.test(html), 'no anchors');
    assert.ok(!html.includes('What to do:'), 'no "What to do:" run into the text');
  });

  test('a step cannot smuggle markup in through its text or a sheet number', () => {
    const evil = `<img src=x onerror="alert(1)"> 'mozart logs x --sheet 2"><script>' and 'mozart resume x'`;
    const html = page({ suggestions: [evil] });
    assert.ok(!html.includes('<img'));
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.match(html, /data-command="mozart\.resumeJob"/);
  });
});
