// The learning commands against a real conductor that has learned something: each prints its text
// and its --json (the original's field names), takes the original's options, and refuses bad ones.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { harness } from '../../conductor/test/daemon/harness.js';

const h = harness({ MOZART_TEST_CLOCK_SCALE: '0.01' });
const json = <T>(args: string[]): T => {
  const r = h.mozart(...args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  return JSON.parse(r.out) as T;
};
let workspace = '';

// First attempt writes the wrong answer, the completion attempt the right one, unless learned guidance is there.
const AGENT = `f="$MOZART_WORKSPACE/a$MOZART_SHEET_NUM"; if grep -q 'mozart:learned-patterns' "$MOZART_PROMPT_FILE" || grep -q '^### Still missing' "$MOZART_PROMPT_FILE"; then echo yes > "$f"; else echo no > "$f"; fi`;

before(() => {
  assert.equal(h.mozart('start').code, 0);
  const dir = mkdtempSync(join(tmpdir(), 'mozart-learning-cli-'));
  const file = join(dir, 'score.yaml');
  workspace = join(dir, 'ws');
  writeFileSync(
    file,
    `name: taught
workspace: ./ws
backend: { type: command, command: ${JSON.stringify(AGENT)} }
sheet: { size: 1, total_items: 3 }
prompt: { template: "answer" }
retry: { completion_delay_seconds: 0, base_delay_seconds: 0.1 }
learning: { entropy_check_interval: 2, exploration_budget: { enabled: true }, entropy_response: { enabled: true, cooldown_seconds: 60 } }
validations:
  - { type: file_exists, path: "{workspace}/a{sheet_num}", description: "answer file" }
  - { type: content_contains, path: "{workspace}/a{sheet_num}", pattern: "yes", description: "says yes" }
`,
  );
  for (let i = 0; i < 3; i++) assert.equal(h.mozart('run', file, '--fresh', '--watch').code, 0);
});

after(() => h.mozart('stop'));

interface ListedPattern {
  id: string;
  pattern_type: string;
  pattern_name: string;
  quarantine_status: string;
  trust_score: number;
  effectiveness_score: number;
  priority_score: number;
  occurrence_count: number;
  context_tags: string[];
}

test('patterns-list: the table and the original JSON fields; filters by priority, limit, quarantine and trust', () => {
  const all = json<ListedPattern[]>(['patterns-list', '--json']);
  const kinds = new Set(all.map((p) => p.pattern_type));
  for (const kind of ['validation_failure', 'retry_success', 'completion_mode', 'semantic_failure']) assert.ok(kinds.has(kind), `${kind} in ${[...kinds].join(', ')}`);
  for (const p of all) assert.deepEqual(Object.keys(p).slice(0, 10), ['id', 'pattern_type', 'pattern_name', 'description', 'occurrence_count', 'effectiveness_score', 'priority_score', 'context_tags', 'quarantine_status', 'trust_score']);
  assert.deepEqual(
    all.map((p) => p.priority_score),
    [...all.map((p) => p.priority_score)].sort((a, b) => b - a),
    'highest priority first',
  );
  assert.equal(json<ListedPattern[]>(['patterns-list', '-n', '1', '--json']).length, 1);
  const high = all[0]?.priority_score ?? 0;
  assert.ok(json<ListedPattern[]>(['patterns-list', '-p', String(high), '--json']).every((p) => p.priority_score >= high));
  assert.ok(json<ListedPattern[]>(['patterns-list', '--high-trust', '--json']).every((p) => p.trust_score >= 0.7));
  assert.ok(json<ListedPattern[]>(['patterns-list', '--low-trust', '--json']).every((p) => p.trust_score <= 0.3));
  const text = h.mozart('patterns-list');
  assert.match(text.out, /Global Learning Patterns\n\s*ID\s+Type\s+Name\s+Status\s+Trust\s+Auto\s+Count\s+Effect\s+Prior\s+Last seen\n/);
  assert.match(text.out, /Showing \d+ pattern\(s\)/);
  const local = h.mozart('patterns-list', '--local');
  assert.equal(local.code, 0);
  assert.match(local.err, /--local has no effect in this version/);
});

test('quarantine from a client takes a pattern out of the next prompts; un-quarantined it returns', async () => {
  const rule = json<ListedPattern[]>(['patterns-list', '--json']).find((p) => p.pattern_type === 'validation_failure');
  assert.ok(rule);
  const client = await h.connect();
  const set = await client.request('learning.setStatus', { id: rule.id.slice(0, 8), status: 'quarantined', reason: 'checking by hand' });
  assert.equal(set.status, 'quarantined');
  await assert.rejects(client.request('learning.setStatus', { id: 'zz', status: 'quarantined' }), /'id' must be a string of at least 4 characters/);
  await assert.rejects(client.request('learning.setStatus', { id: rule.id, status: 'gone' as 'retired' }), /must be one of pending, quarantined, validated, retired/);
  const quarantined = json<ListedPattern[]>(['patterns-list', '-q', '--json']);
  assert.deepEqual(
    quarantined.map((p) => p.id),
    [rule.id],
  );
  assert.equal(h.mozart('run', join(workspace, '..', 'score.yaml'), '--fresh', '--watch').code, 0);
  const prompt = readFileSync(join(workspace, '.mozart', 'prompts', 'sheet-1.md'), 'utf8');
  assert.match(prompt, /mozart:learned-patterns/, 'the other patterns are still given');
  assert.ok(!prompt.includes(`Common issue: “${rule.pattern_name}”`), 'the quarantined one is not');
  const applied = await client.request('learning.sheetPatterns', { jobId: 'taught', sheet: 1 });
  assert.ok(!applied.some((a) => a.id === rule.id));
  await client.request('learning.setStatus', { id: rule.id, status: 'pending' });
  assert.equal(h.mozart('run', join(workspace, '..', 'score.yaml'), '--fresh', '--watch').code, 0);
  assert.ok((await client.request('learning.sheetPatterns', { jobId: 'taught', sheet: 1 })).some((a) => a.id === rule.id));
  client.close();
});

test('patterns-why: one pattern by id prefix, or every pattern with enough observations', () => {
  const rule = json<ListedPattern[]>(['patterns-list', '--json']).find((p) => p.pattern_type === 'validation_failure');
  assert.ok(rule);
  const one = json<{ pattern_name: string; has_factors: boolean; observation_count: number; key_conditions: string[] }>(['patterns-why', rule.id.slice(0, 6), '--json']);
  assert.deepEqual([one.pattern_name, one.has_factors], ['says yes', true]);
  assert.ok(one.observation_count >= 1);
  assert.ok(one.key_conditions.includes('Succeeds on the first attempt'));
  assert.match(h.mozart('patterns-why', rule.id).out, /WHY Analysis\nsays yes[\s\S]*Factors Summary\n\s+validation types: content_contains, file_exists[\s\S]*Metrics/);
  const list = json<{ pattern_id: string }[]>(['patterns-why', '-m', '1', '-n', '50', '--json']);
  assert.ok(list.some((w) => w.pattern_id === rule.id));
  assert.deepEqual(json<unknown[]>(['patterns-why', '--min-obs', '100000', '--json']), []);
  const missing = h.mozart('patterns-why', 'ffffffffff');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /No pattern found with an id starting with 'ffffffffff'/);
});

