// The diagnose page: everything from the report escaped, a strict CSP bound to a nonce, no remote
// content, theme colours only, and buttons that can only ask for what the panel allows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { localDateTime } from '../../protocol/src/time-text.js';
import type { DiagnoseReport } from '../../protocol/src/methods.js';
import { diagnoseCsp, escapeHtml, parseDiagnoseMessage, renderDiagnoseBody, renderDiagnoseHtml } from '../src/views/diagnose-html.js';
import { plainText as t } from '../src/l10n.js';
import { summary } from './support/jobs.js';

const EVIL = `<img src=x onerror="alert(1)">&'"`;

function report(patch: Partial<DiagnoseReport> = {}): DiagnoseReport {
  return {
    job: summary({ status: 'failed', completedSheets: 1, failedSheets: 1, costUsd: 0.42, error: { code: 'E201', message: 'Sheet 2 failed its validations' } }),
    failingSheets: [
      {
        sheet: 2,
        status: 'failed',
        attempts: 3,
        lastError: { sheet: 2, code: 'E201', category: 'validation', message: 'expected file report.md is missing', attempt: 3, at: '2025-01-01T12:00:00Z', suggestion: 'Check the path the prompt asks the agent to write.' },
        validations: [
          { index: 0, type: 'file_exists', description: 'report written', stage: 1, status: 'failed', message: 'missing' },
          { index: 1, type: 'content_contains', description: 'has summary', stage: 2, status: 'not_run', message: '' },
        ],
        stdoutTail: 'wrote notes.md',
        stderrTail: 'warning: something',
      },
    ],
    errors: [
      { sheet: 2, code: 'E101', category: 'rate_limit', message: 'rate limited', attempt: 1, at: '2025-01-01T11:00:00Z' },
      { sheet: 2, code: 'E201', category: 'validation', message: 'expected file report.md is missing', attempt: 3, at: '2025-01-01T12:00:00Z', suggestion: 'Check the path.' },
    ],
    suggestions: ['mozart resume review'],
    files: [
      { label: 'Score', path: '/scores/review.yaml' },
      { label: 'Workspace', path: '/work/review-ws' },
    ],
    ...patch,
  };
}

const render = (r: DiagnoseReport, nonce = 'bm9uY2U=') => renderDiagnoseHtml(r, { nonce, cspSource: 'vscode-webview://abc', t });

