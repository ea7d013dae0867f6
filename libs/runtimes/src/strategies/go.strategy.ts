import { invalidDependencyFile } from '../dependency-file-checks.js';
import { defineRuntimeStrategy } from '../runtime-dockerfile.js';

/** Go resolves modules per action when the runtime compiles it: there is nothing to add to the image. */
const FALLBACK = `
say "go modules resolve per action when it is compiled; nothing to install (go.mod kept at /tmp/go.mod)"
`;

export const goRuntimeStrategy = defineRuntimeStrategy({
  kind: 'go',
  dependencyFile: 'go.mod',
  defaultUser: 'nobody',
  extendibleWithoutExtend: true,
  check(content) {
    if (content.trim().length === 0) return;
    if (!/^[ \t]*module[ \t]+\S/m.test(content)) throw invalidDependencyFile('go.mod', 'it has no module directive');
  },
  fallback: FALLBACK,
});
