// The hub: guidance from what was recorded, the measures acting on statuses, entropy checks with
// the exploration budget and the entropy response.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LearningHub } from '../../src/learning/hub.js';
import type { GuidanceRequest } from '../../src/learning/hub.js';
import { patternId } from '../../src/learning/outcome.js';
import { sheetPatterns } from '../../src/learning/queries.js';
import { learningSettings } from '../../src/learning/settings.js';
import type { LearningSettings } from '../../src/learning/settings.js';
import type { Score } from '../../../score/src/score-types.js';
import { checkScore } from '../../../score/src/engine.js';
import { outcome, T0 } from './fixtures.js';

/** The learning block of a score, with the schema's defaults filled in. */
function settingsOf(learningYaml: string): LearningSettings {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-score-'));
  const file = join(dir, 's.yaml');
  const checked = checkScore(file, `name: s\nworkspace: ./ws\nbackend: { type: command, command: "true" }\nsheet: { size: 1, total_items: 1 }\nprompt: { template: "x" }\n${learningYaml}`);
  assert.ok(checked.score, JSON.stringify(checked.findings));
  return learningSettings((checked.score as Score).learning);
}

let clock = T0;
const hubIn = (random = () => 0.99) => LearningHub.open({ dir: mkdtempSync(join(tmpdir(), 'mozart-hub-')), durable: false, now: () => clock, random });
const request = (settings: LearningSettings): GuidanceRequest => ({ job: 'job', scoreId: 'S', sheet: 1, tags: ['score:S', 'rule:rule-a', 'validation:content_contains'], requirements: { 'rule-a': 'the file `a.txt` contains exactly `42`' }, settings });
const RULE_PATTERN = patternId('validation_failure', 'rule-a');

test('guidance appears once a rule has failed twice, restating the rule; learning off gives none and records nothing', () => {
  const on = settingsOf('');
  const hub = hubIn();
  hub.record(outcome({ passed: false }), on);
  assert.equal(hub.guidance(request(on)).section, '');
  hub.record(outcome({ at: T0 + 1, passed: false }), on);
  const g = hub.guidance(request(on));
  assert.ok(g.patterns.includes(RULE_PATTERN), g.section);
  assert.match(g.section, /make sure the file `a\.txt` contains exactly `42`/);
  const off = settingsOf('learning: { enabled: false }');
  assert.equal(hub.guidance(request(off)).section, '');
  hub.record(outcome({ at: T0 + 2 }), off);
  assert.equal(hub.store.info.outcomes, 2);
  const noGlobal = settingsOf('learning: { use_global_patterns: false }');
  assert.equal(hub.guidance(request(noGlobal)).section, '', 'use_global_patterns: false');
});

test('a pattern followed by failure five times is quarantined, and no longer given; un-quarantined it is measured afresh', () => {
  const s = settingsOf('');
  const hub = hubIn();
  hub.record(outcome({ passed: false }), s);
  hub.record(outcome({ at: T0 + 1, passed: false }), s);
  for (let i = 0; i < 5; i++) hub.record(outcome({ at: T0 + 10 + i, passed: false, patterns: [RULE_PATTERN] }), s);
  assert.equal(hub.state.statuses[RULE_PATTERN]?.status, 'quarantined');
  assert.equal(hub.state.statuses[RULE_PATTERN]?.by, 'auto');
  assert.ok(!hub.guidance(request(s)).patterns.includes(RULE_PATTERN));
  hub.setStatus(RULE_PATTERN, 'pending', 'give it another chance');
  assert.ok(hub.guidance(request(s)).patterns.includes(RULE_PATTERN));
  for (let i = 0; i < 4; i++) hub.record(outcome({ at: T0 + 20 + i, patterns: [RULE_PATTERN] }), s);
  assert.equal(hub.state.statuses[RULE_PATTERN]?.status, 'pending', 'four applications since: not yet judged');
  hub.record(outcome({ at: T0 + 30, patterns: [RULE_PATTERN] }), s);
  assert.equal(hub.state.statuses[RULE_PATTERN]?.status, 'validated', 'five passes since the change');
});

