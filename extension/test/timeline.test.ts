// The diagnose panel's job timeline and cost chart: lanes for sheets that overlapped, spans drawn
// by kind with hover titles, a running job's open spans up to now, a big job folded by stage into a
// drawing whose size does not grow with it, the cost bars' values, local-time ticks, and escaping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SheetSpan } from '../../protocol/src/job-state.js';
import { plainText as t } from '../src/l10n.js';
import { renderDiagnoseHtml } from '../src/views/diagnose-html.js';
import { costBars, niceMax, renderCostChart, scaleCost } from '../src/views/cost-chart.js';
import { timeTicks, tickStep } from '../src/views/timeline-axis.js';
import { MAX_STAGE_ROWS, MAX_TIMELINE_SHEETS, assignLanes, peakOverlap, sheetStages, timelineOf, waitKindOf } from '../src/views/timeline-model.js';
import { renderTimeline } from '../src/views/timeline-svg.js';
import { jobState, summary } from './support/jobs.js';
import { T0, attempt, bigJob, ranSheet, wait } from './support/timeline-jobs.js';

const EVIL = `<img src=x onerror="alert(1)">&'"`;
const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0;
/** Every element start tag: the drawing's size as the webview has to lay it out. */
const elements = (markup: string) => count(markup, /<[a-zA-Z]/g);
const attr = (markup: string, selector: RegExp, name: string) => [...markup.matchAll(selector)].map((m) => new RegExp(`${name}="([^"]*)"`).exec(m[0])?.[1]);

/** Sheet 1 alone, then sheets 2 and 3 side by side, then sheet 4 after both: lanes 1, 1, 2, 1. */
function parallelJob() {
  return jobState({ status: 'completed' }, {
    1: ranSheet([attempt(1, T0, 10_000, 1_000, 'completed', 0.01)]),
    2: ranSheet([attempt(1, T0 + 11_000, 20_000, 2_000, 'retry', 0.03), wait('retry', T0 + 33_000, 5_000), attempt(2, T0 + 38_000, 10_000, 2_000, 'completed', 0.02)]),
    3: ranSheet([attempt(1, T0 + 11_000, 5_000, 1_000, 'rate_limit', 0.001), wait('rate_limit', T0 + 17_000, 30_000), attempt(2, T0 + 47_000, 2_000, 1_000, 'completed', 0.004)]),
    4: ranSheet([attempt(1, T0 + 50_000, 9_000, 1_000, 'completed', 0.05)]),
  });
}

