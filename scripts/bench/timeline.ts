// The diagnose panel's job timeline and cost chart (extension/src/views/timeline-*.ts,
// cost-chart.ts): the time to fold a checkpoint's spans into timeline data and to draw both SVGs,
// for 200 sheets (the largest job drawn per sheet) and 1,000 and 10,000 sheets (drawn by stage),
// fanned out 8 at a time or one stage per sheet, with the drawing's element count and size (which
// must not grow with the job) and the checkpoint's size as job.status sends it. Printed, never asserted.
import { plainText as t } from '../../extension/src/l10n.js';
import { renderCostChart } from '../../extension/src/views/cost-chart.js';
import { timelineOf } from '../../extension/src/views/timeline-model.js';
import { renderTimeline } from '../../extension/src/views/timeline-svg.js';
import { T0, bigJob } from '../../extension/test/support/timeline-jobs.js';
import { median } from '../lib/stats.js';

const CASES: { sheets: number; fanOut: boolean }[] = [
  { sheets: 200, fanOut: true },
  { sheets: 1_000, fanOut: true },
  { sheets: 1_000, fanOut: false },
  { sheets: 10_000, fanOut: true },
  { sheets: 10_000, fanOut: false },
];

function timed(run: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

export function benchTimeline(): void {
  console.log('\nJob timeline and cost chart in the diagnose panel (median; every 5th sheet retried, every 7th rate-limited)');
  const head = ['sheets', 'layout', 'state KiB', 'model ms', 'draw ms', 'total ms', 'elements', 'SVG KiB'];
  console.log(head.map((h, i) => (i < 2 ? h.padEnd(i === 0 ? 8 : 22) : h.padStart(11))).join(''));
  for (const { sheets, fanOut } of CASES) {
    const state = bigJob(sheets, { fanOut });
    const runs = sheets >= 10_000 ? 9 : 31;
    for (let i = 0; i < 3; i++) renderTimeline(timelineOf(state, T0), t); // warm-up
    let markup = '';
    const model = timed(() => void timelineOf(state, T0), runs);
    const data = timelineOf(state, T0);
    const draw = timed(() => {
      markup = renderTimeline(data, t) + renderCostChart(data, t);
    }, runs);
    const total = timed(() => {
      const fresh = timelineOf(state, T0);
      markup = renderTimeline(fresh, t) + renderCostChart(fresh, t);
    }, runs);
    const elements = markup.match(/<[a-zA-Z]/g)?.length ?? 0;
    const layout = `${fanOut ? 'fan-out, 8 at a time' : 'one stage per sheet'}${data.aggregated ? '' : ' *'}`;
    const row = [String(sheets), layout, (JSON.stringify(state).length / 1024).toFixed(0), model.toFixed(2), draw.toFixed(2), total.toFixed(2), String(elements), (markup.length / 1024).toFixed(1)];
    console.log(row.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 8 : 22) : c.padStart(11))).join(''));
  }
  console.log('  * drawn per sheet (at most 200 sheets); the others by stage, at most 100 rows');
}

if (require.main === module) benchTimeline();
