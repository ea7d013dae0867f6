import { baselineRuntimeStrategy } from '../baseline-runtime-strategy.js';
import { invalidDependencyFile, requireNonBlankText } from '../dependency-file-checks.js';

export const goRuntimeStrategy = baselineRuntimeStrategy({
  kind: 'go',
  dependencyFile: 'go.mod',
  check(content) {
    requireNonBlankText('go.mod', content);
    if (!/^[ \t]*module[ \t]+\S/m.test(content)) throw invalidDependencyFile('go.mod', 'it has no module directive');
  },
});
