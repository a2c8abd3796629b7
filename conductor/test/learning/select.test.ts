// Choosing a sheet's patterns and rendering the prompt section.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pattern } from '../../src/learning/detect.js';
import { GUIDANCE_BEGIN, GUIDANCE_END, guidanceIn, renderGuidance } from '../../src/learning/guidance.js';
import { choosePatterns, MAX_PROMPT_PATTERNS } from '../../src/learning/select.js';
import type { SelectionSettings } from '../../src/learning/select.js';
import { T0 } from './fixtures.js';

function pattern(id: string, over: Partial<Pattern> = {}): Pattern {
  return {
    id,
    kind: 'validation_failure',
    key: id,
    name: `rule ${id}`,
    description: `“rule ${id}” failed 3 of 3 checks`,
    frequency: 3,
    confidence: 0.8,
    successRate: 0,
    firstSeen: T0,
    lastSeen: T0,
    tags: ['score:S', `rule:${id}`],
    requires: [`rule:${id}`],
    applications: 0,
    successes: 0,
    effectiveness: 0.55,
    trust: 0.5,
    priority: 0.33,
    status: 'pending',
    ...over,
  };
}

const settings: SelectionSettings = { explorationShare: 0.15, explorationMinPriority: 0.05 };
const ids = (patterns: Pattern[], tags: string[], s: SelectionSettings = settings, draw = 0.99) => choosePatterns(patterns, new Set(tags), s, T0, draw).chosen.map((c) => `${c.pattern.id}:${c.via}`);

test('selection: a pattern needs the tags it requires; a shared one needs one tag in common', () => {
  const shared = pattern('g', { kind: 'semantic_failure', requires: [], tags: ['reason:x', 'validation:content_contains'] });
  assert.deepEqual(ids([pattern('a'), pattern('b'), shared], ['score:S', 'rule:a']), ['a:relevance']);
  assert.deepEqual(ids([pattern('a'), shared], ['score:S', 'rule:a', 'validation:content_contains']).sort(), ['a:relevance', 'g:relevance']);
});

test('selection: quarantined and retired patterns are never chosen', () => {
  const tags = ['score:S', 'rule:a', 'rule:b', 'rule:c'];
  assert.deepEqual(ids([pattern('a', { status: 'quarantined' }), pattern('b', { status: 'retired' }), pattern('c')], tags), ['c:relevance']);
});

test('selection: at most five, most relevant first', () => {
  const many = Array.from({ length: 8 }, (_, i) => pattern(`p${i}`, { confidence: 0.5 + i * 0.05 }));
  const chosen = ids(many, ['score:S', ...many.map((p) => `rule:${p.id}`)]);
  assert.equal(chosen.length, MAX_PROMPT_PATTERNS);
  assert.deepEqual(chosen, ['p7', 'p6', 'p5', 'p4', 'p3'].map((x) => `${x}:relevance`));
});

test('selection: an exploring sheet adds the least measured low-relevance pattern; others do not', () => {
  const proven = pattern('a', { applications: 10, successes: 9, effectiveness: 0.9, trust: 0.9 });
  const weak = pattern('w', { confidence: 0, frequency: 0, lastSeen: T0 - 60 * 86_400_000, tags: ['rule:w'], priority: 0.1 });
  const tags = ['score:S', 'rule:a', 'rule:w'];
  assert.deepEqual(ids([proven, weak], tags, settings, 0.5), ['a:relevance']);
  assert.deepEqual(ids([proven, weak], tags, settings, 0.1), ['a:relevance', 'w:exploration']);
  assert.deepEqual(ids([proven, weak], tags, { ...settings, explorationMinPriority: 0.2 }, 0.1), ['a:relevance'], 'below exploration_min_priority');
  assert.deepEqual(ids([proven, weak], tags, { ...settings, explorationShare: 0 }, 0), ['a:relevance'], 'exploration_rate 0');
});

test('selection: auto_apply puts trusted, validated patterns first', () => {
  const trusted = pattern('t', { status: 'validated', trust: 0.95, confidence: 0.5 });
  const unvalidated = pattern('u', { trust: 0.95 });
  const tags = ['score:S', 'rule:t', 'rule:u'];
  const auto = { trustThreshold: 0.85, maxPatterns: 3, requireValidated: true };
  assert.deepEqual(ids([trusted, unvalidated], tags, { ...settings, autoApply: auto }), ['t:auto_apply', 'u:relevance']);
  assert.deepEqual(ids([trusted, unvalidated], tags, { ...settings, autoApply: { ...auto, requireValidated: false } }).sort(), ['t:auto_apply', 'u:auto_apply']);
});

test('guidance: a marked, numbered section that restates the rule a pattern is about', () => {
  const p = pattern('a', { ruleKey: 'a', description: '“answer is 42” (content_contains) failed 2 of 2 checks, 2 on a first attempt (pattern not found)' });
  const section = renderGuidance([p, pattern('b', { kind: 'retry_success', description: 'after E202 a later attempt passed 2 times', trust: 0.9 })], { a: 'the file `answer.txt` contains exactly `42`' });
  const lines = section.split('\n');
  assert.equal(lines[0], GUIDANCE_BEGIN);
  assert.equal(lines.at(-1), GUIDANCE_END);
  assert.equal(lines[4], '1. Common issue: “answer is 42” (content_contains) failed 2 of 2 checks, 2 on a first attempt (pattern not found) — make sure the file `answer.txt` contains exactly `42`. [trust 50%]');
  assert.equal(lines[5], '2. Tip: after E202 a later attempt passed 2 times. [high trust]');
  assert.equal(renderGuidance([], {}), '');
  assert.equal(guidanceIn(`before\n\n${section}\n\nafter`), section);
  assert.equal(guidanceIn('no section here'), undefined);
});
