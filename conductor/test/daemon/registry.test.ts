// The conductor's registry on a full disk: a refused entry leaves no temporary file and names the
// file it could not write, and the entries already there stay as they were.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JobRegistry } from '../../src/daemon/registry.js';
import { StateWriteError } from '../../src/state/journal-store.js';
import { fillUp, mountTmpfs, tmpfsUnavailable } from '../support/tmpfs.js';

test('an entry the disk refuses: StateWriteError naming its file, no temporary file, the others kept', { skip: tmpfsUnavailable() }, () => {
  const fs = mountTmpfs(64);
  try {
    const dir = join(fs.dir, 'jobs');
    const registry = new JobRegistry(dir);
    registry.put({ jobId: 'kept', scoreFile: '/s.yaml', workspace: '/w' });
    fillUp(fs.dir);
    assert.throws(
      () => registry.put({ jobId: 'refused', scoreFile: '/s.yaml', workspace: '/w', descriptions: { 1: 'x'.repeat(8000) } }),
      (e: unknown) => e instanceof StateWriteError && e.errno === 'ENOSPC' && e.path.startsWith(join(dir, 'refused.json')),
    );
    assert.deepEqual(readdirSync(dir), ['kept.json'], 'no temporary file left in the registry');
    assert.equal(registry.get('refused'), undefined);
    assert.deepEqual(new JobRegistry(dir).entries().map((e) => e.jobId), ['kept']);
  } finally {
    fs.unmount();
  }
});
