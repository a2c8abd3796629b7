// "New Score from Example" without the editor: the examples' summaries, the proposed file name
// (never an existing one), the job name derived from the file and kept unique, and the copy's text.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkScore } from '../../score/src/engine.js';
import { exampleCopy, exampleSummary, fileNameProblem, jobNameFromFile, templateFileOf, topLevelName, uniqueFileName, uniqueName, withTemplateFile } from '../src/commands/new-score-model.js';
import { plainText as t } from '../src/l10n.js';

const EXAMPLES = join(__dirname, '../../examples');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ name: f, text: readFileSync(join(EXAMPLES, f), 'utf8') }));

describe('the Quick Pick of examples', () => {
  test("each example is offered with its description field, or else its first comment without the file's own name", () => {
    assert.equal(exampleSummary('x.yaml', '# x.yaml — the smallest job.\nname: x\n'), 'The smallest job.');
    assert.equal(exampleSummary('x.yaml', '# Not about the name\nname: x\n'), 'Not about the name');
    assert.equal(exampleSummary('x.yaml', '# x.yaml — comment\ndescription: "Review four modules"\nname: x\n'), 'Review four modules');
    assert.equal(exampleSummary('x.yaml', 'name: x\n'), '');
    assert.ok(examples.length >= 5);
    for (const e of examples) {
      const summary = exampleSummary(e.name, e.text);
      assert.ok(summary.length > 10, `${e.name} has a summary: ${JSON.stringify(summary)}`);
      assert.ok(!summary.includes(e.name), `${e.name}'s summary does not repeat its name`);
    }
    assert.equal(exampleSummary('hello-world.yaml', examples.find((e) => e.name === 'hello-world.yaml')!.text), 'Three sheets, each saving its rendered prompt as a greeting file. Runs offline.');
    // Without its description field, an example is summed up by its opening comment.
    const bare = examples.find((e) => e.name === 'hello-world.yaml')!.text.replace(/^description:.*\n/m, '');
    assert.match(exampleSummary('hello-world.yaml', bare), /^The smallest complete Mozart job/);
  });
});

describe('file names', () => {
  test('the proposal is the example name, or -2, -3, … when taken; never an existing file', () => {
    const existing = new Set(['hello-world.yaml', 'hello-world-2.yaml', 'a.score.yaml']);
    const exists = (f: string) => existing.has(f);
    assert.equal(uniqueFileName('code-review.yaml', exists), 'code-review.yaml');
    assert.equal(uniqueFileName('hello-world.yaml', exists), 'hello-world-3.yaml');
    assert.equal(uniqueFileName('a.score.yaml', exists), 'a-2.score.yaml');
  });

  test('a typed name must be a new YAML file inside the folder, and says what to use instead', () => {
    const exists = (f: string) => f === 'hello-world.yaml';
    assert.equal(fileNameProblem('mine.yaml', exists, t), undefined);
    assert.equal(fileNameProblem('scores/mine.yml', exists, t), undefined);
    assert.match(fileNameProblem('hello-world.yaml', exists, t) ?? '', /hello-world\.yaml exists already and is never overwritten: use hello-world-2\.yaml/);
    assert.match(fileNameProblem('  ', exists, t) ?? '', /Give the score a file name/);
    assert.match(fileNameProblem('mine', exists, t) ?? '', /end the name with \.yaml \(mine\.yaml\)/);
    for (const outside of ['/etc/x.yaml', '../x.yaml', 'a/../../x.yaml', 'a//x.yaml', 'C:x.yaml']) assert.match(fileNameProblem(outside, exists, t) ?? '', /stays inside it/, outside);
  });
});

describe('job names', () => {
  test('derived from the file name: lower case, separators as dashes, suffixes dropped', () => {
    assert.equal(jobNameFromFile('hello-world.yaml'), 'hello-world');
    assert.equal(jobNameFromFile('My Review.score.yaml'), 'my-review');
    assert.equal(jobNameFromFile('scores/Nightly_Build.YML'), 'nightly_build');
    assert.equal(jobNameFromFile('--é--.yaml'), 'my-score');
    assert.equal(jobNameFromFile('a  b...c.yaml'), 'a-b-c');
  });

  test('unique among the jobs the conductor knows and the other files', () => {
    const taken = new Set(['hello-world', 'hello-world-2']);
    assert.equal(uniqueName('hello-world', (n) => taken.has(n)), 'hello-world-3');
    assert.equal(uniqueName('fresh', (n) => taken.has(n)), 'fresh');
  });

  test("a file's top-level name is read as YAML writes it (quoted or with a comment), nested names are not", () => {
    assert.equal(topLevelName('# c\nname: hello-world\n'), 'hello-world');
    assert.equal(topLevelName("name: 'quoted' # note\n"), 'quoted');
    assert.equal(topLevelName('backend:\n  name: nested\n'), undefined);
  });
});

describe("the copy's text", () => {
  test('the job gets the new name and a workspace of its own; everything else is the example', () => {
    const hello = examples.find((e) => e.name === 'hello-world.yaml')!.text;
    const copy = exampleCopy(hello, 'mine-2');
    assert.equal(topLevelName(copy), 'mine-2');
    assert.match(copy, /^workspace: \.\/workspace-mine-2$/m);
    assert.equal(copy.split('\n').length, hello.split('\n').length);
    const changed = copy.split('\n').filter((line, i) => line !== hello.split('\n')[i]);
    assert.deepEqual(changed, ['name: mine-2', 'workspace: ./workspace-mine-2']);
  });

  test('an example without a name line gets one after its opening comments', () => {
    assert.equal(exampleCopy('# about\n\nsheet:\n  size: 1\n', 'x'), '# about\n\nname: x\nsheet:\n  size: 1\n');
  });

  test('a workspace that is not ./workspace-… is left as the example has it', () => {
    assert.match(exampleCopy('name: a\nworkspace: /tmp/out\n', 'b'), /^workspace: \/tmp\/out$/m);
  });

  test("every bundled example's copy is still a valid score with the new name", () => {
    for (const e of examples) {
      const copy = exampleCopy(e.text, 'copied-job');
      const errors = checkScore(join(EXAMPLES, e.name), copy).findings.filter((f) => f.severity === 'error');
      assert.deepEqual(errors.map((f) => `${f.id} ${f.message}`), [], e.name);
      assert.equal(topLevelName(copy), 'copied-job', e.name);
    }
  });

  test("the template file an example reads is found, and can be pointed elsewhere", () => {
    const text = examples.find((e) => e.name === 'template-file.yaml')!.text;
    assert.equal(templateFileOf(text), 'templates/report.j2');
    assert.equal(templateFileOf(withTemplateFile(text, 'templates/report-2.j2')), 'templates/report-2.j2');
    assert.equal(templateFileOf('prompt:\n  template: hi\n'), undefined);
  });
});
