import { baselineRuntimeStrategy } from '../baseline-runtime-strategy.js';
import { requireJsonObject } from '../dependency-file-checks.js';

export const dotnetRuntimeStrategy = baselineRuntimeStrategy({
  kind: 'dotnet',
  dependencyFile: 'project.json',
  check: (content) => requireJsonObject('project.json', content),
});
