import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidDependencyFile } from '../dependency-file-checks.js';
import { defineRuntimeStrategy } from '../runtime-dockerfile.js';

// Entities stay unexpanded: a check must never be made to do more work than the file's size.
const rootReader = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
});

/** Names of the top-level elements, one entry per element (a repeated name parses to an array). */
function rootElements(content: string): string[] {
  try {
    const document: unknown = rootReader.parse(content);
    if (typeof document !== 'object' || document === null) return [];
    return Object.entries(document).flatMap(([name, value]) => (Array.isArray(value) ? value.map(() => name) : [name]));
  } catch {
    throw invalidDependencyFile('pom.xml', 'it could not be read (elements nested deeper than 100 levels?)');
  }
}

/**
 * The java runtimes start actions with a fixed classpath written by their
 * /bin/compile and ship no maven: without the runtime's own /bin/extend
 * (java v25 on) no jar can reach an action, and saying so beats an image that
 * looks extended but is not.
 */
const FALLBACK = `
fail NotExtendible "this java runtime has no /bin/extend: its actions run with a fixed classpath, so pom.xml dependencies cannot reach them; use a runtime image that ships /bin/extend or package the jars with the action"
`;

export const javaRuntimeStrategy = defineRuntimeStrategy({
  kind: 'java',
  dependencyFile: 'pom.xml',
  defaultUser: 'root',
  extendibleWithoutExtend: false,
  fallback: FALLBACK,
  check(content) {
    const validation = XMLValidator.validate(content);
    if (validation !== true) {
      const { code, line, col } = validation.err;
      const where = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
      throw invalidDependencyFile('pom.xml', `it is not well-formed XML (${code} at ${where})`);
    }
    const roots = rootElements(content);
    if (roots.length !== 1 || roots[0] !== 'project') {
      throw invalidDependencyFile('pom.xml', 'its root element must be a single <project>');
    }
  },
});
