// The plan page: a node per sheet and an edge per dependency, a big plan drawn by stage, the prompt
// shown escaped byte for byte, a strict CSP, and only known messages accepted from the page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PlanData, PlanResult, PlanSheetData } from '../../protocol/src/plan.js';
import { plainText as t } from '../src/l10n.js';
import { diagnoseCsp } from '../src/views/diagnose-html.js';
import { MAX_SHEET_NODES, planGraph, stageGroups } from '../src/views/plan-graph.js';
import { parsePlanMessage, renderPlanBody, renderPlanHtml } from '../src/views/plan-html.js';

const EVIL = `<img src=x onerror="alert(1)">&'"`;

function sheet(num: number, stage: number, patch: Partial<PlanSheetData> = {}): PlanSheetData {
  return { num, stage, instance: 1, fanCount: 1, startItem: num, endItem: num, dependsOn: [], validations: [], ...patch };
}

/** Stage 1, then stage 2 fanned out to `fan`, then a stage waiting for all of them (fan-in). */
function fanPlan(fan: number, stages = 3): PlanData {
  const sheets: PlanSheetData[] = [];
  let previous: number[] = [];
  for (let stage = 1; stage <= stages; stage++) {
    const count = stage === 2 ? fan : 1;
    const these: number[] = [];
    for (let instance = 1; instance <= count; instance++) {
      const num = sheets.length + 1;
      sheets.push(sheet(num, stage, { instance, fanCount: count, dependsOn: [...previous] }));
      these.push(num);
    }
    previous = these;
  }
  return { name: 'fan', backend: 'command', workspace: '/ws', totalSheets: sheets.length, totalStages: stages, order: 'dependencies', maxConcurrent: 3, sheets };
}

function answer(plan: PlanData | null, patch: Partial<PlanResult> = {}): PlanResult {
  return { uri: 'file:///s.yaml', version: 3, plan, findings: { errors: 0, warnings: 1, infos: 0, first: [{ severity: 'warning', checkId: 'V004', message: 'a warning', line: 12 }] }, ...patch };
}

const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

