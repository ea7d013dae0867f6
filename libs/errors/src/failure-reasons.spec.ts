import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAILURE_REASONS, FAILURE_REASON_NAMES, isFailureReason } from './failure-reasons.js';

/** The rows of the README's "Failure reasons" table: reason → meaning. */
function readmeTable(): Map<string, string> {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
  const section = readme.split('### Failure reasons')[1]?.split(/\n#{2,3} /)[0] ?? '';
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `(\w+)` \| (.+) \|$/gm)) rows.set(match[1], match[2]);
  return rows;
}

describe('the failure catalogue', () => {
  it('the README lists every reason with its meaning, and no other', () => {
    const table = readmeTable();
    expect([...table.keys()].sort()).toEqual([...FAILURE_REASON_NAMES].sort());
    for (const reason of FAILURE_REASON_NAMES) expect(table.get(reason)).toBe(FAILURE_REASONS[reason]);
  });

  it('names are machine-readable and every one says what it means', () => {
    for (const reason of FAILURE_REASON_NAMES) {
      expect(reason).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(FAILURE_REASONS[reason].length).toBeGreaterThan(10);
    }
  });

  it('tells catalogued reasons from free strings', () => {
    expect(isFailureReason('BuildFailed')).toBe(true);
    expect(isFailureReason('Error')).toBe(false);
    expect(isFailureReason('toString')).toBe(false);
    expect(isFailureReason(undefined)).toBe(false);
  });
});
