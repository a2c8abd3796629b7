// The event log as people read it (`mozart logs`, the extension's job log): one line per event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLine, eventLogText } from '../../../protocol/src/event-text.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';

const at = '2026-01-01T10:00:00Z';
const time = new Date(at).toLocaleTimeString();

test('each event reads as time, type, sheet and what happened', () => {
  const failed: RunnerEvent = { type: 'sheet.failed', jobId: 'j', at, sheet: 2, code: 'E201', message: 'out.md is missing' };
  assert.equal(eventLine(failed), `${time} ${'sheet.failed'.padEnd(24)} sheet 2 E201 out.md is missing`);
  const started: RunnerEvent = { type: 'job.started', jobId: 'j', at, message: 'j: 3 sheets' };
  assert.equal(eventLine(started, (x) => `[${x}]`), `[${time}] ${'job.started'.padEnd(24)} j: 3 sheets`);
});

test('JSON lines cut anywhere come out whole; a line that is not an event stays as it is', () => {
  const one = JSON.stringify({ type: 'sheet.started', jobId: 'j', at, sheet: 1, attempt: 1, mode: 'normal' });
  const two = JSON.stringify({ type: 'job.paused', jobId: 'j', at });
  const all = `${one}\nnot json\n${two}\n`;
  const cut = 30;
  const first = eventLogText('', all.slice(0, cut));
  assert.deepEqual(first, { text: '', partial: all.slice(0, cut) });
  const rest = eventLogText(first.partial, all.slice(cut));
  assert.equal(rest.partial, '');
  assert.deepEqual(rest.text.trimEnd().split('\n'), [`${time} ${'sheet.started'.padEnd(24)} sheet 1 attempt 1`, 'not json', `${time} job.paused`]);
});
