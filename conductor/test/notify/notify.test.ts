// Notification channels against real servers: a local HTTP server receives webhook and Slack posts,
// a local SMTP server receives mail, a script on PATH plays notify-send. A channel that fails or
// hangs never holds up the job that feeds it.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { channelsFor } from '../../src/notify/create.js';
import type { NotificationConfig } from '../../src/notify/create.js';
import { findOsNotifier } from '../../src/notify/desktop.js';
import { noticeFor } from '../../src/notify/from-events.js';
import { JobNotifier } from '../../src/notify/job-notifier.js';
import { redactUrl } from '../../src/notify/redact.js';
import type { Notice } from '../../src/notify/types.js';
import { hang, json, startServer } from '../backends/http-server.js';
import { startSmtpServer } from '../support/smtp-server.js';
import { prepareJob, scoreDir } from '../support/job.js';

const notice = (over: Partial<Notice> = {}): Notice => ({ event: 'job_failed', jobId: 'j1', jobName: 'nightly', at: '2026-01-02T03:04:05.000Z', code: 'E201', error: 'file missing', ...over });
const channel = (type: NotificationConfig['type'], config: Record<string, unknown>, on_events: NotificationConfig['on_events'] = ['job_complete', 'job_failed']): NotificationConfig => ({ type, on_events, config });

test('a webhook receives the notice as JSON with the configured headers, ${VAR} expanded', async () => {
  const server = await startServer((_req, res) => json(res, 200, {}));
  try {
    const { subscriptions, problems } = channelsFor([channel('webhook', { url: `${server.url}/hook`, headers: { Authorization: 'Bearer ${HOOK_TOKEN}', 'X-Team': 'ops' } })], { env: { HOOK_TOKEN: 'tok-123' } });
    assert.deepEqual(problems, []);
    const notifier = new JobNotifier(subscriptions, { name: 'nightly', totalSheets: 3 });
    notifier.notify(notice());
    await notifier.idle();
    const [req] = server.requests;
    assert.equal(req?.method, 'POST');
    assert.equal(req?.url, '/hook');
    assert.equal(req?.headers.authorization, 'Bearer tok-123');
    assert.equal(req?.headers['x-team'], 'ops');
    assert.equal(req?.body.event_type, 'job_failed');
    const context = req?.body.context as Record<string, unknown>;
    assert.equal(context.job_name, 'nightly');
    assert.equal(context.error_message, 'file missing');
    assert.deepEqual(context.extra, { error_code: 'E201' });
    assert.deepEqual(notifier.failures(), []);
  } finally {
    await server.close();
  }
});

test('url_env names the variable holding the URL; on_events filters what is sent', async () => {
  const server = await startServer((_req, res) => json(res, 200, {}));
  try {
    const { subscriptions } = channelsFor([channel('webhook', { url_env: 'MY_HOOK' }, ['job_complete'])], { env: { MY_HOOK: server.url } });
    const notifier = new JobNotifier(subscriptions, { name: 'n', totalSheets: 1 });
    notifier.notify(notice({ event: 'job_failed' }));
    notifier.notify(notice({ event: 'job_complete', error: undefined, code: undefined }));
    await notifier.idle();
    assert.deepEqual(server.requests.map((r) => r.body.event_type), ['job_complete']);
  } finally {
    await server.close();
  }
});