describe('timeline model', () => {
  test('lanes: overlapping sheets get different lanes, a sheet that starts when another ends reuses its lane', () => {
    const items = [
      { start: 0, end: 10, lane: -1 },
      { start: 5, end: 20, lane: -1 },
      { start: 10, end: 15, lane: -1 }, // starts as the first ends: its lane is free
      { start: 12, end: 30, lane: -1 }, // overlaps both others
      { lane: -1 }, // never ran: no lane
    ];
    assert.equal(assignLanes(items), 3);
    assert.deepEqual(items.map((i) => i.lane), [0, 1, 0, 2, -1]);
    assert.equal(peakOverlap(items), 3);
    assert.equal(peakOverlap([{ start: 0, end: 5 }, { start: 5, end: 9 }]), 1, 'touching is not overlapping');

    const data = timelineOf(parallelJob(), T0 + 100_000);
    assert.equal(data.aggregated, false);
    assert.equal(data.laneCount, 2);
    assert.deepEqual(data.sheets.map((s) => s.lane), [0, 0, 1, 0]);
    assert.deepEqual([data.start, data.end], [T0, T0 + 60_000]);
  });

  test("each sheet's stage comes from the fanned-out stages; every other stage has one sheet", () => {
    assert.deepEqual(sheetStages({ totalSheets: 6, fanOutStages: [{ stage: 2, from: 2, to: 4 }] }).slice(1), [1, 2, 2, 2, 3, 4]);
    assert.deepEqual(sheetStages({ totalSheets: 3 }).slice(1), [1, 2, 3]);
  });

  test("a running job's attempt under way and wait under way are drawn up to now; a finished job's are not", () => {
    const now = T0 + 90_000;
    const spans: SheetSpan[] = [attempt(1, T0, 10_000, 1_000, 'retry', 0.01)];
    const state = jobState({ status: 'running' }, {
      1: { status: 'in_progress', attempts: 2, retries: 1, startedAt: new Date(T0 + 20_000).toISOString(), spans },
      2: { status: 'pending', attempts: 1, waitingUntil: now + 30_000, waitReason: 'rate limited', spans: [attempt(1, T0 + 5_000, 1_000, 0, 'rate_limit')] },
    });
    const data = timelineOf(state, now);
    const open1 = data.sheets[0]?.spans.at(-1);
    assert.deepEqual(open1 && { kind: open1.kind, open: open1.open, start: open1.start, end: open1.end, mode: open1.kind === 'attempt' ? open1.mode : '' }, { kind: 'attempt', open: true, start: T0 + 20_000, end: now, mode: 'retry' });
    const open2 = data.sheets[1]?.spans.at(-1);
    assert.deepEqual(open2 && { kind: open2.kind, wait: open2.kind === 'wait' ? open2.wait : '', start: open2.start, end: open2.end }, { kind: 'wait', wait: 'rate_limit', start: T0 + 6_000, end: now });
    assert.equal(data.end, now);
    const svg = renderTimeline(data, t);
    assert.equal(count(svg, /class="span attempt [^"]*\bopen\b/g), 1);
    assert.equal(count(svg, /class="span wait wait-rate_limit open"/g), 1);
    assert.match(svg, /<line class="now"/);
    assert.match(svg, /Sheet 1 · attempt 2 \(retry\) · running · 1m 10s so far/);

    const done = timelineOf({ ...state, status: 'paused' }, now);
    assert.equal(done.sheets[0]?.spans.some((s) => s.open), false);
    assert.ok(!renderTimeline(done, t).includes('class="now"'));
    assert.deepEqual(['rate limited (shared with another job)', 'usage quota exhausted', 'rate limited', 'completion', 'retry after E201'].map(waitKindOf), ['shared_rate_limit', 'quota', 'rate_limit', 'completion', 'retry']);
  });

  test('a wait for approval: drawn open from the question to now while unanswered, and as recorded once answered', () => {
    const now = T0 + 120_000;
    const asked = { trigger: 'deploy-gate', message: 'Sheet 2 deploys', attempt: 1, since: new Date(T0 + 10_000).toISOString() };
    const waiting = jobState({ status: 'running' }, {
      1: ranSheet([attempt(1, T0, 8_000, 1_000, 'completed')]),
      2: { status: 'pending', attempts: 0, approval: asked, waitReason: 'awaiting approval: Sheet 2 deploys' },
    });
    const open = timelineOf(waiting, now).sheets[1]?.spans.at(-1);
    assert.deepEqual(open && { kind: open.kind, wait: open.kind === 'wait' ? open.wait : '', start: open.start, end: open.end, open: open.open }, { kind: 'wait', wait: 'approval', start: T0 + 10_000, end: now, open: true });
    const svg = renderTimeline(timelineOf(waiting, now), t);
    assert.equal(count(svg, /class="span wait wait-approval open"/g), 1);
    assert.match(svg, /waiting for approval · 1m 50s so far/);
    assert.match(renderDiagnoseHtml({ job: summary({ status: 'running' }), failingSheets: [], errors: [], suggestions: [], files: [] }, { nonce: 'n', cspSource: 'c', t, state: waiting, now }), /<li>[^]*?wait-approval[^]*?waiting for approval<\/li>/, 'the legend names it');

    const answered = jobState({ status: 'completed' }, {
      1: ranSheet([attempt(1, T0, 8_000, 1_000, 'completed')]),
      2: ranSheet([wait('approval', T0 + 10_000, 50_000), attempt(1, T0 + 60_000, 5_000, 0, 'completed')], { approval: { ...asked, decision: 'proceed' } }),
    });
    const spans = timelineOf(answered, now).sheets[1]?.spans ?? [];
    assert.deepEqual(spans.map((x) => [x.kind, x.open ?? false]), [['wait', false], ['attempt', false]], 'nothing open once answered');
    assert.equal(count(renderTimeline(timelineOf(answered, now), t), /class="span wait wait-approval"/g), 1);
    assert.equal(waitKindOf('awaiting approval: Sheet 2 deploys'), 'approval');
  });

  test(`above ${MAX_TIMELINE_SHEETS} sheets the timeline is folded by stage`, () => {
    assert.equal(timelineOf(bigJob(MAX_TIMELINE_SHEETS), T0).aggregated, false);
    const data = timelineOf(bigJob(1000), T0);
    assert.equal(data.aggregated, true);
    assert.deepEqual(data.stages.map((r) => [r.first, r.last, r.sheets, r.fromSheet, r.toSheet]), [[1, 1, 1, 1, 1], [2, 2, 998, 2, 999], [3, 3, 1, 1000, 1000]]);
    const fan = data.stages[1]!;
    assert.equal(fan.peakParallel, 8, 'run 8 at a time');
    assert.equal(fan.attempts, 998 + Math.floor(999 / 5) + Math.floor(999 / 7) - 0);
    assert.equal(fan.retries, fan.attempts - 998);
    assert.equal(fan.waits, Math.floor(999 / 5) + Math.floor(999 / 7));
    assert.ok(Math.abs(data.stages.reduce((n, r) => n + r.costUsd, 0) - bigJob(1000).costUsd) < 1e-9, 'stage costs add up to the job');

    // A running big job: the row with the sheet under way is open and the drawing runs to now.
    const running = bigJob(1000);
    running.status = 'running';
    const last = running.sheets['1000']!;
    const now = (data.end as number) + 60_000;
    running.sheets['1000'] = { ...last, status: 'in_progress', attempts: 2, spans: last.spans?.slice(0, 0) ?? [], startedAt: new Date((data.end as number) - 1_000).toISOString() };
    const live = timelineOf(running, now);
    assert.deepEqual(live.stages.map((r) => r.open), [false, false, true]);
    assert.equal(live.end, now);
    const liveSvg = renderTimeline(live, t);
    assert.match(liveSvg, /<rect class="envelope open"/);
    assert.match(liveSvg, /<line class="now"/);

    const sequential = timelineOf(bigJob(1000, { fanOut: false }), T0);
    assert.equal(sequential.stages.length, MAX_STAGE_ROWS);
    assert.deepEqual([sequential.stages[0]?.first, sequential.stages[0]?.last, sequential.stages[99]?.first, sequential.stages[99]?.last], [1, 10, 991, 1000]);
    assert.ok(sequential.stages.every((r) => r.peakParallel === 1));
  });
});

