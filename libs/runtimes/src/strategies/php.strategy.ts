import { baselineRuntimeStrategy } from '../baseline-runtime-strategy.js';
import { requireJsonObject } from '../dependency-file-checks.js';

export const phpRuntimeStrategy = baselineRuntimeStrategy({
  kind: 'php',
  dependencyFile: 'composer.json',
  check: (content) => requireJsonObject('composer.json', content),
});
