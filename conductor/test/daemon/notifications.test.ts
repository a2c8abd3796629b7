// Notifications through a real conductor: a local HTTP server receives the job's webhook posts; a
// failing one leaves the job untouched, and diagnose names the failure without the URL's token.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { json, startServer } from '../backends/http-server.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { EventLog, harness, scoreFile } from './harness.js';

const h = harness();

before(() => assert.equal(h.mozart('start').code, 0));
after(() => h.mozart('stop'));

function withNotifications(name: string, url: string, events: string): string {
  const file = scoreFile(name, 'touch "$MOZART_WORKSPACE/s$MOZART_SHEET_NUM"', 2);
  writeFileSync(file, `${readFileSync(file, 'utf8')}
notifications:
  - type: webhook
    on_events: [${events}]
    config: { url: "${url}", max_retries: 1, retry_delay: 0.01 }
`);
  return file;
}

/** Every file under a folder, as text. */
function allText(dir: string): string {
  return readdirSync(dir).map((name) => {
    const path = join(dir, name);
    const st = statSync(path);
    return st.isDirectory() ? allText(path) : st.isFile() ? readFileSync(path, 'utf8') : '';
  }).join('\n');
}

test('the job posts its events to the webhook, and the job completes', async () => {
  const server = await startServer((_q, r) => json(r, 200, {}));
  try {
    const completed = new Promise<void>((resolve) => {
      const check = () => (server.requests.some((r) => r.body.event_type === 'job_complete') ? resolve() : void server.nextRequest().then(check));
      check();
    });
    const run = h.mozart('run', withNotifications('notify-ok', `${server.url}/hook`, 'job_start, sheet_complete, job_complete'), '--watch');
    assert.equal(run.code, 0, run.err + run.out);
    await completed;
    assert.deepEqual(server.requests.map((r) => r.body.event_type), ['job_start', 'sheet_complete', 'sheet_complete', 'job_complete']);
    const context = server.requests[3]?.body.context as Record<string, unknown>;
    assert.equal(context.job_name, 'notify-ok');
    assert.equal(context.success_count, 2);
  } finally {
    await server.close();
  }
});

test('a webhook that fails leaves the job completed; diagnose shows the failure without the token', async () => {
  const server = await startServer((_q, r) => json(r, 500, { error: 'down' }));
  try {
    const client = await h.connect();
    const log = new EventLog(client);
    await client.request('events.subscribe', { jobId: 'notify-down' });
    const file = withNotifications('notify-down', `${server.url}/hook/SECRET-TOKEN-123`, 'job_complete');
    const run = h.mozart('run', file, '--watch');
    assert.equal(run.code, 0, run.err + run.out);
    assert.match(run.out, /Job 'notify-down' completed/);
    const failed = (await log.waitFor((e) => e.type === 'job.notification_failed')) as Extract<RunnerEvent, { type: 'job.notification_failed' }>;
    client.close();
    assert.equal(server.requests.length, 2, 'the first try and its one retry');
    assert.match(failed.message, /HTTP 500.*tried 2 times/);
    const report = h.mozart('diagnose', 'notify-down');
    assert.match(report.out, /Notifications not delivered:\n.*webhook http:\/\/127\.0\.0\.1:\d+\/… \(job_complete\): .*HTTP 500/);
    assert.doesNotMatch(report.out, /SECRET-TOKEN/);
    assert.doesNotMatch(allText(join(dirname(file), 'ws', '.mozart')), /SECRET-TOKEN/, 'no state, event or log file holds the token');
    assert.doesNotMatch(allText(h.home), /SECRET-TOKEN/, 'nor the conductor log or registry');
  } finally {
    await server.close();
  }
});
