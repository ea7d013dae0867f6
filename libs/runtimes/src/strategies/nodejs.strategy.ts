import { baselineRuntimeStrategy } from '../baseline-runtime-strategy.js';
import { requireJsonObject } from '../dependency-file-checks.js';

export const nodejsRuntimeStrategy = baselineRuntimeStrategy({
  kind: 'nodejs',
  dependencyFile: 'package.json',
  check: (content) => requireJsonObject('package.json', content),
});