test('Slack gets an incoming-webhook message: attachment with colour, title, fields and channel', async () => {
  const server = await startServer((_req, res) => res.writeHead(200).end('ok'));
  try {
    const { subscriptions } = channelsFor([channel('slack', { webhook_url_env: 'SLACK_HOOK', channel: '#jobs' }, ['sheet_failed'])], { env: { SLACK_HOOK: `${server.url}/services/T000/B000/secret` } });
    const notifier = new JobNotifier(subscriptions, { name: 'nightly', totalSheets: 4, descriptions: { '2': 'Build' } });
    const event: RunnerEvent = { type: 'sheet.failed', jobId: 'j1', at: '2026-01-02T03:04:05.000Z', sheet: 2, code: 'E201', message: 'out.txt missing' };
    notifier.onEvent(event);
    await notifier.idle();
    const body = server.requests[0]?.body as { channel: string; username: string; attachments: { color: string; title: string; fields: { title: string; value: string }[]; ts: number }[] };
    assert.equal(server.requests[0]?.url, '/services/T000/B000/secret');
    assert.equal(body.channel, '#jobs');
    assert.equal(body.username, 'Mozart AI Compose');
    const [attachment] = body.attachments;
    assert.equal(attachment?.color, '#ff9800');
    assert.match(attachment?.title ?? '', /:warning: .*sheet 2 failed/);
    assert.deepEqual(attachment?.fields.map((f) => f.title), ['Progress', 'Error']);
    assert.equal(attachment?.fields[0]?.value, 'Sheet 2/4 — Build');
    assert.equal(attachment?.ts, Date.parse('2026-01-02T03:04:05.000Z') / 1000);
  } finally {
    await server.close();
  }
});

test('server errors are retried with backoff up to max_retries; a 4xx is final; the failure hides the token', async () => {
  const flaky = await startServer((_q, r) => json(r, 503, {}), (_q, r) => json(r, 500, {}), (_q, r) => json(r, 200, {}));
  const refusing = await startServer((_q, r) => r.writeHead(403).end('invalid token'));
  try {
    const retrying = new JobNotifier(channelsFor([channel('webhook', { url: flaky.url, max_retries: 2, retry_delay: 0.01 })]).subscriptions, { name: 'n', totalSheets: 1 });
    retrying.notify(notice());
    await retrying.idle();
    assert.equal(flaky.requests.length, 3);
    assert.deepEqual(retrying.failures(), []);

    const secretUrl = `${refusing.url}/services/T1/B2/s3cr3t-token?key=abc123`;
    const logged: string[] = [];
    const final = new JobNotifier(channelsFor([channel('slack', { webhook_url: secretUrl, max_retries: 3, retry_delay: 0.01 })]).subscriptions, { name: 'n', totalSheets: 1 }, (f) => logged.push(JSON.stringify(f)));
    final.notify(notice());
    await final.idle();
    assert.equal(refusing.requests.length, 1, 'a 403 is not retried');
    const [failure] = final.failures();
    assert.equal(failure?.attempts, 1);
    assert.match(failure?.message ?? '', /HTTP 403: invalid token/);
    for (const text of [...logged, JSON.stringify(final.failures())]) {
      assert.doesNotMatch(text, /s3cr3t-token|abc123/);
    }
    assert.equal(failure?.target, redactUrl(secretUrl));
  } finally {
    await flaky.close();
    await refusing.close();
  }
});

test('a webhook that never answers times out after its timeout, retries are bounded, the failure is kept', async () => {
  const server = await startServer(hang);
  try {
    const notifier = new JobNotifier(channelsFor([channel('webhook', { url: server.url, timeout: 0.05, max_retries: 1, retry_delay: 0.01 })]).subscriptions, { name: 'n', totalSheets: 1 });
    notifier.notify(notice());
    await notifier.idle();
    assert.equal(server.requests.length, 2);
    assert.match(notifier.failures()[0]?.message ?? '', /no answer within 0.05s \(tried 2 times\)/);
  } finally {
    await server.close();
  }
});

const JOB = `name: notified
workspace: ./ws
pause_between_sheets_seconds: 0
backend: { type: command, command: 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', timeout_seconds: 60 }
sheet: { size: 1, total_items: 2 }
prompt: { template: "sheet {{ sheet_num }}" }
validations:
  - { type: file_exists, path: "{workspace}/s{sheet_num}" }
`;

