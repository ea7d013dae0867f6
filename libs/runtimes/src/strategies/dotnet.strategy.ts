import { requireJsonObject } from '../dependency-file-checks.js';
import { defineRuntimeStrategy } from '../runtime-dockerfile.js';

/** The dotnet runtime images carry the runtime, not the SDK: nothing in them can restore project.json. */
const FALLBACK = `
fail NotExtendible "this dotnet runtime has no /bin/extend and no SDK to restore project.json; publish the dependencies with the action or use a runtime image that ships /bin/extend"
`;

export const dotnetRuntimeStrategy = defineRuntimeStrategy({
  kind: 'dotnet',
  dependencyFile: 'project.json',
  defaultUser: 'root',
  extendibleWithoutExtend: false,
  check: (content) => requireJsonObject('project.json', content),
  fallback: FALLBACK,
});