test('entropy checks every entropy_check_interval applications: measured, the budget adjusted, the response run', () => {
  const s = settingsOf('learning: { entropy_check_interval: 3, exploration_budget: { enabled: true }, entropy_response: { enabled: true, entropy_threshold: 0.9, cooldown_seconds: 60 } }');
  const hub = hubIn();
  hub.setStatus('quarantined-one', 'quarantined', 'by hand');
  for (let i = 0; i < 2; i++) hub.record(outcome({ at: T0 + i, patterns: ['p1'] }), s);
  assert.equal(hub.state.entropy.length, 0);
  hub.record(outcome({ at: T0 + 3, patterns: ['p1'] }), s);
  assert.equal(hub.state.entropy.length, 1);
  assert.equal(hub.state.entropy[0]?.diversity, 0, 'one pattern takes every application');
  assert.deepEqual(
    hub.state.budgets.map((b) => b.kind),
    ['initial', 'boost'],
  );
  const response = hub.state.responses[0];
  assert.deepEqual(response?.actions, ['budget_boost', 'quarantine_revisit']);
  assert.deepEqual(response?.revisited, ['quarantined-one']);
  assert.equal(hub.state.statuses['quarantined-one']?.status, 'pending');
  for (let i = 0; i < 3; i++) hub.record(outcome({ at: T0 + 10 + i, patterns: ['p1'] }), s);
  assert.equal(hub.state.responses.length, 1, 'the cooldown holds the second response back');
});

test('the exploration budget replaces exploration_rate when enabled', () => {
  const s = settingsOf('learning: { exploration_rate: 0, exploration_budget: { enabled: true, initial_budget: 0.5 } }');
  const weak = { rules: [{ key: 'rule-a', index: 0, type: 'content_contains', description: 'd', status: 'failed' as const, code: 'E203', reason: 'command failed' }] };
  const draws: number[] = [];
  const hub = hubIn(() => {
    draws.push(0.4);
    return 0.4;
  });
  for (let i = 0; i < 2; i++) hub.record(outcome({ at: T0 - 40 * 86_400_000 + i, passed: false, score: 'other', ...weak }), s);
  const g = hub.guidance({ ...request(s), tags: ['validation:content_contains'] });
  assert.equal(draws.length, 1);
  assert.deepEqual(
    g.chosen.map((c) => c.via),
    ['exploration'],
    'a draw of 0.4 under the 0.5 budget explores',
  );
});

test('the patterns of a sheet’s latest attempt, with how they have done', () => {
  const s = settingsOf('');
  const hub = hubIn();
  hub.record(outcome({ passed: false }), s);
  hub.record(outcome({ at: T0 + 1, passed: false }), s);
  hub.record(outcome({ at: T0 + 2, patterns: [RULE_PATTERN], explored: [RULE_PATTERN] }), s);
  const snap = { aggregate: hub.store.aggregate, state: hub.state, now: clock, store: { path: '', outcomes: 3, damagedLines: 0, maxOutcomes: 10, maxAgeDays: 1 } };
  const applied = sheetPatterns(snap, 'job', 1);
  assert.deepEqual(
    applied.map((a) => [a.id, a.kind, a.applications, a.successes, a.explored]),
    [[RULE_PATTERN, 'validation_failure', 1, 1, true]],
  );
  assert.deepEqual(sheetPatterns(snap, 'job', 2), []);
});

test('rate limits are remembered until they expire', () => {
  const hub = hubIn();
  hub.recordRateLimit('claude_cli', 'E101', T0 + 60_000);
  hub.recordRateLimit('ollama:x', 'E101', T0 - 1);
  assert.deepEqual(
    hub.activeRateLimits().map((r) => r.backend),
    ['claude_cli'],
  );
  clock = T0 + 61_000;
  assert.deepEqual(hub.activeRateLimits(), []);
  clock = T0;
});