test('a job completes while its webhook hangs: notices queue behind the job, never in front of it', async () => {
  const server = await startServer(hang);
  const { dir, scoreFile } = scoreDir(JOB);
  const { subscriptions } = channelsFor([channel('webhook', { url: server.url, timeout: 600 }, ['job_start', 'sheet_complete', 'job_complete'])]);
  const notifier = new JobNotifier(subscriptions, { name: 'notified', totalSheets: 2 });
  try {
    const job = prepareJob(scoreFile, dir, 0.001, (e) => notifier.onEvent(e));
    const firstPost = server.nextRequest();
    const state = await job.runner.run();
    job.store.close();
    assert.equal(state.status, 'completed');
    // The first notice is still waiting for an answer that will never come, and the job is done.
    const received = await firstPost;
    assert.equal(received.body.event_type, 'job_start');
    assert.equal(server.requests.length, 1);
  } finally {
    notifier.close();
    await notifier.idle();
    await server.close();
  }
});

test('a job whose every notice fails still completes, with each failure kept for diagnose', async () => {
  const server = await startServer((_q, r) => json(r, 500, { error: 'down' }));
  const { dir, scoreFile } = scoreDir(JOB);
  const notifier = new JobNotifier(channelsFor([channel('webhook', { url: server.url, max_retries: 0 }, ['sheet_complete', 'job_complete'])]).subscriptions, { name: 'notified', totalSheets: 2 });
  try {
    const job = prepareJob(scoreFile, dir, 0.001, (e) => notifier.onEvent(e));
    const state = await job.runner.run();
    job.store.close();
    assert.equal(state.status, 'completed');
    await notifier.idle();
    assert.deepEqual(notifier.failures().map((f) => f.event), ['sheet_complete', 'sheet_complete', 'job_complete']);
  } finally {
    await server.close();
  }
});

test('a channel without its URL is not built and says what is missing', () => {
  const { subscriptions, problems } = channelsFor([channel('slack', {}), channel('webhook', { url_env: 'NOPE' }), channel('email', {})], { env: {} });
  assert.equal(subscriptions.length, 0);
  assert.deepEqual(problems, [
    'notifications[0] (slack): no incoming-webhook URL ($SLACK_WEBHOOK_URL is not set); this channel is off.',
    'notifications[1] (webhook): no URL ($NOPE is not set); this channel is off.',
    'notifications[2] (email): no recipient (config.to); this channel is off.',
  ]);
});

test('desktop: notify-send on PATH shows the notice; an editor window, when connected, takes it instead', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'mozart-bin-'));
  const log = join(bin, 'calls');
  writeFileSync(join(bin, 'notify-send'), `#!/bin/sh\nprintf '%s\\n' "$@" >> "${log}"\n`);
  chmodSync(join(bin, 'notify-send'), 0o755);
  const os = findOsNotifier({ PATH: bin }, 'linux');
  assert.ok(os);
  const toEditor: string[] = [];
  let windowConnected = false;
  const { subscriptions } = channelsFor([channel('desktop', { app_name: 'Mozart test' })], { os, editor: (_n, title) => (windowConnected ? (toEditor.push(title), true) : false) });
  const notifier = new JobNotifier(subscriptions, { name: 'nightly', totalSheets: 1 });
  notifier.notify(notice({ event: 'job_complete', code: undefined, error: undefined }));
  await notifier.idle();
  const args = readFileSync(log, 'utf8').split('\n');
  assert.deepEqual(args.slice(0, 5), ['--app-name', 'Mozart test', '--expire-time', '10000', "Mozart: job 'nightly' completed"]);
  windowConnected = true;
  notifier.notify(notice());
  await notifier.idle();
  assert.deepEqual(toEditor, ["Mozart: job 'nightly' failed"]);
  assert.equal(readFileSync(log, 'utf8').split('\n').filter((l) => l === '--app-name').length, 1, 'notify-send ran only once');
});

