import { baselineRuntimeStrategy } from '../baseline-runtime-strategy.js';
import { requireNonBlankText } from '../dependency-file-checks.js';

export const rubyRuntimeStrategy = baselineRuntimeStrategy({
  kind: 'ruby',
  dependencyFile: 'Gemfile',
  check: (content) => requireNonBlankText('Gemfile', content),
});