test('patterns-entropy, patterns-budget and entropy-status report what the entropy checks did', () => {
  const e = json<{ shannon_entropy: number; diversity_index: number; total_applications: number; alert_threshold: number; threshold_exceeded: boolean }>(['patterns-entropy', '-t', '0.4', '--json']);
  assert.ok(e.total_applications > 0);
  assert.equal(e.alert_threshold, 0.4);
  assert.equal(e.threshold_exceeded, e.diversity_index < 0.4);
  assert.match(h.mozart('patterns-entropy').out, /Pattern Population Entropy\n\n\s+Shannon Entropy \(H\): [\d.]+ bits/);
  assert.match(h.mozart('patterns-entropy', '--record').out, /Recorded entropy snapshot/);
  const history = json<{ calculated_at: string }[]>(['patterns-entropy', '-H', '--json']);
  assert.ok(history.length >= 2, 'the checks of the runs and the one recorded');
  const budget = json<{ current: { budget_value: number; adjustment_type: string }; statistics: { total_adjustments: number } }>(['patterns-budget', '-j', 'taught', '--json']);
  assert.ok(budget.statistics.total_adjustments >= 1);
  assert.ok(budget.current.budget_value >= 0.05 && budget.current.budget_value <= 0.5);
  assert.match(h.mozart('patterns-budget', '--job', 'taught').out, /Exploration Budget Status\n\n\s+Current Budget: [\d.]+%/);
  assert.match(h.mozart('patterns-budget', '-H').out, /Exploration Budget History/);
  assert.match(h.mozart('patterns-budget', '-j', 'no-such-job').out, /No budget records found/);
  const status = json<{ statistics: { total_responses: number } }>(['entropy-status', '--json']);
  assert.equal(typeof status.statistics.total_responses, 'number');
  const check = json<{ needs_response: boolean; reason: string }>(['entropy-status', '-c', '--json']);
  assert.equal(typeof check.needs_response, 'boolean');
  assert.match(h.mozart('entropy-status', '--check').out, /Entropy Response Check/);
  assert.match(h.mozart('entropy-status', '-H').out, /Entropy Response History|No entropy response history found/);
});