test('desktop without any notifier says so once, then stays quiet', async () => {
  const notifier = new JobNotifier(channelsFor([channel('desktop', {})], { os: null }).subscriptions, { name: 'n', totalSheets: 1 });
  notifier.notify(notice());
  notifier.notify(notice());
  await notifier.idle();
  assert.equal(notifier.failures().length, 1);
  assert.match(notifier.failures()[0]?.message ?? '', /neither notify-send nor osascript/);
});

test('email: a message reaches a real SMTP server, addressed and titled from the notice', async () => {
  const smtp = await startSmtpServer();
  try {
    const { subscriptions } = channelsFor([channel('email', { to: ['ops@example.com', 'me@example.com'], from: 'mozart@example.com', smtp_host: '127.0.0.1', smtp_port: smtp.port, subject_prefix: '[ci] ' })]);
    const notifier = new JobNotifier(subscriptions, { name: 'nightly', totalSheets: 1 });
    const arrived = smtp.nextMessage();
    notifier.notify(notice());
    const mail = await arrived;
    await notifier.idle();
    assert.deepEqual(notifier.failures(), []);
    assert.equal(mail.from, 'mozart@example.com');
    assert.deepEqual(mail.to, ['ops@example.com', 'me@example.com']);
    assert.match(mail.data, /^Subject: \[ci\] Mozart: job 'nightly' failed$/m);
    assert.match(mail.data, /E201: file missing/);
  } finally {
    await smtp.close();
  }
});

test('email to a server that is not there is a kept failure naming host and port, never the password', async () => {
  const smtp = await startSmtpServer();
  await smtp.close();
  const notifier = new JobNotifier(channelsFor([channel('email', { to: 'a@example.com', smtp_host: '127.0.0.1', smtp_port: smtp.port, smtp_user: 'u', smtp_password_env: 'PW', timeout: 2 })], { env: { PW: 'hunter2-secret' } }).subscriptions, { name: 'n', totalSheets: 1 });
  notifier.notify(notice());
  await notifier.idle();
  const message = notifier.failures()[0]?.message ?? '';
  assert.match(message, new RegExp(`SMTP 127.0.0.1:${smtp.port}`));
  assert.doesNotMatch(JSON.stringify(notifier.failures()), /hunter2/);
});

test('which runner events become notices', () => {
  const at = '2026-01-02T03:04:05.000Z';
  const facts = { name: 'n', totalSheets: 3, counts: () => ({ completed: 2, failed: 1 }), startedAtMs: Date.parse(at) - 90_000 };
  const map = (e: RunnerEvent) => noticeFor(e, facts);
  assert.equal(map({ type: 'job.started', jobId: 'j', at })?.event, 'job_start');
  assert.equal(map({ type: 'sheet.started', jobId: 'j', at, sheet: 1, attempt: 1, mode: 'normal' })?.event, 'sheet_start');
  assert.equal(map({ type: 'sheet.started', jobId: 'j', at, sheet: 1, attempt: 2, mode: 'normal' }), undefined, 'a retry is not a new start');
  assert.equal(map({ type: 'sheet.output', jobId: 'j', at, sheet: 1, stream: 'stdout', text: 'x' }), undefined);
  const failed = map({ type: 'job.failed', jobId: 'j', at, code: 'E201', message: 'missing' });
  assert.deepEqual({ ...failed }, { event: 'job_failed', jobId: 'j', jobName: 'n', at, completedSheets: 2, failedSheets: 1, durationSeconds: 90, code: 'E201', error: 'missing' });
  assert.equal(map({ type: 'job.paused', jobId: 'j', at })?.event, 'job_paused');
});

test('redactUrl keeps scheme and host only', () => {
  assert.equal(redactUrl('https://hooks.slack.com/services/T0/B0/xyz'), 'https://hooks.slack.com/…');
  assert.equal(redactUrl('http://127.0.0.1:8080/?token=1'), 'http://127.0.0.1:8080/…');
  assert.equal(redactUrl('https://example.com'), 'https://example.com');
  assert.equal(redactUrl('not a url'), '(an invalid URL)');
});