describe('diagnose page', () => {
  test('escapes every character that could open markup or break out of an attribute', () => {
    assert.equal(escapeHtml(EVIL), '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&quot;');
    assert.equal(escapeHtml(undefined), '');
  });

  test('no value from the report reaches the page unescaped', () => {
    const evil = report({
      job: summary({ name: EVIL, jobId: EVIL, status: 'failed', error: { code: EVIL, message: EVIL } }),
      failingSheets: [{ sheet: 1, status: EVIL, attempts: 1, lastError: { sheet: 1, code: EVIL, category: EVIL, message: EVIL, attempt: 1, at: EVIL, suggestion: EVIL }, validations: [{ index: 0, type: EVIL, description: EVIL, stage: 1, status: EVIL, message: EVIL }], stdoutTail: EVIL, stderrTail: EVIL }],
      errors: [{ sheet: 1, code: EVIL, category: EVIL, message: EVIL, attempt: 1, at: EVIL, suggestion: EVIL }],
      suggestions: [EVIL],
      files: [{ label: EVIL, path: EVIL }],
    });
    const html = render(evil);
    assert.ok(!html.includes('<img'), 'no injected element');
    assert.ok(!html.includes('onerror="'), 'no injected attribute');
    assert.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'), 'the text is shown, escaped');
    // Scripts: exactly the page's own, carrying the nonce.
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.match(html, /<script nonce="bm9uY2U=">/);
  });

  test('has a strict CSP bound to the nonce, and loads nothing from anywhere', () => {
    const html = render(report(), 'abc123');
    const attribute = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(attribute, 'a CSP meta tag');
    // The browser decodes character references in attribute values.
    const csp = attribute.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    assert.equal(csp, diagnoseCsp('abc123', 'vscode-webview://abc'));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.match(csp, /style-src 'nonce-abc123'/);
    assert.ok(!/unsafe-inline|unsafe-eval|https?:/.test(csp));
    assert.ok(!/\b(src|href)=["']?https?:/i.test(html), 'no remote resources');
    assert.match(html, /<style nonce="abc123">/);
    assert.ok(!/#[0-9a-f]{3,6}\b/i.test(html.replace(/&#39;/g, '')), 'colours come from theme variables');
    assert.match(html, /var\(--vscode-foreground\)/);
  });

  test('shows the summary, failing sheets with validations, error history with codes and suggestions, next steps and files', () => {
    const html = render(report());
    assert.match(html, /review <span class="badge status-failed">failed<\/span>/);
    assert.match(html, /1 of 3 sheets done, 1 failed · cost \$0\.42/);
    assert.match(html, /<code>E201<\/code> — Sheet 2 failed its validations/);
    assert.match(html, /Sheet 2 <span class="badge status-failed">failed<\/span> <span class="meta">3 attempts/);
    assert.match(html, /<code>file_exists<\/code> report written<\/td><td><span class="fail"/);
    assert.match(html, /– not run/);
    assert.match(html, /<h4>What to do<\/h4><div>Check the path the prompt asks the agent to write\.<\/div>/);
    assert.match(html, /<code>E101<\/code><div class="meta">rate_limit<\/div>/);
    // Times are local wall-clock times with their zone, never the raw ISO string.
    assert.ok(html.includes(`<td>${localDateTime('2025-01-01T11:00:00Z')}</td>`), 'the error history shows local times');
    assert.doesNotMatch(html, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/);
    assert.match(html, /<pre>wrote notes\.md<\/pre>/);
    assert.match(html, /<li class="step"><div class="actions"><button data-action="command" data-command="mozart\.resumeJob">Resume<\/button><\/div><div class="cli">mozart resume review<\/div><\/li>/);
    assert.match(html, /data-action="openFile" data-index="1" title="\/work\/review-ws">Workspace</);
  });

  test('offers resuming from the failed sheet for a failed job, and no resume for a running one', () => {
    assert.match(render(report()), /data-action="resume">Resume from failed sheet</);
    assert.ok(!render(report({ job: summary({ status: 'running' }) })).includes('data-action="resume"'));
    assert.match(render(report({ job: summary({ status: 'paused' }) })), /data-action="resume">Resume</);
  });

  test('a live redraw sends the content the page shows, and the page puts it in place of the old', () => {
    const options = { nonce: 'n1', cspSource: 'vscode-webview://abc', t, now: Date.parse('2025-01-01T12:00:00Z') };
    const html = renderDiagnoseHtml(report(), options);
    const body = renderDiagnoseBody(report(), options);
    assert.ok(html.includes(`<main id="report">${body}</main>`), 'the page holds the content in the element the redraw replaces');
    assert.ok(!body.includes('<script') && !body.includes('<style'), 'the content carries no script or style of its own');
    // The page's script takes only a render message whose html is text, and only into that element.
    assert.match(html, /message\.type === 'render' && typeof message\.html === 'string'\) report\.innerHTML = message\.html/);
  });

  test('says so when there is nothing to show', () => {
    const html = render(report({ failingSheets: [], errors: [], suggestions: [], files: [] }));
    assert.match(html, /No sheet is failing\./);
    assert.match(html, /No errors recorded\./);
  });
});

describe('messages from the page', () => {
  test('only known messages are accepted, and a file only by an index the report has', () => {
    assert.deepEqual(parseDiagnoseMessage({ type: 'resume' }, 2), { type: 'resume' });
    assert.deepEqual(parseDiagnoseMessage({ type: 'openFile', index: 1 }, 2), { type: 'openFile', index: 1 });
    assert.equal(parseDiagnoseMessage({ type: 'openFile', index: 2 }, 2), undefined);
    assert.equal(parseDiagnoseMessage({ type: 'openFile', index: -1 }, 2), undefined);
    assert.equal(parseDiagnoseMessage({ type: 'openFile', path: '/etc/passwd' }, 2), undefined);
    assert.equal(parseDiagnoseMessage({ type: 'runCommand', command: 'rm -rf /' }, 2), undefined);
    assert.equal(parseDiagnoseMessage('resume', 2), undefined);
  });
});
