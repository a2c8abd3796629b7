// What the conductor says about a disk that refuses writes, for each way a disk refuses: found in
// an error or its causes, the folder named, why in words, and what to do next.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diskFullFailure, diskRefusal, writeRefusal } from '../../src/daemon/state-trouble.js';
import { CheckpointSaveError } from '../../src/runner/job-setup.js';
import { StateLoadError, StateWriteError } from '../../src/state/journal-store.js';

const errno = (code: string, path?: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: refused`), { code, ...(path ? { path } : {}) });

const WHY = {
  ENOSPC: /no space is left on the disk holding \/ws\/\.mozart\/state \(ENOSPC\)/,
  EDQUOT: /the disk quota for \/ws\/\.mozart\/state is used up \(EDQUOT\)/,
  EROFS: /the folder \/ws\/\.mozart\/state is on a read-only filesystem \(EROFS\)/,
} as const;

test('ENOSPC, EDQUOT and EROFS are found however they are wrapped, and each stops the job with E403 naming the folder and how to resume', () => {
  for (const [code, why] of Object.entries(WHY)) {
    const journal = '/ws/.mozart/state/journal.ndjson';
    for (const error of [new StateWriteError(code, journal, 'refused'), errno(code, journal), new CheckpointSaveError(new StateWriteError(code, journal, 'refused'))]) {
      assert.deepEqual(diskRefusal(error), { errno: code, path: journal }, `${code} in ${error.name}`);
      const failure = diskFullFailure('job', '/ws', { errno: code, path: journal });
      assert.equal(failure.code, 'E403');
      assert.match(failure.message, why);
      assert.match(failure.message, /Every sheet recorded before is kept; a sheet whose end could not be recorded is checked on resume: taken as done if its validations pass/);
      assert.match(failure.message, /then 'mozart resume job'\.$/);
    }
    // Without a path the workspace is named.
    assert.match(diskFullFailure('job', '/ws', { errno: code }).message, new RegExp(why.source.replace('\\/\\.mozart\\/state', '')));
    // At submit and resume: not started / not resumed, and what to do then.
    assert.match(writeRefusal('job', '/ws', errno(code, journal), 'started', "run it again ('mozart run s.yaml')") ?? '', new RegExp(`^E403 Job 'job' was not started: ${why.source}\\. Nothing recorded before is lost\\. .*then run it again \\('mozart run s\\.yaml'\\)\\.$`));
    assert.match(writeRefusal('job', '/ws', errno(code, journal), 'resumed', "'mozart resume job'") ?? '', /^E403 Job 'job' was not resumed: .*then 'mozart resume job'\.$/);
  }
});

test('other errors are not a disk refusal; an unreadable checkpoint at resume is E401 as status says', () => {
  for (const error of [errno('EIO'), errno('EACCES'), new Error('plain'), undefined, null, 'text']) {
    assert.equal(diskRefusal(error), undefined, String(error));
    assert.equal(writeRefusal('job', '/ws', error, 'resumed', 'x'), undefined);
  }
  assert.match(writeRefusal('job', '/ws', new StateLoadError('E401', 'The journal is damaged at line 3.'), 'resumed', 'x') ?? '', /^E401 Job 'job' was not resumed: The journal is damaged at line 3\.$/);
});
