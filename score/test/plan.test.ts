import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countSheets, planSheets } from '../src/plan.js';
import type { SheetSpec } from '../src/plan.js';

const spec = (over: Partial<SheetSpec>): SheetSpec => ({ size: 1, total_items: 3, start_item: 1, dependencies: {}, fan_out: {}, ...over });

test('counts sheets as ceil((total_items - start_item + 1) / size)', () => {
  assert.equal(countSheets({ size: 3, total_items: 10, start_item: 1 }), 4);
  assert.equal(countSheets({ size: 5, total_items: 10, start_item: 3 }), 2);
  assert.equal(countSheets({ size: 1, total_items: 1, start_item: 1 }), 1);
});

test('gives each sheet its item range, the last one clipped to total_items', () => {
  const { plan } = planSheets(spec({ size: 4, total_items: 10 }));
  assert.deepEqual(plan?.sheets.map((s) => [s.startItem, s.endItem]), [[1, 4], [5, 8], [9, 10]]);
});

test('fan_out {2: 3} on three stages makes five sheets and wires fan-out and fan-in', () => {
  const { plan, problems } = planSheets(spec({ fan_out: { '2': 3 }, dependencies: { '2': [1], '3': [2] } }));
  assert.deepEqual(problems, []);
  assert.equal(plan?.totalSheets, 5);
  assert.equal(plan?.totalStages, 3);
  assert.deepEqual(plan?.sheets.map((s) => [s.num, s.stage, s.instance, s.fanCount]), [[1, 1, 1, 1], [2, 2, 1, 3], [3, 2, 2, 3], [4, 2, 3, 3], [5, 3, 1, 1]]);
  assert.deepEqual(plan?.sheets.map((s) => s.dependsOn), [[], [1], [1], [1], [2, 3, 4]]);
});

test('equal fan-out counts pair instance i with instance i', () => {
  const { plan } = planSheets(spec({ fan_out: { '1': 2, '2': 2 }, total_items: 2, dependencies: { '2': [1] } }));
  assert.deepEqual(plan?.sheets.map((s) => s.dependsOn), [[], [], [1], [2]]);
});

test('reports a dependency cycle with every member', () => {
  const { plan, problems } = planSheets(spec({ total_items: 4, dependencies: { '1': [3], '2': [1], '3': [2] } }));
  assert.equal(plan, undefined);
  assert.equal(problems[0]?.id, 'D001');
  assert.match(problems[0]?.message ?? '', /1 → 3 → 2 → 1/);
  assert.deepEqual(problems[0]?.related?.map((r) => r.path), [['sheet', 'dependencies', '3'], ['sheet', 'dependencies', '2']]);
});

test('reports self and out-of-range dependencies', () => {
  const { problems } = planSheets(spec({ dependencies: { '2': [2, 7], '9': [1] } }));
  assert.deepEqual(problems.map((p) => p.id).sort(), ['D002', 'D003', 'D003']);
});

test('fan_out needs size 1 and start_item 1', () => {
  const { problems } = planSheets(spec({ size: 2, start_item: 2, total_items: 6, fan_out: { '1': 2 } }));
  assert.deepEqual(problems.map((p) => p.path.join('.')), ['sheet.size', 'sheet.start_item']);
});

test('a long dependency chain plans without exhausting the stack', () => {
  const deps: Record<string, number[]> = {};
  for (let i = 2; i <= 20000; i++) deps[String(i)] = [i - 1];
  const { plan, problems } = planSheets(spec({ total_items: 20000, dependencies: deps }));
  assert.deepEqual(problems, []);
  assert.deepEqual(plan?.sheets[19999]?.dependsOn, [19999]);
});

test('sheet counts and fan-out past what the conductor can hold are S006, found before planning', () => {
  const base = { size: 1, start_item: 1, fan_out: {}, dependencies: {} } as unknown as SheetSpec;
  const huge = planSheets({ ...base, total_items: 1_000_000_000_000 } as SheetSpec);
  assert.equal(huge.plan, undefined);
  assert.match(huge.problems[0]?.message ?? '', /1,000,000,000,000 sheets .*at most 100,000/);
  const wide = planSheets({ ...base, total_items: 3, fan_out: { 2: 1_000_000_000 } } as unknown as SheetSpec);
  assert.deepEqual(wide.problems[0]?.path, ['sheet', 'fan_out', '2']);
  assert.ok(planSheets({ ...base, total_items: 100_000 } as SheetSpec).plan, '100,000 sheets still plan');
});
