import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLease, releaseLease } from './test-run-leases.js';

describe('test run leases', () => {
  let stateDir: string;

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'devenv-leases-'));
  });

  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('hands the servers started by test runs to the last run that leaves', () => {
    acquireLease(['registry'], stateDir);
    acquireLease(['couchdb'], stateDir);

    expect(releaseLease(stateDir).sort()).toEqual(['couchdb', 'registry']);
    expect(releaseLease(stateDir)).toEqual([]);
  });

  it('stops nothing while another live run holds a lease', () => {
    acquireLease(['redis'], stateDir);
    // pid 1 is always alive: it stands for a concurrent test run.
    writeFileSync(join(stateDir, 'leases', '1.lease'), '');

    expect(releaseLease(stateDir)).toEqual([]);
  });

  it('ignores leases of runs that died', () => {
    acquireLease(['redis'], stateDir);
    writeFileSync(join(stateDir, 'leases', '999999999.lease'), '');

    expect(releaseLease(stateDir)).toEqual(['redis']);
  });
});
