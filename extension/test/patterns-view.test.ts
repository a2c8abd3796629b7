// The "Learned patterns" view and the patterns in the diagnose page: what each item says, which
// action it offers, and that nothing from a pattern reaches the page unescaped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppliedPattern, PatternView } from '../../protocol/src/learning.js';
import type { DiagnoseReport } from '../../protocol/src/methods.js';
import { renderDiagnoseHtml } from '../src/views/diagnose-html.js';
import { ago, appliedPatternLine, patternItem, patternItems } from '../src/views/patterns-model.js';
import { plainText as t } from '../src/l10n.js';
import { summary } from './support/jobs.js';

const NOW = Date.parse('2026-03-02T12:00:00Z');

function pattern(over: Partial<PatternView> = {}): PatternView {
  return {
    id: '0123456789abcdef',
    kind: 'validation_failure',
    name: 'the answer is 42',
    description: '“the answer is 42” (content_contains) failed 2 of 2 checks, 2 on a first attempt (pattern not found)',
    frequency: 2,
    confidence: 0.7,
    effectiveness: 0.93,
    priority: 0.22,
    trust: 0.96,
    status: 'validated',
    applications: 10,
    successes: 10,
    firstSeen: '2026-03-01T12:00:00Z',
    lastSeen: '2026-03-02T09:30:00Z',
    tags: [],
    autoApplyEligible: true,
    score: 'learns',
    ...over,
  };
}

describe('learned patterns view', () => {
  test('an item shows the pattern, its kind, trust, effectiveness and when it was last seen', () => {
    const item = patternItem(pattern(), NOW, t);
    assert.equal(item.label, 'the answer is 42');
    assert.equal(item.description, 'recurring validation failure · trust 96% · effective 93% · seen 2h 30m ago');
    assert.deepEqual(item.icon, { id: 'verified', color: 'testing.iconPassed' });
    assert.match(item.tooltip, /Applied to 10 attempts, 10 of which passed/);
    assert.match(item.tooltip, /Id: 0123456789abcdef/);
    assert.equal(item.id, 'pattern:0123456789abcdef');
  });

  test('a pattern applied fewer than three times is "untested"', () => {
    assert.match(patternItem(pattern({ applications: 2, effectiveness: 0.55 }), NOW, t).description, /effective untested/);
  });

  test('actions: quarantine what is in use, un-quarantine what is quarantined, nothing for retired', () => {
    const tokens = (p: Partial<PatternView>) => new Set(patternItem(pattern(p), NOW, t).contextValue.split(' '));
    assert.ok(tokens({ status: 'pending' }).has('canQuarantine'));
    assert.ok(tokens({ status: 'validated' }).has('canQuarantine'));
    const quarantined = tokens({ status: 'quarantined', statusReason: 'trust fell' });
    assert.ok(quarantined.has('canUnquarantine') && !quarantined.has('canQuarantine'));
    const retired = tokens({ status: 'retired' });
    assert.ok(!retired.has('canQuarantine') && !retired.has('canUnquarantine'));
    const item = patternItem(pattern({ status: 'quarantined', statusReason: 'trust fell' }), NOW, t);
    assert.match(item.tooltip, /Status: quarantined \(trust fell\)/);
    assert.match(item.description, /^quarantined · recurring validation failure/);
  });

  test('quarantined patterns come last; the rest keep the conductor’s order', () => {
    const items = patternItems([pattern({ id: 'a', name: 'a', status: 'quarantined' }), pattern({ id: 'b', name: 'b' }), pattern({ id: 'c', name: 'c', status: 'pending' })], NOW, t);
    assert.deepEqual(
      items.map((i) => i.label),
      ['b', 'c', 'a'],
    );
  });

  test('"ago" reads in minutes and hours; a time in the future is "just now"', () => {
    assert.equal(ago('2026-03-02T11:57:00Z', NOW, t), '3m ago');
    assert.equal(ago('2026-03-02T12:05:00Z', NOW, t), 'just now');
  });
});

describe('patterns in the diagnose page', () => {
  const applied: AppliedPattern = { id: 'abc', kind: 'retry_success', description: 'after E202 <b>x</b> a retry passed', status: 'pending', trust: 0.5, effectiveness: 0.55, applications: 1, successes: 0, explored: true };

  test('a line says how the pattern has done, and whether exploration chose it', () => {
    assert.equal(appliedPatternLine(applied, t), 'after E202 <b>x</b> a retry passed (retry success, pending): trust 50%, effective untested; passed 0 of 1 attempts it was in; tried by exploration');
  });

  test('a failing sheet lists its learned patterns, escaped', () => {
    const report: DiagnoseReport = {
      job: summary({ status: 'failed' }),
      failingSheets: [{ sheet: 1, status: 'failed', attempts: 1, validations: [], patterns: [applied] }],
      errors: [],
      suggestions: [],
      files: [],
    };
    const html = renderDiagnoseHtml(report, { nonce: 'n', cspSource: 'vscode-resource:', t });
    assert.match(html, /<h3>Learned patterns in its prompt<\/h3><ul><li>after E202 &lt;b&gt;x&lt;\/b&gt; a retry passed/);
    const without = renderDiagnoseHtml({ ...report, failingSheets: [{ sheet: 1, status: 'failed', attempts: 1, validations: [] }] }, { nonce: 'n', cspSource: 'vscode-resource:', t });
    assert.doesNotMatch(without, /Learned patterns/);
  });
});