describe('timeline drawing', () => {
  test('every span is drawn in its lane, coloured by kind, with hover titles naming sheet, attempt, outcome, durations and cost', () => {
    const svg = renderTimeline(timelineOf(parallelJob(), T0 + 100_000), t);
    assert.equal(count(svg, /<g class="sheet [^"]*" data-sheet="/g), 4);
    assert.deepEqual(attr(svg, /<g class="sheet [^>]*>/g, 'data-lane'), ['1', '1', '2', '1']);
    assert.equal(count(svg, /class="span attempt mode-first/g), 4);
    assert.equal(count(svg, /class="span attempt mode-retry/g), 2);
    assert.equal(count(svg, /class="span wait wait-retry"/g), 1);
    assert.equal(count(svg, /class="span wait wait-rate_limit"/g), 1);
    assert.equal(count(svg, /class="span validation"/g), 6, 'every attempt with validation time');
    assert.equal(count(svg, /class="span attempt [^"]*outcome-failed/g), 2, 'the retried and the rate-limited attempt');
    assert.match(svg, /<title>Sheet 2 · attempt 1 \(first run\) · failed, retried · 22s: agent 20s, validation 2s · cost \$0\.03 · /);
    assert.match(svg, /<title>Sheet 3 · rate-limit wait · 30s · /);
    assert.match(svg, /<title>Sheet 2 · completed · 2 attempts · 39s · cost \$0\.05<\/title>/);
    // A legend names every kind drawn.
    for (const label of ['first attempt', 'retry', 'validation (end of an attempt)', 'retry backoff', 'rate-limit wait', 'quota wait', 'attempt that did not pass', 'running, drawn to now']) assert.ok(svg.includes(`${label}</li>`), label);
    // Each sheet's number sits inside its first attempt (wide enough here).
    assert.equal(count(svg, /<text class="sheet-label"/g), 4);
    // Bars sit on the time scale: sheet 4 starts right of sheet 1's end.
    const x = (num: number) => Number(new RegExp(`data-sheet="${num}"[^]*?<rect [^>]*x="([\\d.]+)"`).exec(svg)?.[1]);
    assert.ok(x(1) < x(2) && x(2) === x(3) && x(3) < x(4), `${x(1)} ${x(2)} ${x(3)} ${x(4)}`);
  });

  test('the time axis is in local time on round steps, with the date where the day changes', () => {
    const start = new Date(2025, 0, 1, 12, 0, 3).getTime();
    assert.deepEqual(timeTicks(start, new Date(2025, 0, 1, 12, 4, 10).getTime()).map((k) => k.label), ['12:01', '12:02', '12:03', '12:04']);
    assert.deepEqual(timeTicks(start, start + 6_500).map((k) => k.label), ['12:00:03', '12:00:04', '12:00:05', '12:00:06', '12:00:07', '12:00:08', '12:00:09']);
    assert.deepEqual(timeTicks(start, start + 1_200).map((k) => k.label), ['12:00:03.0', '12:00:03.2', '12:00:03.4', '12:00:03.6', '12:00:03.8', '12:00:04.0', '12:00:04.2']);
    assert.equal(tickStep(90_000), 15_000);
    const overnight = timeTicks(new Date(2025, 0, 1, 22, 10).getTime(), new Date(2025, 0, 2, 3, 0).getTime()).map((k) => k.label);
    assert.deepEqual(overnight, ['2025-01-01 23:00', '2025-01-02 00:00', '01:00', '02:00', '03:00']);
    const week = timeTicks(new Date(2025, 2, 1, 9).getTime(), new Date(2025, 2, 12, 9).getTime()).map((k) => k.label);
    assert.deepEqual(week, ['2025-03-03 00:00', '2025-03-05 00:00', '2025-03-07 00:00', '2025-03-09 00:00', '2025-03-11 00:00'], 'whole days at local midnight');
    const svg = renderTimeline(timelineOf(parallelJob(), T0 + 100_000), t);
    assert.match(svg, /local time \(UTC([+-]\d\d:\d\d)?\)/);
  });

  test('a 1,000- and a 10,000-sheet job draw in bounded size, with a note saying they are drawn by stage', () => {
    const sizes: number[] = [];
    for (const state of [bigJob(1000), bigJob(10_000), bigJob(1000, { fanOut: false }), bigJob(10_000, { fanOut: false })]) {
      const data = timelineOf(state, T0);
      const svg = renderTimeline(data, t);
      const chart = renderCostChart(data, t);
      assert.equal(count(svg, /data-sheet="/g), 0, 'no per-sheet bars');
      assert.match(svg, /drawn by stage, one row per stage or range of stages/);
      assert.ok(count(svg, /<g class="stage-row"/g) <= MAX_STAGE_ROWS);
      assert.ok(count(chart, /<g class="cost-bar"/g) <= MAX_STAGE_ROWS);
      sizes.push(elements(svg) + elements(chart));
    }
    for (const size of sizes) assert.ok(size < 2_500, `at most 2,500 elements: ${sizes.join(', ')}`);
    assert.ok(sizes[1]! <= sizes[0]! * 1.1 && sizes[3]! <= sizes[2]! * 1.1, `10,000 sheets draw no bigger than 1,000: ${sizes.join(', ')}`);
  });

  test('nothing recorded yet: the section says so instead of drawing an empty axis', () => {
    const data = timelineOf(jobState({ status: 'pending' }), T0);
    assert.match(renderTimeline(data, t), /No attempt has been recorded yet/);
    assert.match(renderCostChart(data, t), /No cost recorded/);
  });
});

describe('cost chart', () => {
  test("a bar per sheet, its height the sheet's cost, split into the attempt that passed and the ones that did not", () => {
    const data = timelineOf(parallelJob(), T0 + 100_000);
    const bars = costBars(data, t);
    assert.deepEqual(bars.map((b) => [b.label, +b.costUsd.toFixed(4), +b.retryCostUsd.toFixed(4)]), [['1', 0.01, 0], ['2', 0.05, 0.03], ['3', 0.005, 0.001], ['4', 0.05, 0]]);
    assert.equal(niceMax(0.05), 0.05);
    assert.equal(niceMax(0.051), 0.1);
    assert.equal(niceMax(3), 5);
    assert.equal(niceMax(0), 0);
    assert.deepEqual([0, 0.025, 0.05, 250].map(scaleCost), ['$0', '$0.025', '$0.05', '$250']);
    const chart = renderCostChart(data, t);
    assert.deepEqual(attr(chart, /<g class="cost-bar"[^>]*>/g, 'data-sheet'), ['1', '2', '3', '4']);
    // Heights: 140 px is the top of the scale ($0.05), so sheet 2's $0.02 + $0.03 fills it (56 + 84).
    const drawing = chart.slice(chart.indexOf('<svg class="cost-chart"'));
    const heights = (cls: string) => attr(drawing, new RegExp(`<rect class="${cls}"[^>]*>`, 'g'), 'height').map(Number);
    assert.deepEqual(heights('cost-final'), [28, 56, 11.2, 140]);
    assert.deepEqual(heights('cost-retry'), [84, 2.8]);
    assert.match(chart, /Cost per sheet: \$0\.12 in all, \$0\.03 on attempts that did not pass; most: sheet 2 \(\$0\.05\)/);
    assert.match(chart, /<title>Sheet 2 · cost \$0\.05: \$0\.02 on the attempt that passed, \$0\.03 on attempts that did not<\/title>/);
  });

  test('a big job gets a bar per stage row whose values add up to the job', () => {
    const state = bigJob(1000, { fanOut: false });
    const bars = costBars(timelineOf(state, T0), t);
    assert.equal(bars.length, 100);
    assert.equal(bars[0]?.label, 'Stages 1–10');
    assert.ok(Math.abs(bars.reduce((n, b) => n + b.costUsd, 0) - state.costUsd) < 1e-9);
  });
});

describe('timeline in the diagnose page', () => {
  test('the page has the timeline and the cost chart when given the checkpoint, and says why not otherwise', () => {
    const report = { job: summary({ status: 'completed' }), failingSheets: [], errors: [], suggestions: [], files: [] };
    const html = renderDiagnoseHtml(report, { nonce: 'n', cspSource: 'vscode-webview://x', t, state: parallelJob(), now: T0 });
    assert.match(html, /<h2>Timeline<\/h2>\s*<section class="timeline-section">[^]*<svg class="timeline"/);
    assert.match(html, /<h2>Cost per sheet<\/h2>\s*<section class="cost-section">[^]*<svg class="cost-chart"/);
    assert.ok(!/<script(?![^>]*nonce="n")/.test(html), 'no script but the nonce-bound one');
    assert.ok(!/#[0-9a-f]{3,6}\b/i.test(html.replace(/&#39;/g, '')), 'colours come from theme variables');
    assert.ok(!/\sstyle=/.test(html), 'no style attributes (the CSP admits only the nonce-bound style element)');
    const missing = renderDiagnoseHtml(report, { nonce: 'n', cspSource: 'x', t, stateError: 'job not found' });
    assert.match(missing, /The timeline needs the job&#39;s checkpoint, which could not be read: job not found/);
  });

  test('nothing from the checkpoint reaches the drawing unescaped, not even as a class name', () => {
    const state = parallelJob();
    const bad = { ...attempt(1, T0, 1000, 0, EVIL as never, 0.01), mode: EVIL as never };
    state.sheets['1'] = { ...state.sheets['1']!, description: EVIL, status: EVIL as never, spans: [bad, { kind: 'wait', wait: EVIL as never, start: T0 + 1000, end: T0 + 2000 }] };
    state.sheets['2'] = { ...state.sheets['2']!, status: 'pending', waitReason: EVIL, waitingUntil: T0 + 200_000 };
    const data = timelineOf({ ...state, status: 'running' }, T0 + 100_000);
    for (const markup of [renderTimeline(data, t), renderCostChart(data, t)]) {
      assert.ok(!markup.includes('<img'), 'no injected element');
      assert.ok(!markup.includes('onerror="'), 'no injected attribute');
      assert.ok(markup.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'), 'shown, escaped');
    }
    assert.match(renderTimeline(data, t), /class="span attempt mode-imgsrcxonerroralert outcome-imgsrcxonerroralert/);
  });
});
