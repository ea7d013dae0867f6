import { baselineRuntimeStrategy } from '../baseline-runtime-strategy.js';
import { invalidDependencyFile, requireNonBlankText } from '../dependency-file-checks.js';

const MAX_LINE_LENGTH = 4096;

/** Permissive on purpose: pip decides what a requirement means; this only stops non-text. */
export const pythonRuntimeStrategy = baselineRuntimeStrategy({
  kind: 'python',
  dependencyFile: 'requirements.txt',
  check(content) {
    requireNonBlankText('requirements.txt', content);
    if (content.includes('\u0000')) throw invalidDependencyFile('requirements.txt', 'it contains a NUL character');
    const long = content.split('\n').findIndex((line) => line.length > MAX_LINE_LENGTH);
    if (long >= 0) {
      throw invalidDependencyFile('requirements.txt', `line ${long + 1} is longer than ${MAX_LINE_LENGTH} characters`);
    }
  },
});