describe('plan graph', () => {
  test('one node per sheet, one edge per dependency, columns by stage', () => {
    const plan = fanPlan(3);
    const { svg, aggregated } = planGraph(plan, t);
    assert.equal(aggregated, false);
    assert.equal(count(svg, /<g class="node[^"]*" data-sheet="/g), 5);
    for (const s of plan.sheets) assert.ok(svg.includes(`data-sheet="${s.num}"`), `node for sheet ${s.num}`);
    const deps = plan.sheets.reduce((n, s) => n + s.dependsOn.length, 0);
    assert.equal(deps, 6);
    assert.equal(count(svg, /<path class="edge" data-from=/g), deps);
    for (const s of plan.sheets) for (const d of s.dependsOn) assert.ok(svg.includes(`data-from="${d}" data-to="${s.num}"`), `edge ${d}→${s.num}`);
    assert.equal(count(svg, /class="stage-head"/g), 3);
    assert.match(svg, /Sheet 3 · 2\/3/);
    // Stage 2's instances share a column (same x), the stages do not.
    const x = (n: number) => Number(new RegExp(`data-sheet="${n}"[^]*?<rect x="(\\d+)"`).exec(svg)?.[1]);
    assert.equal(x(2), x(4));
    assert.ok(x(1) < x(2) && x(2) < x(5));
  });

  test('the selected sheet is marked, a conditional sheet is dashed', () => {
    const plan = fanPlan(2);
    plan.sheets[0] = { ...plan.sheets[0]!, skipWhen: 'stage == 1' };
    const { svg } = planGraph(plan, t, 2);
    assert.match(svg, /class="node selected" data-sheet="2"/);
    assert.match(svg, /class="node conditional" data-sheet="1"/);
  });

  test(`more than ${MAX_SHEET_NODES} sheets: 1,000 sheets fanned out are drawn as one node per stage`, () => {
    const plan = fanPlan(998);
    assert.equal(plan.sheets.length, 1000);
    const { svg, aggregated } = planGraph(plan, t);
    assert.equal(aggregated, true);
    assert.equal(count(svg, /data-sheet="/g), 0, 'no per-sheet nodes');
    assert.equal(count(svg, /class="node stage-node"/g), 3);
    assert.equal(count(svg, /<path class="edge"/g), 2, 'stage 1→2 and 2→3');
    assert.match(svg, /fan-out ×998/);
    assert.match(svg, /998 sheet dependencies/);
    assert.ok(svg.length < 20_000, `small: ${svg.length} characters`);
  });

  test('1,000 sheets in 1,000 stages: stages grouped into ranges, at most 100 nodes', () => {
    const sheets = Array.from({ length: 1000 }, (_, i) => sheet(i + 1, i + 1, { dependsOn: i ? [i] : [] }));
    const plan: PlanData = { name: 'long', backend: 'command', workspace: '/ws', totalSheets: 1000, totalStages: 1000, order: 'sequential', maxConcurrent: 1, sheets };
    const groups = stageGroups(plan);
    assert.equal(groups.length, 100);
    assert.deepEqual([groups[0]?.first, groups[0]?.last, groups[99]?.last], [1, 10, 1000]);
    const { svg } = planGraph(plan, t);
    assert.equal(count(svg, /class="node stage-node"/g), 100);
    assert.equal(count(svg, /<path class="edge"/g), 99);
    assert.match(svg, /Stages 991–1000/);
  });
});

describe('plan page', () => {
  test('every sheet has a row with its stage, instance, items, dependencies and validations', () => {
    const plan = fanPlan(3);
    plan.sheets[2] = { ...plan.sheets[2]!, validations: [{ index: 1, type: 'content_regex', description: 'notes done', target: '/ws/research-2.md ~ DONE', stage: 1 }] };
    const html = renderPlanBody(answer(plan), t);
    assert.equal(count(html, /<tr data-row="/g), 5);
    assert.match(html, /<tr data-row="3">.*?<td>2<\/td><td>2 of 3<\/td><td>item 3<\/td><td>1<\/td><td><ul><li>stage 1 <code>content_regex<\/code> notes done — <code>\/ws\/research-2\.md ~ DONE<\/code>/);
    assert.match(html, /<tr data-row="5">.*?<td>2, 3, 4<\/td>/);
    assert.match(html, /5 sheets in 3 stages · backend command · order: by dependencies, at most 3 at a time/);
    assert.match(html, /<code>V004<\/code> line 12: a warning/);
  });

  test('a big plan gets a table of stages, not 1,000 rows', () => {
    const html = renderPlanBody(answer(fanPlan(998)), t);
    assert.equal(count(html, /<tr data-row=/g), 0);
    assert.equal(count(html, /<tr class="stage-row">/g), 3);
    assert.match(html, /drawn by stage/);
  });

  test('the prompt is shown exactly, escaped, with its notes; an error instead when it cannot be built', () => {
    const prompt = `Line one\n  indented ${EVIL}\n{{ not a template }}\n`;
    const html = renderPlanBody(answer(fanPlan(2), { prompt: { sheet: 2, prompt, notes: ['cross_sheet: empty in a dry run'] } }), t);
    const shown = /<pre class="prompt-text">([^]*?)<\/pre>/.exec(html)?.[1];
    assert.ok(shown !== undefined);
    const decoded = shown.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    assert.equal(decoded, prompt, 'byte for byte once the browser decodes it');
    assert.ok(!html.includes('<img'));
    assert.match(html, /Prompt of sheet 2, as its agent gets it/);
    assert.match(html, /cross_sheet: empty in a dry run/);
    assert.match(html, /class="node selected" data-sheet="2"/);
    const failed = renderPlanBody(answer(fanPlan(2), { prompt: { sheet: 9, error: 'there is no sheet 9', notes: [] } }), t);
    assert.match(failed, /<p class="error">there is no sheet 9<\/p>/);
    assert.ok(!failed.includes('prompt-text'));
  });

  test('no plan: the reason and the findings', () => {
    const html = renderPlanBody(answer(null, { reason: 'the score cannot be read as YAML', prompt: null }), t);
    assert.match(html, /No plan/);
    assert.match(html, /the score cannot be read as YAML/);
    assert.match(html, /0 errors, 1 warnings/);
    assert.match(html, /no sheet has a prompt yet/);
  });

  test('nothing from the plan reaches the page unescaped', () => {
    const plan = fanPlan(2);
    plan.name = EVIL;
    plan.backend = EVIL;
    plan.workspace = EVIL;
    plan.sheets[1] = { ...plan.sheets[1]!, skipWhen: EVIL, skipWhenCommand: EVIL, validations: [{ index: 0, type: EVIL, description: EVIL, target: EVIL, stage: 1 }] };
    const html = renderPlanHtml(answer(plan, { findings: { errors: 1, warnings: 0, infos: 0, first: [{ severity: 'error', checkId: EVIL, message: EVIL }] }, prompt: { sheet: 1, prompt: EVIL, notes: [EVIL] } }), { nonce: 'bm9uY2U=', cspSource: 'vscode-webview://abc', t, title: EVIL });
    assert.ok(!html.includes('<img'), 'no injected element');
    assert.ok(!html.includes('onerror="'), 'no injected attribute');
    assert.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'));
    assert.equal(count(html, /<script/g), 1);
    assert.match(html, /<script nonce="bm9uY2U=">/);
  });

  test('a strict CSP bound to the nonce; nothing loaded; theme colours only', () => {
    const html = renderPlanHtml(answer(fanPlan(2)), { nonce: 'abc123', cspSource: 'vscode-webview://abc', t, title: 's.yaml' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    assert.equal(csp, diagnoseCsp('abc123', 'vscode-webview://abc'));
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp ?? ''));
    assert.ok(!/\b(src|href)=["']?https?:/i.test(html), 'no remote resources');
    assert.ok(!/ style="/.test(html), 'no inline style attributes (the CSP would block them)');
    assert.ok(!/#[0-9a-f]{3,6}\b/i.test(html.replace(/&#39;/g, '').replace(/url\(#arrow\)/g, '')), 'colours come from theme variables');
  });
});

describe('messages from the plan page', () => {
  test('a prompt only for a sheet the plan has; nothing unknown', () => {
    assert.deepEqual(parsePlanMessage({ type: 'previewPrompt', sheet: 5 }, 5), { type: 'previewPrompt', sheet: 5 });
    assert.equal(parsePlanMessage({ type: 'previewPrompt', sheet: 6 }, 5), undefined);
    assert.equal(parsePlanMessage({ type: 'previewPrompt', sheet: 0 }, 5), undefined);
    assert.equal(parsePlanMessage({ type: 'previewPrompt', sheet: 1.5 }, 5), undefined);
    assert.equal(parsePlanMessage({ type: 'previewPrompt', sheet: '2' }, 5), undefined);
    assert.deepEqual(parsePlanMessage({ type: 'refresh' }, 5), { type: 'refresh' });
    assert.deepEqual(parsePlanMessage({ type: 'openPromptDocument' }, 5), { type: 'openPromptDocument' });
    assert.equal(parsePlanMessage({ type: 'runCommand', command: 'rm -rf /' }, 5), undefined);
    assert.equal(parsePlanMessage(null, 5), undefined);
  });
});
