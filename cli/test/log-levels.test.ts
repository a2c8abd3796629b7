// The levels `mozart logs -l` and the MCP get_logs `level` filter by: an event's level is the one
// the workspace's mozart.log writes for it (so `logs <job> -l WARN` and `logs -w DIR -l WARN` agree),
// and a log line's level is read from how each of our logs (and the original's JSON log) marks it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunnerEvent } from '../../protocol/src/events.js';
import { logLines } from '../../conductor/src/runner/job-log.js';
import { eventLevel, LevelFilter, lineLevel, parseLogLevel } from '../src/commands/log-files.js';

const at = '2030-01-01T00:00:00.000Z';
const rule = { index: 0, type: 'file_exists', description: 'out', stage: 1, status: 'failed', message: 'missing' };
const base = { jobId: 'j', at };
const EVENTS = [
  { type: 'job.started' },
  { type: 'job.completed' },
  { type: 'job.paused' },
  { type: 'job.cancelled' },
  { type: 'job.pausing' },
  { type: 'job.failed', code: 'E201', message: 'm' },
  { type: 'job.cost_warning', costUsd: 1, limitUsd: 2, percent: 50, message: 'm' },
  { type: 'job.circuit_open', failures: 3, untilMs: 0 },
  { type: 'job.hook', index: 0, ok: true, message: 'm' },
  { type: 'job.hook', index: 0, ok: false, message: 'm' },
  { type: 'job.archived', message: 'm' },
  { type: 'job.state_repaired', message: 'm' },
  { type: 'job.cluster', action: 'queued', message: 'm' },
  { type: 'sheet.started', sheet: 1, attempt: 1, mode: 'normal' },
  { type: 'sheet.validation_passed', sheet: 1, rule },
  { type: 'sheet.validation_failed', sheet: 1, rule },
  { type: 'sheet.retrying', sheet: 1, attempt: 2, delayMs: 0, code: 'E201', reason: 'r' },
  { type: 'sheet.completion', sheet: 1, delayMs: 0, reason: 'r' },
  { type: 'sheet.waiting', sheet: 1, wait: 'quota', until: 0, reason: 'r' },
  { type: 'sheet.completed', sheet: 1, attempts: 1, durationMs: 1, costUsd: 0 },
  { type: 'sheet.skipped', sheet: 1, reason: 'r' },
  { type: 'sheet.approval_needed', sheet: 1, attempt: 1, trigger: 't', message: 'm' },
  { type: 'sheet.approved', sheet: 1, decision: 'proceed' },
  { type: 'sheet.checkpoint_warning', sheet: 1, trigger: 't', message: 'm' },
  { type: 'sheet.healing', sheet: 1, code: 'E601', applied: [], skipped: [], diagnostics: [] },
  { type: 'sheet.failed', sheet: 1, code: 'E201', message: 'm' },
].map((e) => ({ ...base, ...e }) as RunnerEvent);

test("each event's level is the one the workspace's mozart.log writes for it", () => {
  for (const event of EVENTS) {
    const line = logLines(event, undefined);
    assert.ok(line, `the workspace log writes ${event.type}`);
    assert.equal(eventLevel(event), lineLevel(line), `${event.type}: ${line}`);
  }
  assert.deepEqual(new Set(EVENTS.map(eventLevel)), new Set(['INFO', 'WARNING', 'ERROR']), 'the check can tell levels apart');
  assert.equal(eventLevel({ ...base, type: 'sheet.output', sheet: 1, stream: 'stdout', text: 'x' }), 'DEBUG', 'agent output, which the log leaves out');
});

test("a line's level: the workspace log's, the conductor log's debug mark, a JSON line's; indented lines go with theirs", () => {
  assert.equal(lineLevel(`${at} WARN  x`), 'WARNING');
  assert.equal(lineLevel(`${at} debug: x`), 'DEBUG');
  assert.equal(lineLevel(`${at} listening on /s`), undefined);
  assert.equal(lineLevel('{"level": "error", "event": "x"}'), 'ERROR');
  assert.equal(lineLevel('{"event": "x"}'), undefined);
  assert.equal(parseLogLevel('warn'), 'WARNING');
  assert.equal(parseLogLevel('loud'), undefined);
  const filter = new LevelFilter('WARNING');
  const kept = [`${at} INFO  a`, '  detail of a', `${at} ERROR b`, '  detail of b', `${at} no level`, '  detail of it'].filter((l) => filter.keep(l));
  assert.deepEqual(kept, [`${at} ERROR b`, '  detail of b', `${at} no level`, '  detail of it']);
  assert.equal(filter.unlevelled, 1);
});