test('learning-stats, learning-insights, learning-activity and the drift commands', () => {
  const stats = json<{ executions: { total: number; success_without_retry_rate: number }; patterns: { total: number }; workspaces: { unique: number }; error_recoveries: { total: number } }>(['learning-stats', '-j']);
  assert.ok(stats.executions.total >= 9);
  assert.ok(stats.patterns.total >= 4);
  assert.equal(stats.workspaces.unique, 1);
  assert.ok(stats.error_recoveries.total >= 2, JSON.stringify(stats));
  assert.match(h.mozart('learning-stats').out, /Global Learning Statistics\n\nExecutions\n\s+Total recorded: \d+ attempts[\s\S]*First-attempt success: [\d.]+%/);
  const insights = json<{ pattern_type: string }[]>(['learning-insights', '--pattern-type', 'semantic_failure', '--json']);
  assert.ok(insights.length >= 1 && insights.every((p) => p.pattern_type === 'semantic_failure'));
  assert.match(h.mozart('learning-insights', '--limit', '2').out, /Learning Insights\n\n\s*Type\s+Description\s+Freq\s+Effectiveness/);
  const bad = h.mozart('learning-insights', '--pattern-type', 'bogus');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--pattern-type must be one of validation_failure/);
  const activity = json<{ period_hours: number; recent_executions: number }>(['learning-activity', '-h', '48', '--json']);
  assert.deepEqual([activity.period_hours, activity.recent_executions > 0], [48, true]);
  assert.match(h.mozart('learning-activity').out, /Learning Activity \(last 24 hours\)/);
  const drift = json<{ threshold: number; window_size: number; patterns: unknown[] }>(['learning-drift', '-t', '0.1', '-w', '2', '--json']);
  assert.deepEqual([drift.threshold, drift.window_size, Array.isArray(drift.patterns)], [0.1, 2, true]);
  assert.match(h.mozart('learning-drift', '--summary').out, /Pattern Drift Summary\n\n\s+Total patterns: \d+\n\s+Patterns analyzed: \d+/);
  const epistemic = json<{ total_patterns: number; avg_belief_entropy: number }>(['learning-epistemic-drift', '-s', '--json']);
  assert.ok(epistemic.total_patterns >= 4);
  assert.match(h.mozart('learning-epistemic-drift').out, /Patterns with Epistemic Drift > 15%/);
});

test('bad options are usage errors (exit 2) that show the command’s usage', () => {
  const cases: [string[], RegExp][] = [
    [['learning-drift', '-w', '99'], /--window must be a whole number from 1 to 25/],
    [['patterns-list', '--min-priority', 'high'], /--min-priority must be a number from 0 to 1/],
    [['learning-stats', '--bogus'], /Unknown option '--bogus'[\s\S]*Usage: mozart learning-stats/],
    [['learning-stats', 'extra'], /learning-stats takes no arguments/],
  ];
  for (const [args, message] of cases) {
    const r = h.mozart(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message, args.join(' '));
  }
  assert.match(h.mozart('learning-activity', '--help').out, /Usage: mozart learning-activity \[--hours N\]/);
});
